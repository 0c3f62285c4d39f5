-- Functions of the `arguments` area: the checks every api function runs on its arguments before anything else.
-- A request is refused with PT400 naming the argument before it can cost anything: an unbounded time (infinity,
-- year 9999) makes a calendar walk forever, a negative party makes a negative price, and a constraint or a type
-- would answer a customer in its internal names. Each api function passes each argument through its helper here
-- where it starts (times `time_arg`, counts `count_arg` / `party_size_arg`, durations `interval_arg`, texts
-- `text_arg`, e-mails `email_arg`, enumeration values `enum_arg`, ticket lists `tickets_arg`), so which other
-- arguments are wrong, or who is calling, never changes the answer. `db/tests/arguments_*.sql` walk the
-- catalogue: a new api function without its checks fails them.
--
-- The time window is fixed here, once: from 2000-01-01 (before any booking a venue could import; no earlier date
-- means anything to a booking system) to five years from now (no venue sells further ahead; availability windows
-- are a year at most). Everything outside, and infinity either way, is a client's mistake.

CREATE OR REPLACE FUNCTION private.time_arg(p_name text, p_value timestamptz)
RETURNS timestamptz
LANGUAGE plpgsql
STABLE
PARALLEL SAFE
SET search_path = ''
AS $$
BEGIN
  IF p_value < timestamptz '2000-01-01 00:00:00+00' OR p_value > pg_catalog.now() + interval '5 years'
     OR NOT pg_catalog.isfinite(p_value) THEN
    RAISE EXCEPTION '% must be a time from 2000-01-01 to five years from now, not %', p_name, p_value
      USING ERRCODE = 'PT400', DETAIL = 'out_of_range',
            HINT = pg_catalog.format('send %s as an ISO 8601 time, e.g. %s', p_name,
                                     pg_catalog.to_char(pg_catalog.now() AT TIME ZONE 'UTC',
                                                        'YYYY-MM-DD"T"HH24:MI:SS"Z"'));
  END IF;
  RETURN p_value;
END
$$;

COMMENT ON FUNCTION private.time_arg(text, timestamptz) IS
'Returns an api function''s time argument p_name unchanged (NULL too), or raises PT400 (detail out_of_range)
naming it when it is infinite or outside 2000-01-01 to five years from now.';

