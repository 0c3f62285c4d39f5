-- Deploy tessera:changes_arg to pg
--
-- One PATCH for every update_* function: private.changes_arg checks the keys (PT400 naming a key that may not change, listing those that may), private.apply_changes writes them to one row as the caller, private.constraint_error says in words what a constraint refused from its COMMENT; private.is_image_url_list for experiences' images

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.apply_changes(p_table regclass, p_id uuid, p_changes jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  cols    text;
  picks   text;
  key     text;
  coltype text;
  answer  jsonb;
  state   text;
  sch     text;
  tbl     text;
  con     text;
  col     text;
BEGIN
  -- Each value is read as its column's type first, alone, so that a wrong one is refused naming its key.
  FOR key IN SELECT k FROM pg_catalog.jsonb_object_keys(p_changes) k LOOP
    SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) INTO coltype
      FROM pg_catalog.pg_attribute a
     WHERE a.attrelid = p_table AND a.attname = key AND a.attnum > 0 AND NOT a.attisdropped;
    IF coltype IS NULL THEN
      RAISE EXCEPTION 'changes may not set %', pg_catalog.quote_literal(key) USING ERRCODE = 'PT400',
        DETAIL = 'invalid';
    END IF;
    BEGIN
      EXECUTE pg_catalog.format('SELECT (pg_catalog.jsonb_populate_record(NULL::%s, $1)).%I', p_table, key)
        USING pg_catalog.jsonb_build_object(key, p_changes -> key);
    EXCEPTION WHEN data_exception OR invalid_text_representation THEN
      RAISE EXCEPTION 'changes: % takes a value of type %, not %', key, coltype,
        pg_catalog.left((p_changes -> key)::text, 100) USING ERRCODE = 'PT400', DETAIL = 'invalid';
    END;
  END LOOP;
  IF p_changes = '{}'::jsonb THEN
    EXECUTE pg_catalog.format('SELECT pg_catalog.to_jsonb(t.*) FROM %s t WHERE t.id = $1', p_table)
      INTO answer USING p_id;
    RETURN answer;
  END IF;
  SELECT pg_catalog.string_agg(pg_catalog.quote_ident(k), ', ' ORDER BY k),
         pg_catalog.string_agg('r.' || pg_catalog.quote_ident(k), ', ' ORDER BY k)
    INTO cols, picks FROM pg_catalog.jsonb_object_keys(p_changes) k;
  BEGIN
    -- Runs as the caller: row-level security decides whether the row exists for them and may change.
    EXECUTE pg_catalog.format(
      'UPDATE %1$s t SET (%2$s) = (SELECT %3$s FROM pg_catalog.jsonb_populate_record(NULL::%1$s, $1) r) '
      'WHERE t.id = $2 RETURNING pg_catalog.to_jsonb(t.*)', p_table, cols, picks)
      INTO answer USING p_changes, p_id;
  EXCEPTION WHEN integrity_constraint_violation THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, sch = SCHEMA_NAME, tbl = TABLE_NAME,
                            con = CONSTRAINT_NAME, col = COLUMN_NAME;
    PERFORM private.constraint_error(state, sch, tbl, con, col);
  END;
  RETURN answer;
END
$function$
;

CREATE OR REPLACE FUNCTION private.changes_arg(p_name text, p_changes jsonb, p_allowed text[])
 RETURNS jsonb
 LANGUAGE plpgsql
 IMMUTABLE PARALLEL SAFE
 SET search_path TO ''
AS $function$
DECLARE
  wrong text;
BEGIN
  IF p_changes IS NULL OR pg_catalog.jsonb_typeof(p_changes) <> 'object' THEN
    RAISE EXCEPTION '% must be an object of the fields to change, e.g. {"%": …}', p_name, p_allowed[1]
      USING ERRCODE = 'PT400', DETAIL = 'invalid', HINT = pg_catalog.array_to_string(p_allowed, ', ');
  END IF;
  SELECT k INTO wrong FROM pg_catalog.jsonb_object_keys(p_changes) k WHERE NOT k = ANY (p_allowed) ORDER BY k LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION '% may not set %; the fields that change are %', p_name,
      pg_catalog.quote_literal(pg_catalog.left(wrong, 100)), pg_catalog.array_to_string(p_allowed, ', ')
      USING ERRCODE = 'PT400', DETAIL = 'invalid', HINT = pg_catalog.array_to_string(p_allowed, ', ');
  END IF;
  RETURN p_changes;
END
$function$
;

CREATE OR REPLACE FUNCTION private.constraint_error(p_sqlstate text, p_schema text, p_table text, p_constraint text, p_column text)
 RETURNS void
 LANGUAGE plpgsql
 STABLE
 SET search_path TO ''
AS $function$
DECLARE
  said  text;
  parts text[];
