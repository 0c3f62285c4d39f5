-- Functions that exercise the RPC protocol itself (shapes, overloads, settings, errors), loaded into the test
-- database of the HTTP tests beside the real api schema. Exposed as schema rpc_test (TESSERA_SCHEMAS=api,rpc_test).
CREATE SCHEMA rpc_test;
GRANT USAGE ON SCHEMA rpc_test TO anon, authenticated, service_role;

CREATE TYPE rpc_test.pair AS (left_side integer, right_side text);
CREATE TABLE rpc_test.notes (id serial PRIMARY KEY, body text NOT NULL UNIQUE);
GRANT SELECT, INSERT ON rpc_test.notes TO anon, authenticated;
GRANT USAGE ON SEQUENCE rpc_test.notes_id_seq TO anon, authenticated;

CREATE FUNCTION rpc_test.add(a integer, b integer DEFAULT 10) RETURNS integer
LANGUAGE sql IMMUTABLE SET search_path = '' AS $$ SELECT a + b $$;
COMMENT ON FUNCTION rpc_test.add(integer, integer) IS 'Adds b (10 unless given) to a.';

CREATE FUNCTION rpc_test.make_pair(n integer, label text) RETURNS rpc_test.pair
LANGUAGE sql STABLE SET search_path = '' AS $$ SELECT ROW(n, label)::rpc_test.pair $$;

CREATE FUNCTION rpc_test.numbers(n integer) RETURNS SETOF integer
LANGUAGE sql STABLE SET search_path = '' AS $$ SELECT pg_catalog.generate_series(1, n) $$;

CREATE FUNCTION rpc_test.labelled(n integer) RETURNS TABLE (i integer, label text)
LANGUAGE sql STABLE SET search_path = '' AS $$ SELECT g, 'row ' || g FROM pg_catalog.generate_series(1, n) g $$;

CREATE FUNCTION rpc_test.nothing() RETURNS void
LANGUAGE sql VOLATILE SET search_path = '' AS $$ SELECT $$;

CREATE FUNCTION rpc_test.echo(json) RETURNS json
LANGUAGE sql IMMUTABLE SET search_path = '' AS $$ SELECT $1 $$;

CREATE FUNCTION rpc_test.total(VARIADIC parts integer[]) RETURNS integer
LANGUAGE sql IMMUTABLE SET search_path = '' AS $$ SELECT sum(p)::integer FROM unnest(parts) p $$;

CREATE FUNCTION rpc_test.tags(names text[]) RETURNS integer
LANGUAGE sql IMMUTABLE SET search_path = '' AS $$ SELECT cardinality(names) $$;

-- Two overloads that both take {"a": …}: ambiguous.
CREATE FUNCTION rpc_test.twice(a integer) RETURNS integer
LANGUAGE sql IMMUTABLE SET search_path = '' AS $$ SELECT a * 2 $$;
CREATE FUNCTION rpc_test.twice(a integer, b integer DEFAULT 0) RETURNS integer
LANGUAGE sql IMMUTABLE SET search_path = '' AS $$ SELECT a * 2 + b $$;

