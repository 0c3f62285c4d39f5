-- Archive instead of delete: an archived venue, room, experience or ticket type keeps its rows and history but is
-- no longer offered: not by the widget (an archived venue's key is not found, like a wrong key), not by
-- availability, not by booking. Restoring brings it back. The back office still sees it when it asks.
BEGIN;
\ir setup.psql
\ir fixtures.psql
SELECT pg_temp.shop();
SELECT plan(24);

-- Venues. --------------------------------------------------------------------------------------------------------
SELECT pg_temp.act_as('admin_a');
SELECT ok((api.archive_venue(pg_temp.id('soho')) -> 'venue' ->> 'archived_at') IS NOT NULL, 'an admin archives a venue');
SELECT throws_ok(format($$ SELECT api.archive_venue(%L) $$, pg_temp.id('soho')), 'PT409',
                 'this venue is already archived', 'a venue is archived once');
SELECT pg_temp.act_as('anon');
SELECT throws_ok(format($$ SELECT * FROM api.widget_experiences(%L) $$, pg_temp.key('soho')), 'PT404',
                 'unknown widget key', 'an archived venue''s widget key is not found');
SELECT throws_ok(format($$ SELECT * FROM api.widget_availability(%L, %L, %L, %L) $$, pg_temp.key('soho'),
                        pg_temp.id('vault'), (SELECT d FROM day), (SELECT d FROM day)), 'PT404',
                 'unknown widget key', '… for availability too');
SELECT throws_ok(format($$ SELECT * FROM api.widget_create_booking(%L, %L, %L, 'ada@example.com', 2) $$,
                        pg_temp.key('soho'), pg_temp.id('vault'), (SELECT at_19 FROM day)), 'PT404', NULL,
                 '… and for booking');
SELECT pg_temp.act_as('staff_a');
SELECT throws_ok(format($$ SELECT api.create_booking(%L, %L, 'ada@example.com', 2) $$, pg_temp.id('vault'),
                        (SELECT at_19 FROM day)), 'PT404', 'experience not found',
                 'staff cannot book an experience of an archived venue either');
SELECT is((SELECT count(*)::int FROM api.check_availability(pg_temp.id('vault'), (SELECT d FROM day),
                                                             (SELECT d FROM day))), 0,
          '… nor is it available');
SELECT is(jsonb_array_length(api.get_catalogue(pg_temp.id('org_a')) -> 'venues'), 1,
          'the catalogue leaves archived venues out');
SELECT is(jsonb_array_length(api.get_catalogue(pg_temp.id('org_a'), true) -> 'venues'), 2,
          '… unless asked to include them');
SELECT pg_temp.act_as('admin_a');
SELECT is(api.restore_venue(pg_temp.id('soho')) ->> 'archived_at', NULL, 'an admin restores a venue');
SELECT throws_ok(format($$ SELECT api.restore_venue(%L) $$, pg_temp.id('soho')), 'PT409',
                 'this venue is not archived', 'only an archived venue is restored');
SELECT pg_temp.act_as('anon');
SELECT is((SELECT count(*)::int FROM api.widget_experiences(pg_temp.key('soho'))), 2,
          'a restored venue''s widget offers its experiences again');

-- Rooms. ---------------------------------------------------------------------------------------------------------
SELECT pg_temp.act_as('manager_a');
SELECT is(api.archive_resource(pg_temp.id('vault_room')) -> 'resource' ->> 'active', 'false',
          'a manager archives a room (no bookings need it), and it is inactive');
SELECT pg_temp.act_as('anon');
SELECT is((SELECT count(*)::int FROM api.widget_experiences(pg_temp.key('soho')) w
            WHERE w.experience_id = pg_temp.id('vault')), 0, 'an experience whose room is archived is not offered');
SELECT pg_temp.act_as('staff_a');
SELECT throws_ok(format($$ SELECT api.create_booking(%L, %L, 'ada@example.com', 2) $$, pg_temp.id('vault'),
                        (SELECT at_19 FROM day)), 'PT404', 'experience not found', '… nor booked');
SELECT pg_temp.act_as('manager_a');
SELECT is(api.restore_resource(pg_temp.id('vault_room')) ->> 'active', 'true', 'a restored room is in use again');
SELECT pg_temp.act_as('staff_a');
SELECT lives_ok(format($$ SELECT api.create_booking(%L, %L, 'ada@example.com', 2) $$, pg_temp.id('vault'),
                       (SELECT at_19 FROM day)), '… and its experience books again');

-- Experiences and ticket types. ------------------------------------------------------------------------------------
SELECT pg_temp.act_as('manager_a');
SELECT is(api.archive_experience(pg_temp.id('subway')) -> 'experience' ->> 'active', 'false',
          'an archived experience is inactive');
SELECT throws_ok(format($$ SELECT api.update_experience(%L, '{"active": true}') $$, pg_temp.id('subway')), 'PT409',
                 'an archived experience cannot be active; restore it first', '… and cannot be made active');
SELECT pg_temp.act_as('anon');
SELECT is((SELECT count(*)::int FROM api.widget_experiences(pg_temp.key('brooklyn'))), 0,
          'an archived experience is not offered by the widget');
SELECT pg_temp.act_as('manager_a');
SELECT is(api.restore_experience(pg_temp.id('subway')) ->> 'active', 'true', 'a restored experience is active');
SELECT is(api.archive_ticket_type(pg_temp.id('vip')) -> 'ticket_type' ->> 'active', 'false',
          'a manager archives a ticket type');
SELECT pg_temp.act_as('anon');
SELECT is((SELECT count(*)::int FROM api.widget_ticket_types(pg_temp.key('soho'), pg_temp.id('quiz')) t
            WHERE t.name = 'VIP'), 0, 'an archived ticket type is not on sale');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM app.ticket_types WHERE id = pg_temp.id('vip')), 1,
          'archived rows stay, with their history');

SELECT * FROM finish();
ROLLBACK;