BEGIN
  -- A constraint says in its COMMENT what it refuses, for a person: 'PT409 overlapping: a price tier already
  -- covers these party sizes'. One place reads it, so a new constraint needs a comment, never a new case here.
  SELECT pg_catalog.obj_description(c.oid, 'pg_constraint') INTO said
    FROM pg_catalog.pg_constraint c
    JOIN pg_catalog.pg_class r ON r.oid = c.conrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace
   WHERE n.nspname = p_schema AND r.relname = p_table AND c.conname = p_constraint;
  parts := pg_catalog.regexp_match(said, '^(PT[0-9]{3}) ([a-z_]+): (.+)$');
  IF parts IS NOT NULL THEN
    RAISE EXCEPTION '%', parts[3] USING ERRCODE = parts[1], DETAIL = parts[2];
  ELSIF p_sqlstate = '23502' THEN
    RAISE EXCEPTION '% is required', p_column USING ERRCODE = 'PT400', DETAIL = 'required';
  ELSIF p_sqlstate IN ('23505', '23P01') THEN
    RAISE EXCEPTION 'this would repeat something that exists already' USING ERRCODE = 'PT409',
      DETAIL = 'conflict';
  ELSIF p_sqlstate = '23503' THEN
    RAISE EXCEPTION 'something this refers to does not exist, or something still refers to it'
      USING ERRCODE = 'PT409', DETAIL = 'referenced';
  END IF;
  RAISE EXCEPTION 'a value is not allowed here' USING ERRCODE = 'PT400', DETAIL = 'invalid',
    HINT = 'see the function''s documentation for the values it takes';
END
$function$
;

CREATE OR REPLACE FUNCTION private.is_image_url_list(urls text[])
 RETURNS boolean
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
 SET search_path TO ''
AS $function$
  -- A page shows these as <img src>: https only (no javascript: or data:), no spaces, a sane length each.
  SELECT urls IS NULL OR (pg_catalog.cardinality(urls) <= 10
         AND NOT EXISTS (SELECT FROM pg_catalog.unnest(urls) u
                          WHERE u IS NULL OR pg_catalog.length(u) > 2000 OR u !~ '^https://[^\s]+$'))
$function$
;
REVOKE ALL ON FUNCTION private.apply_changes(regclass,uuid,jsonb) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.apply_changes(regclass,uuid,jsonb) TO authenticated;
GRANT EXECUTE ON FUNCTION private.apply_changes(regclass,uuid,jsonb) TO service_role;
COMMENT ON FUNCTION private.apply_changes(regclass,uuid,jsonb) IS 'Writes checked changes (private.changes_arg) to the row of p_table whose id is p_id, as the caller (RLS applies),
and answers the row after the change as jsonb, or NULL when the caller cannot change such a row. Each value is
read as its column''s type (PT400 naming the key otherwise); a violated constraint is said in words
(private.constraint_error). An empty change writes nothing and answers the row as it is.';
REVOKE ALL ON FUNCTION private.changes_arg(text,jsonb,text[]) FROM PUBLIC, anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.changes_arg(text,jsonb,text[]) TO anon;
GRANT EXECUTE ON FUNCTION private.changes_arg(text,jsonb,text[]) TO authenticated;
GRANT EXECUTE ON FUNCTION private.changes_arg(text,jsonb,text[]) TO service_role;
COMMENT ON FUNCTION private.changes_arg(text,jsonb,text[]) IS 'Returns an update function''s changes argument p_name unchanged when it is a JSON object whose keys are all among
p_allowed (an empty object too: a change of nothing), or raises PT400 (detail invalid) naming it, the first key
that may not change, and listing the keys that may (also as the HINT).';
REVOKE ALL ON FUNCTION private.constraint_error(text,text,text,text,text) FROM PUBLIC, anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.constraint_error(text,text,text,text,text) TO anon;
GRANT EXECUTE ON FUNCTION private.constraint_error(text,text,text,text,text) TO authenticated;
GRANT EXECUTE ON FUNCTION private.constraint_error(text,text,text,text,text) TO service_role;
COMMENT ON FUNCTION private.constraint_error(text,text,text,text,text) IS 'Raises, in words, what a violated constraint refused: the constraint''s COMMENT when it reads
''PTxyz detail: message'' (ERRCODE PTxyz, DETAIL detail, MESSAGE message), else a generic PT400/PT409 naming no
internal object (a NOT NULL names its column). Call it from an EXCEPTION WHEN integrity_constraint_violation
handler with the GET STACKED DIAGNOSTICS fields (RETURNED_SQLSTATE, SCHEMA_NAME, TABLE_NAME, CONSTRAINT_NAME,
COLUMN_NAME).';
REVOKE ALL ON FUNCTION private.is_image_url_list(text[]) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.is_image_url_list(text[]) TO authenticated;
GRANT EXECUTE ON FUNCTION private.is_image_url_list(text[]) TO service_role;
COMMENT ON FUNCTION private.is_image_url_list(text[]) IS 'True for NULL or a list of at most 10 https URLs (no spaces), each at most 2000 characters; used by a CHECK on
app.experiences.image_urls.';

COMMIT;