-- What the database was told about this request, and by whom it is run (no SET search_path: it reports the
-- request's own).
CREATE FUNCTION rpc_test.context() RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT pg_catalog.json_build_object(
    'role', current_user,
    'claims', nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::json,
    'method', pg_catalog.current_setting('request.method', true),
    'path', pg_catalog.current_setting('request.path', true),
    'headers', nullif(pg_catalog.current_setting('request.headers', true), '')::json,
    'cookies', nullif(pg_catalog.current_setting('request.cookies', true), '')::json,
    'search_path', pg_catalog.current_setting('search_path'),
    'statement_timeout', pg_catalog.current_setting('statement_timeout'),
    'read_only', pg_catalog.current_setting('transaction_read_only'),
    'leftover', pg_catalog.current_setting('rpc_test.leftover', true),
    'backend', pg_catalog.pg_backend_pid())
$$;

-- Leaves a session-level setting and response settings behind, as a careless function might.
CREATE FUNCTION rpc_test.careless() RETURNS text
LANGUAGE plpgsql VOLATILE SET search_path = '' AS $$
BEGIN
  PERFORM pg_catalog.set_config('response.status', '202', false);
  PERFORM pg_catalog.set_config('response.headers', '[{"X-Careless": "yes"}]', false);
  PERFORM pg_catalog.set_config('request.jwt.claims', '{"role":"service_role"}', false);
  RETURN 'done';
END
$$;

CREATE FUNCTION rpc_test.teapot() RETURNS text
LANGUAGE plpgsql VOLATILE SET search_path = '' AS $$
BEGIN
  PERFORM pg_catalog.set_config('response.status', '418', true);
  PERFORM pg_catalog.set_config('response.headers', '[{"X-Tea": "earl grey"}, {"Cache-Control": "no-store"}]', true);
  RETURN 'short and stout';
END
$$;

CREATE FUNCTION rpc_test.bad_status() RETURNS text
LANGUAGE plpgsql VOLATILE SET search_path = '' AS $$
BEGIN
  PERFORM pg_catalog.set_config('response.status', 'teapot', true);
  RETURN 'x';
END
$$;

CREATE FUNCTION rpc_test.write_note(body text) RETURNS integer
LANGUAGE sql VOLATILE SET search_path = '' AS $$
  INSERT INTO rpc_test.notes (body) VALUES (write_note.body) RETURNING id
$$;

CREATE FUNCTION rpc_test.sold_out() RETURNS void
LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
  RAISE EXCEPTION 'sold out' USING ERRCODE = 'PT409', DETAIL = 'no places left on 2026-12-01', HINT = 'pick another day';
END
$$;

CREATE FUNCTION rpc_test.plain_raise() RETURNS void
LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
  RAISE EXCEPTION 'bad p 7' USING DETAIL = 'det', HINT = 'hnt';
END
$$;

CREATE FUNCTION rpc_test.slow(seconds double precision) RETURNS integer
LANGUAGE plpgsql VOLATILE SET search_path = '' AS $$ BEGIN PERFORM pg_catalog.pg_sleep(seconds); RETURN 1; END $$;

-- Only signed-in users may call this one.
CREATE FUNCTION rpc_test.members_only() RETURNS text
LANGUAGE sql STABLE SET search_path = '' AS $$ SELECT 'welcome' $$;

-- Rows to shape (select, filters, order, ranges, counts, CSV): every third price is NULL, and one name needs
-- quoting in CSV.
CREATE FUNCTION rpc_test.catalogue(n integer DEFAULT 6)
RETURNS TABLE (id integer, name text, price numeric, tags text[], details jsonb, added date)
LANGUAGE sql STABLE SET search_path = '' AS $$
  SELECT g, CASE WHEN g = 2 THEN 'item "2", special' ELSE 'item ' || g END,
         CASE WHEN g % 3 = 0 THEN NULL ELSE g * 1.5 END, ARRAY['t' || (g % 2), 'all'],
         pg_catalog.jsonb_build_object('size', g, 'colour', CASE WHEN g % 2 = 0 THEN 'red' ELSE 'blue' END),
         DATE '2026-01-01' + g
    FROM pg_catalog.generate_series(1, n) g
$$;

-- Result shapes PostgREST decides from the signature: a bare record is rendered as its body built it; any OUT,
-- INOUT or TABLE parameter, even a single one, makes rows of objects.
CREATE FUNCTION rpc_test.bare_record(n integer DEFAULT 1) RETURNS record
LANGUAGE sql STABLE SET search_path = '' AS $$ SELECT n AS id, 'item ' || n AS name $$;
CREATE FUNCTION rpc_test.bare_records(n integer) RETURNS SETOF record
LANGUAGE sql STABLE SET search_path = '' AS $$ SELECT g AS id, 'item ' || g AS name FROM pg_catalog.generate_series(1, n) g $$;
CREATE FUNCTION rpc_test.plpgsql_record() RETURNS record
LANGUAGE plpgsql STABLE SET search_path = '' AS $$
DECLARE result record;
BEGIN
  SELECT 7 AS id, 'seven' AS name INTO result;
  RETURN result;
END
$$;
CREATE FUNCTION rpc_test.out_pair(n integer, OUT doubled integer, OUT label text)
LANGUAGE sql STABLE SET search_path = '' AS $$ SELECT n * 2, 'n=' || n $$;
CREATE FUNCTION rpc_test.single_out(num integer, OUT num_plus_one integer)
LANGUAGE sql STABLE SET search_path = '' AS $$ SELECT num + 1 $$;
CREATE FUNCTION rpc_test.single_inout(INOUT num integer)
LANGUAGE sql STABLE SET search_path = '' AS $$ SELECT num + 1 $$;
CREATE FUNCTION rpc_test.single_column(n integer DEFAULT 1) RETURNS TABLE (a text)
LANGUAGE sql STABLE SET search_path = '' AS $$ SELECT pg_catalog.repeat('A', g) FROM pg_catalog.generate_series(1, n) g $$;
CREATE FUNCTION rpc_test.out_setof(n integer, OUT i integer) RETURNS SETOF integer
LANGUAGE sql STABLE SET search_path = '' AS $$ SELECT pg_catalog.generate_series(1, n) $$;

-- GET and form values: a VARIADIC parameter takes every value, an array parameter too, any other the last.
CREATE FUNCTION rpc_test.variadic_texts(VARIADIC v text[] DEFAULT '{}') RETURNS text[]
LANGUAGE sql IMMUTABLE SET search_path = '' AS $$ SELECT v $$;
CREATE FUNCTION rpc_test.greet(name text, VARIADIC v text[] DEFAULT '{}') RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = '' AS $$ SELECT 'Hello, ' || name || ' (' || cardinality(v) || ')' $$;
CREATE DOMAIN rpc_test.labels AS text[];
CREATE FUNCTION rpc_test.count_labels(labels rpc_test.labels, suffix text DEFAULT '') RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = '' AS $$ SELECT pg_catalog.array_to_string(labels, ',') || suffix $$;

-- Sets two cookies through response.headers.
CREATE FUNCTION rpc_test.two_cookies() RETURNS text
LANGUAGE plpgsql VOLATILE SET search_path = '' AS $$
BEGIN
  PERFORM pg_catalog.set_config('response.headers',
    '[{"Set-Cookie": "a=1; Path=/"}, {"Set-Cookie": "b=2; Path=/"}, {"Content-Type": "application/json"}]', true);
  RETURN 'baked';
END
$$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA rpc_test FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA rpc_test TO anon, authenticated, service_role;
REVOKE EXECUTE ON FUNCTION rpc_test.members_only() FROM anon;

-- A role the login role may not become.
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rpc_test_outsider') THEN
    CREATE ROLE rpc_test_outsider NOLOGIN;
  END IF;
END $$;
