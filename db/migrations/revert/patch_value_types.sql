-- Revert tessera:patch_value_types from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

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
REVOKE ALL ON FUNCTION private.apply_changes(regclass,uuid,jsonb) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.apply_changes(regclass,uuid,jsonb) TO authenticated;
GRANT EXECUTE ON FUNCTION private.apply_changes(regclass,uuid,jsonb) TO service_role;
COMMENT ON FUNCTION private.apply_changes(regclass,uuid,jsonb) IS 'Writes checked changes (private.changes_arg) to the row of p_table whose id is p_id, as the caller (RLS applies),
and answers the row after the change as jsonb, or NULL when the caller cannot change such a row. Each value is
read as its column''s type (PT400 naming the key otherwise); a violated constraint is said in words
(private.constraint_error). An empty change writes nothing and answers the row as it is.';

COMMIT;
