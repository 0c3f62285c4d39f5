-- Who runs a session (its game master): assigned only while on one shift at the experience's venue for the whole
-- session, a rule of the tables from both sides (assigning, and editing or deleting the shift, or moving the
-- session); assigning makes the session when nobody booked it yet, as place_booking does; a member who leaves
-- takes their future shifts and assignments with them.
BEGIN;
\ir setup.psql
SELECT plan(27);

\ir fixtures.psql
SELECT pg_temp.shop();
INSERT INTO app.profiles (user_id, display_name) VALUES (pg_temp.id('staff_a'), 'Gail Master');

CREATE FUNCTION pg_temp.outcome(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  d text;
BEGIN
  EXECUTE p_sql;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
  RETURN SQLSTATE || coalesce(' ' || nullif(d, ''), '');
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.outcome(text) TO PUBLIC;

-- The vault runs 19:00 to 20:00 London time, ten days from now (day.at_19).
SELECT pg_temp.act_as('manager_a');
SELECT is(pg_temp.outcome($$ SELECT api.assign_session_staff(pg_temp.id('vault'), (SELECT at_19 FROM day),
                                                             pg_temp.id('staff_a')) $$),
          'PT409 not_on_shift', 'a game master must be on shift for the whole session');
CREATE TEMP TABLE shift AS
SELECT api.create_shift(pg_temp.id('soho'), pg_temp.id('staff_a'), at_19 - interval '1 hour',
                        at_19 + interval '30 minutes') AS s FROM day;
GRANT SELECT ON shift TO PUBLIC;
SELECT throws_ok($$ SELECT api.assign_session_staff(pg_temp.id('vault'), (SELECT at_19 FROM day),
                                                    pg_temp.id('staff_a')) $$,
                 'PT409', 'that person is not on shift at this venue for the whole of The Vault at 19:00 on '
                          || to_char((SELECT d FROM day), 'YYYY-MM-DD'),
                 '... not a shift ending half-way, said in words with the venue-local start');
SELECT FROM api.update_shift((SELECT (s ->> 'id')::uuid FROM shift),
                             jsonb_build_object('ends_at', (SELECT at_19 + interval '3 hours' FROM day)));
-- Another venue's shift does not count.
SELECT FROM day, api.create_shift(pg_temp.id('brooklyn'), pg_temp.id('staff2_a'), at_19 - interval '1 hour',
                                  at_19 + interval '3 hours');
SELECT is(pg_temp.outcome($$ SELECT api.assign_session_staff(pg_temp.id('vault'), (SELECT at_19 FROM day),
                                                             pg_temp.id('staff2_a')) $$),
          'PT409 not_on_shift', 'a shift at another venue does not cover the session');

RESET ROLE;
SELECT is((SELECT count(*)::int FROM app.slots s, day WHERE s.experience_id = pg_temp.id('vault')
                                                       AND s.starts_at = day.at_19), 0,
          'nobody has booked the session yet');
SELECT pg_temp.act_as('manager_a');
CREATE TEMP TABLE assigned AS
SELECT api.assign_session_staff(pg_temp.id('vault'), at_19, pg_temp.id('staff_a')) AS a FROM day;
SELECT is((SELECT (a ->> 'user_id')::uuid FROM assigned), pg_temp.id('staff_a'),
          'on shift for all of it, the game master is assigned');
SELECT is((SELECT a ->> 'role' FROM assigned), 'game_master', '... as game master');
SELECT is((SELECT (a ->> 'ends_at')::timestamptz FROM assigned), (SELECT at_19 + interval '1 hour' FROM day),
          '... for the session''s length');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM app.slots s, day WHERE s.experience_id = pg_temp.id('vault')
                                                       AND s.starts_at = day.at_19 AND s.taken = 0), 1,
          'assigning made the session, with nobody in it yet');
SELECT pg_temp.act_as('manager_a');
SELECT is((SELECT api.assign_session_staff(pg_temp.id('vault'), at_19, pg_temp.id('staff_a')) FROM day),
          (SELECT a FROM assigned), 'assigning again answers the same assignment');
SELECT is(pg_temp.outcome($$ SELECT api.assign_session_staff(pg_temp.id('vault'),
                                                             (SELECT at_19 + interval '10 minutes' FROM day),
                                                             pg_temp.id('staff_a')) $$),
          'PT400', 'a start the schedule does not offer is no session');

-- The other side: the shift.
SELECT is(pg_temp.outcome(format($$ SELECT api.update_shift(%L, %L) $$, (SELECT s ->> 'id' FROM shift),
                                 jsonb_build_object('ends_at', (SELECT at_19 + interval '30 minutes' FROM day)))),
          'PT409 not_on_shift', 'a shift cannot be shortened under an assigned session');
SELECT is(pg_temp.outcome(format($$ SELECT api.update_shift(%L, %L) $$, (SELECT s ->> 'id' FROM shift),
                                 jsonb_build_object('starts_at', (SELECT at_19 + interval '5 minutes' FROM day)))),
          'PT409 not_on_shift', '... from either end');
SELECT is(pg_temp.outcome(format($$ SELECT api.update_shift(%L, %L) $$, (SELECT s ->> 'id' FROM shift),
                                 jsonb_build_object('venue_id', pg_temp.id('brooklyn')))),
          'PT409 not_on_shift', 'nor moved to another venue');
SELECT is(pg_temp.outcome(format($$ SELECT api.update_shift(%L, %L) $$, (SELECT s ->> 'id' FROM shift),
                                 jsonb_build_object('user_id', pg_temp.id('admin_a')))),
          'PT409 not_on_shift', 'nor given to someone else');
