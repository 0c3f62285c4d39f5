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
  -- The same rule as app.customers' CHECK, said in words.
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
