-- Every time argument of every api function (timestamptz, timestamp, date, their ranges and arrays), walked from
-- the catalogue: infinity, -infinity, year 0001 and year 9999 are refused with PT400 where the function starts,
-- whatever the other arguments (all NULL here) and under a short statement timeout, so that none of them can make
-- a function run until the server gives up. A new api function without the check fails here.
BEGIN;
\ir setup.psql

CREATE TEMP TABLE time_arg_call AS
WITH arg AS (
  SELECT p.oid, p.proname, a.name, a.type, a.n
    FROM pg_catalog.pg_proc p
   CROSS JOIN LATERAL unnest(p.proargnames[1:p.pronargs], p.proargtypes::oid[]) WITH ORDINALITY
         AS a(name, type, n)
   WHERE p.pronamespace = 'api'::regnamespace
), timed AS (
  -- The argument's type, or its element type for an array.
  SELECT arg.*, coalesce(nullif(t.typelem, 0), t.oid)::regtype AS base, t.typelem <> 0 AS is_array
    FROM arg JOIN pg_catalog.pg_type t ON t.oid = arg.type
   WHERE coalesce(nullif(t.typelem, 0), t.oid)::regtype IN ('timestamptz', 'timestamp', 'date', 'tstzrange',
                                                            'daterange')
)
SELECT t.proname, t.name, v.bad,
       pg_catalog.format('SELECT * FROM api.%I(%s)', t.proname,
         (SELECT pg_catalog.string_agg(pg_catalog.format('%I => %s', o.name,
                   CASE WHEN o.n = t.n THEN CASE WHEN t.is_array THEN pg_catalog.format('ARRAY[%s]', v.literal)
                                                 ELSE v.literal END
                        ELSE pg_catalog.format('NULL::%s', o.type::regtype) END), ', ' ORDER BY o.n)
            FROM arg o WHERE o.oid = t.oid)) AS call
  FROM timed t
 CROSS JOIN LATERAL (
   SELECT b.bad,
          CASE WHEN t.base IN ('tstzrange'::regtype, 'daterange'::regtype)
               THEN pg_catalog.format('%s(%L, %L, ''[]'')', t.base, b.bad, b.bad)
               ELSE pg_catalog.format('%L::%s', b.bad, t.base) END AS literal
     FROM (VALUES ('infinity'), ('-infinity'), ('0001-01-01'), ('9999-12-31')) b(bad)) v;

SELECT plan((SELECT count(*)::integer FROM time_arg_call) + 4);

SELECT cmp_ok((SELECT count(DISTINCT proname)::integer FROM time_arg_call), '>=', 7,
              'the walk finds the api functions that take times');

SET LOCAL statement_timeout = '2s';
SELECT throws_ok(c.call, 'PT400', NULL, pg_catalog.format('%s(%s => %s) is refused', c.proname, c.name, c.bad))
  FROM time_arg_call c ORDER BY c.proname, c.name, c.bad;
RESET statement_timeout;

-- The refusal names the argument, and the window's edges are where the helper says.
SELECT throws_ok($$ SELECT * FROM api.widget_create_booking(NULL, NULL, 'infinity', NULL) $$, 'PT400',
                 'starts_at must be a time from 2000-01-01 to five years from now, not infinity',
                 'the message names the argument and the window');
SELECT lives_ok($$ SELECT private.time_arg('a', now()), private.time_arg('b', timestamptz '2000-01-01 00:00Z'),
                          private.time_arg('c', now() + interval '5 years' - interval '1 day'),
                          private.time_arg('d', current_date), private.time_arg('e', NULL::date) $$,
                'times inside the window, and NULL, pass');
SELECT throws_ok($$ SELECT private.time_arg('x', timestamptz '1999-12-31 23:59Z') $$, 'PT400', NULL,
                 'a time just before 2000 is refused');

SELECT * FROM finish();
ROLLBACK;