SELECT is(pg_temp.outcome(format($$ SELECT api.delete_shift(%L) $$, (SELECT s ->> 'id' FROM shift))),
          'PT409 not_on_shift', 'nor deleted');
SELECT is(pg_temp.outcome(format($$ SELECT api.update_shift(%L, %L) $$, (SELECT s ->> 'id' FROM shift),
                                 jsonb_build_object('ends_at', (SELECT at_19 + interval '1 hour' FROM day)))),
          'ok', 'it may shrink to the session''s very end');
RESET ROLE;
SELECT is(pg_temp.outcome($$ UPDATE app.shifts SET during = tstzrange(lower(during), lower(during) + interval '1 hour')
                               WHERE id = (SELECT (s ->> 'id')::uuid FROM shift) $$),
          'PT409 not_on_shift', 'the rule is the table''s: a direct update is refused too');
SELECT is(pg_temp.outcome($$ UPDATE app.slots SET ends_at = ends_at + interval '30 minutes'
                               WHERE id = (SELECT (a ->> 'slot_id')::uuid FROM assigned) $$),
          'PT409 not_on_shift', 'and a session cannot grow past its game master''s shift');

-- Reading and unassigning.
SELECT pg_temp.act_as('staff2_a');
SELECT results_eq($$ SELECT user_id, display_name, role FROM api.list_session_staff(pg_temp.id('vault'),
                                                                                    (SELECT at_19 FROM day)) $$,
                  $$ VALUES (pg_temp.id('staff_a'), 'Gail Master', 'game_master') $$,
                  'staff see who runs a session');
SELECT is(pg_temp.outcome($$ SELECT api.unassign_session_staff(pg_temp.id('vault'), (SELECT at_19 FROM day),
                                                               pg_temp.id('staff_a')) $$),
          'PT403', 'staff do not unassign');
RESET ROLE;
SELECT pg_temp.act_as('admin_b');
SELECT is((SELECT count(*)::int FROM api.list_session_staff(pg_temp.id('vault'), (SELECT at_19 FROM day))), 0,
          'another organization sees nobody');
SELECT is(pg_temp.outcome($$ SELECT api.assign_session_staff(pg_temp.id('vault'), (SELECT at_19 FROM day),
                                                             pg_temp.id('admin_b')) $$),
          'PT404', '... and cannot assign to it');
RESET ROLE;
SELECT pg_temp.act_as('manager_a');
SELECT is((SELECT (api.unassign_session_staff(pg_temp.id('vault'), at_19, pg_temp.id('staff_a')) ->> 'user_id')::uuid
             FROM day), pg_temp.id('staff_a'), 'a manager unassigns');
SELECT is(pg_temp.outcome(format($$ SELECT api.delete_shift(%L) $$, (SELECT s ->> 'id' FROM shift))),
          'ok', 'then the shift may go');
RESET ROLE;

-- Leaving: future shifts and assignments go, past shifts and worked time stay.
SELECT pg_temp.act_as('manager_a');
SELECT FROM day, api.create_shift(pg_temp.id('soho'), pg_temp.id('staff_a'), at_19 - interval '1 hour',
                                  at_19 + interval '2 hours'),
       LATERAL api.assign_session_staff(pg_temp.id('vault'), at_19, pg_temp.id('staff_a'));
RESET ROLE;
INSERT INTO app.shifts (org_id, venue_id, user_id, during)
VALUES (pg_temp.id('org_a'), pg_temp.id('soho'), pg_temp.id('staff_a'), '[2026-06-01 10:00+00, 2026-06-01 12:00+00)');
INSERT INTO app.time_entries (org_id, venue_id, user_id, clock_in, clock_out) VALUES
  (pg_temp.id('org_a'), pg_temp.id('soho'), pg_temp.id('staff_a'), '2026-06-01 10:00+00', '2026-06-01 12:00+00'),
  (pg_temp.id('org_a'), pg_temp.id('soho'), pg_temp.id('staff_a'), now() - interval '1 hour', NULL);
SELECT is(private.drop_future_staff_work(pg_temp.id('org_a'), pg_temp.id('staff_a')),
          '{"shifts": 1, "session_assignments": 1, "time_entries_closed": 1}'::jsonb,
          'leaving drops future shifts and assignments and ends the open entry, and says how many');
SELECT is((SELECT count(*)::int FROM app.shifts WHERE user_id = pg_temp.id('staff_a')), 1, '... the past shift stays');
-- The same happens by itself when the membership goes, whichever path deletes it.
SELECT pg_temp.act_as('manager_a');
SELECT FROM day, api.create_shift(pg_temp.id('soho'), pg_temp.id('staff_a'), at_19 - interval '1 hour',
                                  at_19 + interval '2 hours'),
       LATERAL api.assign_session_staff(pg_temp.id('vault'), at_19, pg_temp.id('staff_a'));
RESET ROLE;
DELETE FROM app.memberships WHERE org_id = pg_temp.id('org_a') AND user_id = pg_temp.id('staff_a');
SELECT is((SELECT count(*)::int FROM app.shifts s WHERE s.user_id = pg_temp.id('staff_a') AND lower(s.during) > now())
          + (SELECT count(*)::int FROM app.session_staff WHERE user_id = pg_temp.id('staff_a')), 0,
          'removing a member removes their future shifts and assignments');

SELECT * FROM finish();
ROLLBACK;
