-- One booking answer, one shape: every api function that makes or moves a booking answers app.booking_answer (an
-- object; a set of them for a batch), walked from the catalogue, and staff and the widget get the same fields.
BEGIN;
\ir setup.psql
\ir fixtures.psql
SELECT pg_temp.shop();

-- Functions that change data and answer something with a confirmation code: a booking, whatever its type.
CREATE TEMP TABLE booking_writer AS
SELECT p.proname, p.prorettype::regtype AS result, p.proretset AS many
  FROM pg_catalog.pg_proc p
 WHERE p.pronamespace = 'api'::regnamespace AND p.provolatile = 'v'
   AND (p.prorettype IN ('app.bookings'::regtype, to_regtype('app.booking_answer'))
        OR 'confirmation_code' = ANY (p.proargnames[p.pronargs + 1:]));

SELECT plan((SELECT count(*)::integer FROM booking_writer) + 4);

SELECT cmp_ok((SELECT count(*)::integer FROM booking_writer), '>=', 8,
              'the walk finds the functions that make or move bookings');
SELECT is(format('%s%s', w.result, CASE WHEN w.many THEN '[]' ELSE '' END),
          CASE WHEN w.proname LIKE 'batch\_%' THEN 'app.booking_answer[]' ELSE 'app.booking_answer' END,
          format('%s answers app.booking_answer', w.proname))
  FROM booking_writer w ORDER BY w.proname;

SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE by_staff AS
SELECT to_jsonb(b) AS answer FROM api.create_booking(pg_temp.id('vault'), (SELECT at_19 FROM day),
                                                     'staff.booked@example.com', 2) b;
GRANT SELECT ON by_staff TO PUBLIC;
RESET ROLE;
SELECT pg_temp.act_as('anon');
CREATE TEMP TABLE by_widget AS
SELECT to_jsonb(b) AS answer
  FROM api.widget_create_booking(pg_temp.key('soho'), pg_temp.id('quiz'), (SELECT at_19 FROM day),
                                 'visitor@example.com', tickets => pg_temp.tickets('standard', 1)) b;
RESET ROLE;
SELECT is((SELECT array_agg(k ORDER BY k) FROM by_staff, jsonb_object_keys(answer) k),
          (SELECT array_agg(k ORDER BY k) FROM by_widget, jsonb_object_keys(answer) k),
          'staff and the widget get the same fields');
SELECT is((SELECT count(*)::integer FROM by_widget), 1, 'the widget''s answer is one booking');
SELECT ok((SELECT answer ?& ARRAY['id', 'confirmation_code', 'status', 'starts_at', 'ends_at', 'price_minor',
                                  'currency', 'hold_expires_at'] FROM by_widget),
          'it says what a booking page shows: id, code, status, times, price and hold');

SELECT * FROM finish();
ROLLBACK;