REVOKE ALL ON FUNCTION private.time_arg(text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.time_arg(text, timestamptz) TO anon, authenticated, service_role;


CREATE OR REPLACE FUNCTION private.time_arg(p_name text, p_value timestamp)
RETURNS timestamp
LANGUAGE plpgsql
STABLE
PARALLEL SAFE
SET search_path = ''
AS $$
BEGIN
  -- A wall-clock time is compared as if it were UTC: the window is years wide, so a zone's hours do not matter.
  PERFORM private.time_arg(p_name, p_value AT TIME ZONE 'UTC');
  RETURN p_value;
END
$$;

COMMENT ON FUNCTION private.time_arg(text, timestamp) IS
'Returns an api function''s wall-clock time argument p_name unchanged (NULL too), or raises PT400 naming it when
it is infinite or outside 2000-01-01 to five years from now.';

REVOKE ALL ON FUNCTION private.time_arg(text, timestamp) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.time_arg(text, timestamp) TO anon, authenticated, service_role;


CREATE OR REPLACE FUNCTION private.time_arg(p_name text, p_value date)
RETURNS date
LANGUAGE plpgsql
STABLE
PARALLEL SAFE
SET search_path = ''
AS $$
BEGIN
  IF p_value < date '2000-01-01' OR p_value > (pg_catalog.now() + interval '5 years')::date
     OR NOT pg_catalog.isfinite(p_value) THEN
    RAISE EXCEPTION '% must be a date from 2000-01-01 to five years from now, not %', p_name, p_value
      USING ERRCODE = 'PT400', DETAIL = 'out_of_range',
            HINT = pg_catalog.format('send %s as YYYY-MM-DD, e.g. %s', p_name, CURRENT_DATE);
  END IF;
  RETURN p_value;
END
$$;

COMMENT ON FUNCTION private.time_arg(text, date) IS
'Returns an api function''s date argument p_name unchanged (NULL too), or raises PT400 (detail out_of_range)
naming it when it is infinite or outside 2000-01-01 to five years from now.';

REVOKE ALL ON FUNCTION private.time_arg(text, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.time_arg(text, date) TO anon, authenticated, service_role;


CREATE OR REPLACE FUNCTION private.time_arg(p_name text, p_value tstzrange)
RETURNS tstzrange
LANGUAGE plpgsql
STABLE
PARALLEL SAFE
SET search_path = ''
AS $$
BEGIN
  -- Both ends within the window: an unbounded end is as endless as infinity.
  IF p_value IS NOT NULL AND NOT pg_catalog.isempty(p_value) THEN
    PERFORM private.time_arg(p_name || '''s start', coalesce(pg_catalog.lower(p_value), '-infinity')),
            private.time_arg(p_name || '''s end', coalesce(pg_catalog.upper(p_value), 'infinity'));
  END IF;
  RETURN p_value;
END
$$;

COMMENT ON FUNCTION private.time_arg(text, tstzrange) IS
'Returns an api function''s time-range argument p_name unchanged (NULL and empty too), or raises PT400 naming it
when an end is unbounded, infinite or outside 2000-01-01 to five years from now.';

REVOKE ALL ON FUNCTION private.time_arg(text, tstzrange) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.time_arg(text, tstzrange) TO anon, authenticated, service_role;


CREATE OR REPLACE FUNCTION private.time_arg(p_name text, p_value daterange)
RETURNS daterange
LANGUAGE plpgsql
STABLE
PARALLEL SAFE
SET search_path = ''
AS $$
BEGIN
  IF p_value IS NOT NULL AND NOT pg_catalog.isempty(p_value) THEN
    PERFORM private.time_arg(p_name || '''s start', coalesce(pg_catalog.lower(p_value), '-infinity')),
            private.time_arg(p_name || '''s end', coalesce(pg_catalog.upper(p_value), 'infinity'));
  END IF;
  RETURN p_value;
END
$$;

COMMENT ON FUNCTION private.time_arg(text, daterange) IS
'Returns an api function''s date-range argument p_name unchanged (NULL and empty too), or raises PT400 naming it
when an end is unbounded, infinite or outside 2000-01-01 to five years from now.';

REVOKE ALL ON FUNCTION private.time_arg(text, daterange) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.time_arg(text, daterange) TO anon, authenticated, service_role;


-- A date of birth is the one date before 2000 that means something: from 1900-01-01 (nobody older signs a
-- waiver) to tomorrow (a day's slack for the signer's zone; whether the person was born by the session's date is
-- the caller's check, where the session is known).
CREATE OR REPLACE FUNCTION private.birth_date_arg(p_name text, p_value date)
RETURNS date
LANGUAGE plpgsql
STABLE
PARALLEL SAFE
SET search_path = ''
AS $$
BEGIN
  IF p_value < date '1900-01-01' OR p_value > CURRENT_DATE + 1 OR NOT pg_catalog.isfinite(p_value) THEN
    RAISE EXCEPTION '% must be a date of birth from 1900-01-01 to today, not %', p_name, p_value
      USING ERRCODE = 'PT400', DETAIL = 'out_of_range', HINT = pg_catalog.format('send %s as YYYY-MM-DD', p_name);
  END IF;
  RETURN p_value;
END
$$;

COMMENT ON FUNCTION private.birth_date_arg(text, date) IS
'Returns an api function''s date-of-birth argument p_name unchanged (NULL too), or raises PT400 (detail
out_of_range) naming it when it is infinite, before 1900-01-01 or after tomorrow.';

REVOKE ALL ON FUNCTION private.birth_date_arg(text, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.birth_date_arg(text, date) TO anon, authenticated, service_role;


-- Counts. A party is at most 1000 people: no booking page sells more in one order, and a bigger number is a typo
-- or an attack (it multiplies into prices and counters).
CREATE OR REPLACE FUNCTION private.count_arg(p_name text, p_value integer, p_min integer, p_max integer)
RETURNS integer
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
BEGIN
  IF p_value < p_min OR p_value > p_max THEN
    RAISE EXCEPTION '% must be a whole number from % to %, not %', p_name, p_min, p_max, p_value
      USING ERRCODE = 'PT400', DETAIL = 'out_of_range';
  END IF;
  RETURN p_value;
END
$$;

COMMENT ON FUNCTION private.count_arg(text, integer, integer, integer) IS
'Returns an api function''s count argument p_name unchanged (NULL too), or raises PT400 (detail out_of_range)
naming it when it is outside p_min to p_max.';

REVOKE ALL ON FUNCTION private.count_arg(text, integer, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.count_arg(text, integer, integer, integer) TO anon, authenticated, service_role;


CREATE OR REPLACE FUNCTION private.party_size_arg(p_value integer)
RETURNS integer
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
  SELECT private.count_arg('party_size', p_value, 1, 1000)
$$;

COMMENT ON FUNCTION private.party_size_arg(integer) IS
'Returns a party_size argument unchanged (NULL too), or raises PT400 naming it when it is not 1 to 1000 (the
experience''s own limits are checked where it is known).';

REVOKE ALL ON FUNCTION private.party_size_arg(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.party_size_arg(integer) TO anon, authenticated, service_role;


CREATE OR REPLACE FUNCTION private.interval_arg(p_name text, p_value interval, p_min interval, p_max interval)
RETURNS interval
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
BEGIN
  IF p_value < p_min OR p_value > p_max THEN
    RAISE EXCEPTION '% must be a duration from % to %, not %', p_name, p_min, p_max, p_value
      USING ERRCODE = 'PT400', DETAIL = 'out_of_range';
  END IF;
  RETURN p_value;
END
$$;

COMMENT ON FUNCTION private.interval_arg(text, interval, interval, interval) IS
'Returns an api function''s duration argument p_name unchanged (NULL too), or raises PT400 (detail out_of_range)
naming it when it is outside p_min to p_max.';

REVOKE ALL ON FUNCTION private.interval_arg(text, interval, interval, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.interval_arg(text, interval, interval, interval)
  TO anon, authenticated, service_role;


-- Text. Every text argument has a length limit, the column's where it is stored (so a constraint never speaks
-- to a customer in its own names), and a key's otherwise: a megabyte of key is an attack, not a typo.
CREATE OR REPLACE FUNCTION private.text_arg(p_name text, p_value text, p_min_length integer, p_max_length integer)
RETURNS text
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
BEGIN
  IF pg_catalog.length(p_value) NOT BETWEEN p_min_length AND p_max_length THEN
    RAISE EXCEPTION '% is % to % characters long, not %', p_name, p_min_length, p_max_length,
      pg_catalog.length(p_value) USING ERRCODE = 'PT400', DETAIL = 'out_of_range';
  END IF;
  RETURN p_value;
END
$$;

COMMENT ON FUNCTION private.text_arg(text, text, integer, integer) IS
'Returns an api function''s text argument p_name unchanged (NULL too), or raises PT400 (detail out_of_range)
naming it when it is shorter than p_min_length or longer than p_max_length characters.';

REVOKE ALL ON FUNCTION private.text_arg(text, text, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.text_arg(text, text, integer, integer) TO anon, authenticated, service_role;


CREATE OR REPLACE FUNCTION private.email_arg(p_name text, p_value text)
RETURNS text
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
BEGIN
  -- The same rule as the CHECK on customers' e-mail addresses, said in words.
  PERFORM private.text_arg(p_name, p_value, 3, 320);
  IF pg_catalog.btrim(p_value) !~ '^[^@\s]+@[^@\s]+$' THEN
    RAISE EXCEPTION '% must be an e-mail address, like name@example.com', p_name
      USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
  RETURN p_value;
END
$$;

COMMENT ON FUNCTION private.email_arg(text, text) IS
'Returns an api function''s e-mail argument p_name unchanged (NULL too), or raises PT400 naming it when it is
longer than 320 characters or not an address (something@somewhere, no spaces).';

REVOKE ALL ON FUNCTION private.email_arg(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.email_arg(text, text) TO anon, authenticated, service_role;


-- Enumerations are taken as text and checked here, so that a wrong value is answered with the values allowed
-- rather than with the type's internal name.
CREATE OR REPLACE FUNCTION private.enum_arg(p_name text, p_values text[], p_type regtype)
RETURNS text[]
LANGUAGE plpgsql
STABLE
PARALLEL SAFE
SET search_path = ''
AS $$
DECLARE
  allowed text[] := ARRAY(SELECT e.enumlabel::text FROM pg_catalog.pg_enum e
                           WHERE e.enumtypid = p_type ORDER BY e.enumsortorder);
  wrong   text;
BEGIN
  SELECT v INTO wrong FROM pg_catalog.unnest(p_values) v WHERE v IS NULL OR NOT v = ANY (allowed) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION '% must be one of %, not %', p_name, pg_catalog.array_to_string(allowed, ', '),
      coalesce(pg_catalog.quote_literal(wrong), 'null')
      USING ERRCODE = 'PT400', DETAIL = 'invalid', HINT = pg_catalog.array_to_string(allowed, ', ');
  END IF;
  RETURN p_values;
END
$$;

COMMENT ON FUNCTION private.enum_arg(text, text[], regtype) IS
'Returns an api function''s argument p_name (values of the enumeration p_type, as text) unchanged, NULL too, or
raises PT400 (detail invalid) naming it and listing the allowed values when one is not among them.';

REVOKE ALL ON FUNCTION private.enum_arg(text, text[], regtype) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.enum_arg(text, text[], regtype) TO anon, authenticated, service_role;


-- Tickets: a list of lines, each a ticket type and a count, checked like any other count before anything reads it.
CREATE OR REPLACE FUNCTION private.tickets_arg(p_name text, p_value jsonb)
RETURNS jsonb
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
DECLARE
  shape constant text := '[{"ticket_type_id": "<uuid>", "quantity": <1 to 1000>}, …], 1 to 50 lines';
  line  jsonb;
  n     integer := 0;
BEGIN
  IF p_value IS NULL THEN
    RETURN NULL;
  END IF;
  IF pg_catalog.jsonb_typeof(p_value) <> 'array' OR pg_catalog.jsonb_array_length(p_value) NOT BETWEEN 1 AND 50 THEN
    RAISE EXCEPTION '% must be a list of 1 to 50 ticket lines', p_name
      USING ERRCODE = 'PT400', DETAIL = 'invalid', HINT = shape;
  END IF;
  FOR line IN SELECT l FROM pg_catalog.jsonb_array_elements(p_value) l LOOP
    n := n + 1;
    IF pg_catalog.jsonb_typeof(line) IS DISTINCT FROM 'object'
       OR pg_catalog.jsonb_typeof(line -> 'ticket_type_id') IS DISTINCT FROM 'string'
       OR line ->> 'ticket_type_id' !~* '^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$'
       OR pg_catalog.jsonb_typeof(line -> 'quantity') IS DISTINCT FROM 'number'
       OR (line ->> 'quantity') !~ '^[0-9]{1,4}$' OR (line ->> 'quantity')::integer NOT BETWEEN 1 AND 1000 THEN
      RAISE EXCEPTION '% line % must be {"ticket_type_id": "<uuid>", "quantity": <1 to 1000>}, not %', p_name, n,
        pg_catalog.left(line::text, 200) USING ERRCODE = 'PT400', DETAIL = 'invalid', HINT = shape;
    END IF;
  END LOOP;
  RETURN p_value;
END
$$;

COMMENT ON FUNCTION private.tickets_arg(text, jsonb) IS
'Returns an api function''s tickets argument p_name unchanged (NULL too), or raises PT400 (detail invalid) naming
it (and the line) unless it is a list of 1 to 50 lines {"ticket_type_id": uuid, "quantity": 1 to 1000}.';

REVOKE ALL ON FUNCTION private.tickets_arg(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.tickets_arg(text, jsonb) TO anon, authenticated, service_role;


-- Changes: the PATCH of every update_* function, as PostgREST's PATCH reads a body. Keys present are set, a JSON
-- null clears a nullable field, absent keys keep theirs; a key that is unknown or may not change (ids, the
-- organization, a kind) is the client's mistake and is answered with the keys that may. One mechanism for every
-- area: changes_arg checks the keys, apply_changes writes them to one row, constraint_error says in words what a
-- constraint refused.
CREATE OR REPLACE FUNCTION private.changes_arg(p_name text, p_changes jsonb, p_allowed text[])
RETURNS jsonb
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
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
$$;

COMMENT ON FUNCTION private.changes_arg(text, jsonb, text[]) IS
'Returns an update function''s changes argument p_name unchanged when it is a JSON object whose keys are all among
p_allowed (an empty object too: a change of nothing), or raises PT400 (detail invalid) naming it, the first key
that may not change, and listing the keys that may (also as the HINT).';

REVOKE ALL ON FUNCTION private.changes_arg(text, jsonb, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.changes_arg(text, jsonb, text[]) TO anon, authenticated, service_role;


CREATE OR REPLACE FUNCTION private.constraint_error(p_sqlstate text, p_schema text, p_table text,
                                                    p_constraint text, p_column text)
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
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
$$;

COMMENT ON FUNCTION private.constraint_error(text, text, text, text, text) IS
'Raises, in words, what a violated constraint refused: the constraint''s COMMENT when it reads
''PTxyz detail: message'' (ERRCODE PTxyz, DETAIL detail, MESSAGE message), else a generic PT400/PT409 naming no
internal object (a NOT NULL names its column). Call it from an EXCEPTION WHEN integrity_constraint_violation
handler with the GET STACKED DIAGNOSTICS fields (RETURNED_SQLSTATE, SCHEMA_NAME, TABLE_NAME, CONSTRAINT_NAME,
COLUMN_NAME).';

REVOKE ALL ON FUNCTION private.constraint_error(text, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.constraint_error(text, text, text, text, text)
  TO anon, authenticated, service_role;


CREATE OR REPLACE FUNCTION private.apply_changes(p_table regclass, p_id uuid, p_changes jsonb)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  cols    text;
  picks   text;
  key     text;
  coltype text;
  category "char";
  answer  jsonb;
  state   text;
  sch     text;
  tbl     text;
  con     text;
  col     text;
BEGIN
  -- Each value is read as its column's type first, alone, so that a wrong one is refused naming its key.
  FOR key IN SELECT k FROM pg_catalog.jsonb_object_keys(p_changes) k LOOP
    SELECT pg_catalog.format_type(a.atttypid, a.atttypmod), t.typcategory INTO coltype, category
      FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
     WHERE a.attrelid = p_table AND a.attname = key AND a.attnum > 0 AND NOT a.attisdropped;
    IF coltype IS NULL THEN
      RAISE EXCEPTION 'changes may not set %', pg_catalog.quote_literal(key) USING ERRCODE = 'PT400',
        DETAIL = 'invalid';
    END IF;
    -- jsonb_populate_record would store an object or a list given for a text column as its JSON text: a
    -- client's mistake, refused like any other value of the wrong type.
    IF pg_catalog.jsonb_typeof(p_changes -> key) IN ('object', 'array') AND coltype NOT IN ('json', 'jsonb')
       AND NOT (category = 'A' AND pg_catalog.jsonb_typeof(p_changes -> key) = 'array') THEN
      RAISE EXCEPTION 'changes: % takes a value of type %, not %', key, coltype,
        pg_catalog.left((p_changes -> key)::text, 100) USING ERRCODE = 'PT400', DETAIL = 'invalid';
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
$$;

COMMENT ON FUNCTION private.apply_changes(regclass, uuid, jsonb) IS
'Writes checked changes (private.changes_arg) to the row of p_table whose id is p_id, as the caller (RLS applies),
and answers the row after the change as jsonb, or NULL when the caller cannot change such a row. Each value is
read as its column''s type (PT400 naming the key otherwise); a violated constraint is said in words
(private.constraint_error). An empty change writes nothing and answers the row as it is.';

REVOKE ALL ON FUNCTION private.apply_changes(regclass, uuid, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.apply_changes(regclass, uuid, jsonb) TO authenticated, service_role;


-- Lists of small objects that replace a set of rows (a venue's week of hours, an experience's weekly starts):
-- checked for their shape where the function starts; each value is then read as its column's type.
CREATE OR REPLACE FUNCTION private.rows_arg(p_name text, p_value jsonb, p_keys text[], p_required text[],
                                            p_max integer)
RETURNS jsonb
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
DECLARE
  shape text := '[{' || pg_catalog.array_to_string(p_keys, ', ') || '}, …], 1 to ' || p_max || ' of them; '
                || pg_catalog.array_to_string(p_required, ', ') || ' required';
  line  jsonb;
  n     integer := 0;
BEGIN
  IF p_value IS NULL THEN
    RETURN NULL;
  END IF;
  IF pg_catalog.jsonb_typeof(p_value) <> 'array' OR pg_catalog.jsonb_array_length(p_value) NOT BETWEEN 1 AND p_max THEN
    RAISE EXCEPTION '% must be a list of 1 to % objects (null for none)', p_name, p_max
      USING ERRCODE = 'PT400', DETAIL = 'invalid', HINT = shape;
  END IF;
  FOR line IN SELECT l FROM pg_catalog.jsonb_array_elements(p_value) l LOOP
    n := n + 1;
    IF pg_catalog.jsonb_typeof(line) IS DISTINCT FROM 'object'
       OR EXISTS (SELECT FROM pg_catalog.jsonb_object_keys(line) k WHERE NOT k = ANY (p_keys))
       OR EXISTS (SELECT FROM pg_catalog.unnest(p_required) r
                   WHERE pg_catalog.jsonb_typeof(line -> r) IS NULL OR line -> r = 'null'::jsonb) THEN
      RAISE EXCEPTION '% line % must be {%}, not %', p_name, n, pg_catalog.array_to_string(p_keys, ', '),
        pg_catalog.left(line::text, 200) USING ERRCODE = 'PT400', DETAIL = 'invalid', HINT = shape;
    END IF;
  END LOOP;
  RETURN p_value;
END
$$;

COMMENT ON FUNCTION private.rows_arg(text, jsonb, text[], text[], integer) IS
'Returns an api function''s list argument p_name unchanged (NULL too) when it is a list of 1 to p_max objects
whose keys are among p_keys and which carry every key of p_required, or raises PT400 (detail invalid) naming it
(and the line) with the shape as HINT.';

REVOKE ALL ON FUNCTION private.rows_arg(text, jsonb, text[], text[], integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.rows_arg(text, jsonb, text[], text[], integer) TO anon, authenticated, service_role;
