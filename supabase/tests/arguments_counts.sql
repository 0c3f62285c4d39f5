-- Every count and duration argument of every api function (integers of any width, numerics, intervals), walked
-- from the catalogue: a negative value and an absurd one are refused with PT400 where the function starts, whatever
-- the other arguments (all NULL here). A new api function taking a number without the check fails here.
BEGIN;
\ir setup.psql

CREATE TEMP TABLE count_arg_call AS
WITH arg AS (
  SELECT p.oid, p.proname, a.name, a.type, a.n
    FROM pg_catalog.pg_proc p
   CROSS JOIN LATERAL unnest(p.proargnames[1:p.pronargs], p.proargtypes::oid[]) WITH ORDINALITY AS a(name, type, n)
   WHERE p.pronamespace = 'api'::regnamespace
), counted AS (
  SELECT arg.* FROM arg
   WHERE arg.type::regtype IN ('smallint', 'integer', 'bigint', 'numeric', 'real', 'double precision', 'interval')
)
SELECT t.proname, t.name, v.bad,
       format('SELECT * FROM api.%I(%s)', t.proname,
         (SELECT string_agg(format('%I => %s', o.name,
                   CASE WHEN o.n = t.n THEN format('%L::%s', v.bad, o.type::regtype)
                        ELSE format('NULL::%s', o.type::regtype) END), ', ' ORDER BY o.n)
            FROM arg o WHERE o.oid = t.oid)) AS call
  FROM counted t
 CROSS JOIN LATERAL (
   SELECT CASE WHEN t.type = 'interval'::regtype THEN b.duration ELSE b.number END AS bad
     FROM (VALUES ('-1', '-1 second'), ('1000000000', '1000 years')) b(number, duration)) v;

-- Ticket lists carry counts too: every jsonb argument, sent lists of the wrong shape, wrong ids and counts.
CREATE TEMP TABLE tickets_arg_call AS
WITH arg AS (
  SELECT p.oid, p.proname, a.name, a.type, a.n
    FROM pg_catalog.pg_proc p
   CROSS JOIN LATERAL unnest(p.proargnames[1:p.pronargs], p.proargtypes::oid[]) WITH ORDINALITY AS a(name, type, n)
   WHERE p.pronamespace = 'api'::regnamespace
)
SELECT t.proname, t.name, v.label,
       format('SELECT * FROM api.%I(%s)', t.proname,
         (SELECT string_agg(format('%I => %s', o.name, CASE WHEN o.n = t.n THEN format('%L::jsonb', v.bad)
                                                            ELSE format('NULL::%s', o.type::regtype) END),
                            ', ' ORDER BY o.n)
            FROM arg o WHERE o.oid = t.oid)) AS call
  FROM arg t
 CROSS JOIN (VALUES ('not a list', '{"ticket_type_id": "a5000000-0000-4000-8000-000000000001", "quantity": 1}'),
                    ('an empty list', '[]'),
                    ('an id that is no uuid', '[{"ticket_type_id": "nope", "quantity": 1}]'),
                    ('quantity -1', '[{"ticket_type_id": "a5000000-0000-4000-8000-000000000001", "quantity": -1}]'),
                    ('quantity 10^12',
                     '[{"ticket_type_id": "a5000000-0000-4000-8000-000000000001", "quantity": 1000000000000}]'),
                    ('quantity 1.5', '[{"ticket_type_id": "a5000000-0000-4000-8000-000000000001", "quantity": 1.5}]'),
                    ('quantity "2"', '[{"ticket_type_id": "a5000000-0000-4000-8000-000000000001", "quantity": "2"}]'),
                    ('51 lines', (SELECT jsonb_agg(jsonb_build_object('ticket_type_id', gen_random_uuid(),
                                                                      'quantity', 1))::text
                                    FROM generate_series(1, 51)))) v(label, bad)
 WHERE t.type = 'jsonb'::regtype;

SELECT plan((SELECT count(*)::integer FROM count_arg_call) + (SELECT count(*)::integer FROM tickets_arg_call) + 8);

SELECT cmp_ok((SELECT count(DISTINCT proname)::integer FROM count_arg_call), '>=', 6,
              'the walk finds the api functions that take counts');

SET LOCAL statement_timeout = '2s';
SELECT throws_ok(c.call, 'PT400', NULL, format('%s(%s => %s) is refused', c.proname, c.name, c.bad))
  FROM count_arg_call c ORDER BY c.proname, c.name, c.bad;
SELECT throws_like(c.call, c.name || ' %', format('%s(%s => %s) is refused naming it', c.proname, c.name, c.label))
  FROM tickets_arg_call c ORDER BY c.proname, c.label;
RESET statement_timeout;
SELECT cmp_ok((SELECT count(DISTINCT proname)::integer FROM tickets_arg_call), '>=', 2,
              'the walk finds the api functions that take tickets');

SELECT throws_ok($$ SELECT * FROM api.widget_availability(NULL, NULL, NULL, NULL, -1) $$, 'PT400',
                 'party_size must be a whole number from 1 to 1000, not -1', 'the message names the argument');
SELECT throws_ok($$ SELECT * FROM api.list_bookings(NULL, page_size => 501) $$, 'PT400',
                 'page_size must be a whole number from 1 to 500, not 501', 'a page is at most 500 rows');
SELECT lives_ok($$ SELECT * FROM api.list_bookings(gen_random_uuid(), page_size => 500) $$,
                '… and 500 is a page');

SELECT throws_ok($$ SELECT * FROM api.batch_update_booking_status(
                      ARRAY(SELECT gen_random_uuid() FROM generate_series(1, 501)), 'confirmed') $$, 'PT400',
                 'booking_ids is a list of 1 to 500 bookings', 'a batch is at most 500 bookings');
SELECT throws_ok($$ SELECT * FROM api.batch_update_booking_status('{}', 'confirmed') $$, 'PT400',
                 'booking_ids is a list of 1 to 500 bookings', '… and at least one');
SELECT throws_ok($$ SELECT * FROM api.batch_update_booking_status(NULL, 'confirmed') $$, 'PT400',
                 'booking_ids is a list of 1 to 500 bookings', '… and a missing list is none');

SELECT * FROM finish();
ROLLBACK;
