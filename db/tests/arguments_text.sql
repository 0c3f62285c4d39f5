-- Every text argument of every api function (and text array), walked from the catalogue: a value of 100,000
-- characters is refused with PT400 naming the argument where the function starts, whatever the other arguments
-- (all NULL here). Then the words customers see for what a constraint or a type would otherwise say in its own
-- internal names: values of an enumeration, e-mail addresses, a missing e-mail, an empty key.
BEGIN;
\ir setup.psql
\ir fixtures.psql
SELECT pg_temp.shop();

CREATE TEMP TABLE text_arg_call AS
WITH arg AS (
  SELECT p.oid, p.proname, a.name, a.type, a.n
    FROM pg_catalog.pg_proc p
   CROSS JOIN LATERAL unnest(p.proargnames[1:p.pronargs], p.proargtypes::oid[]) WITH ORDINALITY AS a(name, type, n)
   WHERE p.pronamespace = 'api'::regnamespace
)
SELECT t.proname, t.name,
       format('SELECT * FROM api.%I(%s)', t.proname,
         (SELECT string_agg(format('%I => %s', o.name,
                   CASE WHEN o.n <> t.n THEN format('NULL::%s', o.type::regtype)
                        WHEN o.type = 'text[]'::regtype THEN 'ARRAY[repeat(''x'', 100000)]'
                        ELSE 'repeat(''x'', 100000)' END), ', ' ORDER BY o.n)
            FROM arg o WHERE o.oid = t.oid)) AS call
  FROM arg t
 WHERE t.type IN ('text'::regtype, 'text[]'::regtype, 'character varying'::regtype);

-- PT400 with a message that starts with the argument's name (and so names no internal object).
CREATE FUNCTION pg_temp.refused_naming(p_call text, p_name text, p_description text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE p_call;
  RETURN ok(false, p_description) || E'\n# no error';
EXCEPTION WHEN OTHERS THEN
  RETURN ok(SQLSTATE = 'PT400' AND SQLERRM LIKE p_name || ' %', p_description)
         || CASE WHEN SQLSTATE = 'PT400' AND SQLERRM LIKE p_name || ' %' THEN ''
                 ELSE E'\n# got ' || SQLSTATE || ': ' || SQLERRM END;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.refused_naming(text, text, text) TO PUBLIC;

SELECT plan((SELECT count(*)::integer FROM text_arg_call) + 12);

SELECT cmp_ok((SELECT count(DISTINCT proname)::integer FROM text_arg_call), '>=', 10,
              'the walk finds the api functions that take text');
SET LOCAL statement_timeout = '2s';
SELECT pg_temp.refused_naming(c.call, c.name, format('%s(%s => 100,000 characters) is refused naming it',
                                                     c.proname, c.name))
  FROM text_arg_call c ORDER BY c.proname, c.name;
RESET statement_timeout;

SELECT pg_temp.act_as('staff_a');
SELECT throws_ok($$ SELECT * FROM api.batch_update_booking_status(ARRAY[gen_random_uuid()], 'bogus') $$, 'PT400',
                 'status must be one of pending, confirmed, cancelled, rejected, expired, completed, no_show, '
                 'not ''bogus''', 'a status that does not exist is told the ones that do');
SELECT throws_ok(format($$ SELECT * FROM api.list_bookings(%L, statuses => ARRAY['pending', 'Confirmed']) $$,
                        pg_temp.id('org_a')), 'PT400',
                 'statuses must be one of pending, confirmed, cancelled, rejected, expired, completed, no_show, '
                 'not ''Confirmed''', '… in a list of statuses too');
SELECT lives_ok(format($$ SELECT * FROM api.list_bookings(%L, statuses => ARRAY['pending', 'confirmed']) $$,
                       pg_temp.id('org_a')), 'statuses that exist are a filter');
SELECT throws_ok(format($$ SELECT * FROM api.create_booking(%L, %L, 'not-an-email', 2) $$,
                        pg_temp.id('vault'), (SELECT at_19 FROM day)), 'PT400',
                 'customer_email must be an e-mail address, like name@example.com', 'an e-mail is checked in words');
SELECT throws_ok(format($$ SELECT * FROM api.create_booking(%L, %L, NULL, 2) $$,
                        pg_temp.id('vault'), (SELECT at_19 FROM day)), 'PT400',
                 'customer_email is required', 'a missing e-mail is told so');
SELECT throws_ok(format($$ SELECT * FROM api.create_booking(%L, %L, 'ada@example.com', 2, repeat('x', 201)) $$,
                        pg_temp.id('vault'), (SELECT at_19 FROM day)), 'PT400',
                 'customer_name is 0 to 200 characters long, not 201', 'an over-long name is told the limit');
SELECT throws_ok(format($$ SELECT * FROM api.create_booking(%L, %L, 'ada@example.com', 2, idempotency_key => '') $$,
                        pg_temp.id('vault'), (SELECT at_19 FROM day)), 'PT400',
                 'idempotency_key is 1 to 200 characters long, not 0', 'an empty key is told so');
SELECT lives_ok(format($$ SELECT * FROM api.create_booking(%L, %L, ' Ada@Example.com ', 2, 'Ada') $$,
                       pg_temp.id('vault'), (SELECT at_19 FROM day)), 'a good booking still books');
SELECT throws_ok(format($$ SELECT * FROM api.cancel_booking(%L, repeat('x', 1001)) $$,
                        (SELECT id FROM app.bookings WHERE org_id = pg_temp.id('org_a') LIMIT 1)), 'PT400',
                 'reason is 0 to 1000 characters long, not 1001', 'an over-long reason is told the limit');
RESET ROLE;
SELECT pg_temp.act_as('anon');
SELECT throws_ok(format($$ SELECT * FROM api.widget_create_booking(%L, %L, %L, NULL, 2) $$,
                        pg_temp.key('soho'), pg_temp.id('vault'), (SELECT at_19 FROM day)), 'PT400',
                 'customer_email is required', 'the widget tells a visitor the e-mail is missing');
SELECT throws_ok(format($$ SELECT * FROM api.widget_create_booking(%L, %L, %L, 'a@b', 2, customer_phone => %L) $$,
                        pg_temp.key('soho'), pg_temp.id('vault'), (SELECT at_19 FROM day), repeat('1', 51)),
                 'PT400', 'customer_phone is 0 to 50 characters long, not 51', '… and the phone number''s limit');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
