-- service_role (the back office's secret key) runs the booking workflows of any organization through the api
-- functions granted to it: reading, listing by customer, each status move (the refund included) and the sweep of
-- run-out holds. Bookings themselves are made by staff or the widget. It holds no more
-- than these functions read and write (schemas_table_privileges.sql), so this file is what proves that enough.
BEGIN;
\ir setup.psql
SELECT plan(11);

\ir fixtures.psql
SELECT pg_temp.fresh('venue', 'game');
INSERT INTO app.venues (org_id, id, name, timezone) VALUES (pg_temp.id('org_a'), pg_temp.id('venue'), 'Venue', 'UTC');
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, min_party, max_party, currency)
VALUES (pg_temp.id('org_a'), pg_temp.id('venue'), pg_temp.id('game'), 'private_session', 'Game', 60, 2, 6, 'EUR');
INSERT INTO app.price_tiers (org_id, experience_id, min_party, max_party, price_minor)
VALUES (pg_temp.id('org_a'), pg_temp.id('game'), 2, 6, 1500);
INSERT INTO app.schedules (org_id, experience_id, weekday, start_time, valid_from)
SELECT pg_temp.id('org_a'), pg_temp.id('game'), d, t::time, current_date
  FROM generate_series(1, 7) d, unnest(ARRAY['10:00', '12:00', '14:00', '16:00']) t;

-- Four bookings ten days from now, one per session (n = 1 .. 4), made by staff.
SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE made AS
SELECT n, b.*
  FROM generate_series(1, 4) n,
       LATERAL api.create_booking(pg_temp.id('game'),
                                  ((current_date + 10) + time '08:00' + n * interval '2 hours') AT TIME ZONE 'UTC',
                                  'guest' || n || '@example.com', 2) b;
GRANT SELECT ON made TO PUBLIC;
-- And a fifth whose hold is about to run out.
SELECT api.create_booking(pg_temp.id('game'), ((current_date + 11) + time '10:00') AT TIME ZONE 'UTC',
                          'late@example.com', 2) IS NOT NULL;
RESET ROLE;
UPDATE app.bookings SET hold_expires_at = now() - interval '1 second'
 WHERE org_id = pg_temp.id('org_a') AND customer_id = (SELECT id FROM app.customers WHERE email_key = 'late@example.com'
                                                          AND org_id = pg_temp.id('org_a'));

SELECT pg_temp.act_as('service_role');
SELECT is((api.get_booking((SELECT id FROM made WHERE n = 1))).confirmation_code,
          (SELECT confirmation_code FROM made WHERE n = 1), 'and reads any booking');
SELECT results_eq($$ SELECT id FROM api.list_bookings(pg_temp.id('org_a'), customer_email => 'Guest1@example.com') $$,
                  $$ SELECT id FROM made WHERE n = 1 $$, 'and lists an organization''s bookings by customer');
SELECT is((SELECT count(*)::int FROM api.list_bookings(pg_temp.id('org_a'))), 5, 'and all of them');

SELECT is((api.confirm_booking((SELECT id FROM made WHERE n = 1))).status::text, 'confirmed', 'it confirms');
SELECT is(api.cancel_booking((SELECT id FROM made WHERE n = 1), 'by the back office'), 3000::bigint,
          'it cancels, and the refund follows the experience''s policy (in full, ten days ahead)');
SELECT is((SELECT cancel_reason FROM app.bookings WHERE id = (SELECT id FROM made WHERE n = 1)), 'by the back office',
          'with the reason it gave');
SELECT is((api.reject_booking((SELECT id FROM made WHERE n = 2), 'no staff that day')).status::text, 'rejected',
          'it rejects');
SELECT is((api.complete_booking((api.confirm_booking((SELECT id FROM made WHERE n = 3))).id)).status::text,
          'completed', 'it completes');
SELECT is((api.mark_no_show((api.confirm_booking((SELECT id FROM made WHERE n = 4))).id)).status::text, 'no_show',
          'it marks a no-show');
SELECT cmp_ok(api.expire_holds(), '>=', 1, 'its sweep expires holds that have run out');
SELECT is((SELECT array_agg(DISTINCT status::text) FROM app.bookings
            WHERE org_id = pg_temp.id('org_a') AND confirmation_code NOT IN (SELECT confirmation_code FROM made)),
          ARRAY['expired'], 'among them the run-out hold');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
