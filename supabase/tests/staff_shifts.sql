-- Shifts: one person is never on two overlapping shifts of one organization (the exclusion constraint decides,
-- whatever path writes), but may work for two organizations at once; a shift is finite, at most 24 hours, of a
-- member, at a venue of the organization; managers plan them, staff read the rota; update_shift is a PATCH.
BEGIN;
\ir setup.psql
SELECT plan(29);

\ir fixtures.psql
SELECT pg_temp.fresh('soho', 'riyadh', 'venue_b');
INSERT INTO app.venues (org_id, id, name, timezone) VALUES
  (pg_temp.id('org_a'), pg_temp.id('soho'), 'Soho', 'Europe/London'),
  (pg_temp.id('org_a'), pg_temp.id('riyadh'), 'Riyadh', 'Asia/Riyadh'),
  (pg_temp.id('org_b'), pg_temp.id('venue_b'), 'Venue B', 'UTC');
-- staff_a also works for organization B.
INSERT INTO app.memberships (org_id, user_id, role) VALUES (pg_temp.id('org_b'), pg_temp.id('staff_a'), 'staff');
INSERT INTO app.profiles (user_id, display_name) VALUES (pg_temp.id('staff_a'), 'Sam Shift');

-- The error of a statement as 'SQLSTATE detail', or 'ok'.
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

SELECT pg_temp.act_as('manager_a');
CREATE TEMP TABLE made AS
SELECT api.create_shift(pg_temp.id('soho'), pg_temp.id('staff_a'), '2026-12-20 10:00+00', '2026-12-20 18:00+00',
                        'opening') AS shift;
SELECT is((SELECT shift ->> 'note' FROM made), 'opening', 'a manager plans a shift and gets it back');
SELECT is((SELECT (shift ->> 'starts_at')::timestamptz FROM made), '2026-12-20 10:00+00'::timestamptz,
          '... with its start');
SELECT is((SELECT (shift ->> 'ends_at')::timestamptz FROM made), '2026-12-20 18:00+00'::timestamptz, '... and end');
SELECT is((SELECT (shift ->> 'created_by')::uuid FROM made), pg_temp.id('manager_a'), '... and who planned it');

-- a person is never on two overlapping shifts
SELECT is(pg_temp.outcome($$ SELECT api.create_shift(pg_temp.id('soho'), pg_temp.id('staff_a'),
                               '2026-12-20 17:00+00', '2026-12-20 22:00+00') $$),
          'PT409 shift_overlap', 'a person is never on two overlapping shifts');
SELECT is(pg_temp.outcome($$ SELECT api.create_shift(pg_temp.id('riyadh'), pg_temp.id('staff_a'),
                               '2026-12-20 12:00+00', '2026-12-20 13:00+00') $$),
          'PT409 shift_overlap', '... not even at another venue of the organization');
SELECT throws_ok($$ SELECT api.create_shift(pg_temp.id('soho'), pg_temp.id('staff_a'),
                      '2026-12-20 09:00+00', '2026-12-20 11:00+00') $$,
                 'PT409', 'this person already has a shift then', '... said in words');
SELECT is(pg_temp.outcome($$ SELECT api.create_shift(pg_temp.id('soho'), pg_temp.id('staff_a'),
                               '2026-12-20 18:00+00', '2026-12-20 22:00+00') $$),
          'ok', 'a shift may start when the previous one ends');
SELECT is(pg_temp.outcome($$ SELECT api.create_shift(pg_temp.id('soho'), pg_temp.id('manager_a'),
                               '2026-12-20 10:00+00', '2026-12-20 18:00+00') $$),
          'ok', 'two people may be on shift at once');
SELECT throws_ok($$ INSERT INTO app.shifts (org_id, venue_id, user_id, during)
                    VALUES (pg_temp.id('org_a'), pg_temp.id('soho'), pg_temp.id('staff_a'),
                            '[2026-12-20 15:00+00, 2026-12-20 16:00+00)') $$,
                 '23P01', NULL, 'the constraint holds for a direct insert too');
RESET ROLE;

-- shifts in two organizations may overlap
SELECT pg_temp.act_as('admin_b');
SELECT is(pg_temp.outcome($$ SELECT api.create_shift(pg_temp.id('venue_b'), pg_temp.id('staff_a'),
                               '2026-12-20 12:00+00', '2026-12-20 20:00+00') $$),
          'ok', 'shifts in two organizations may overlap');
SELECT is((SELECT count(*)::int FROM app.shifts WHERE org_id = pg_temp.id('org_a')), 0,
          'and one organization never reads the other''s shifts');
RESET ROLE;

-- Shapes and people.
SELECT pg_temp.act_as('manager_a');
SELECT is(pg_temp.outcome($$ SELECT api.create_shift(pg_temp.id('soho'), pg_temp.id('staff_a'),
                               '2026-12-21 10:00+00', '2026-12-22 10:00:01+00') $$),
          'PT400 invalid', 'a shift lasts at most 24 hours');
SELECT is(pg_temp.outcome($$ SELECT api.create_shift(pg_temp.id('soho'), pg_temp.id('staff_a'),
                               '2026-12-21 10:00+00', '2026-12-21 09:00+00') $$),
          'PT400 invalid', 'a shift ends after it starts');
SELECT is(pg_temp.outcome($$ SELECT api.create_shift(pg_temp.id('soho'), pg_temp.id('staff_a'),
                               '2026-12-21 10:00+00', '2026-12-21 10:00+00') $$),
          'PT400 invalid', '... not when it starts');
SELECT is(pg_temp.outcome($$ SELECT api.create_shift(pg_temp.id('soho'), pg_temp.id('outsider'),
                               '2026-12-21 10:00+00', '2026-12-21 12:00+00') $$),
          'PT400 not_a_member', 'the person must be a member of the organization');
SELECT is(pg_temp.outcome($$ SELECT api.create_shift(pg_temp.id('venue_b'), pg_temp.id('staff_a'),
                               '2026-12-21 10:00+00', '2026-12-21 12:00+00') $$),
          'PT404', 'another organization''s venue is not found');
SELECT is(pg_temp.outcome($$ SELECT api.create_shift(pg_temp.id('soho'), NULL,
                               '2026-12-21 10:00+00', '2026-12-21 12:00+00') $$),
          'PT400 required', 'a shift is someone''s');
RESET ROLE;
SELECT pg_temp.act_as('staff_a');
SELECT is(pg_temp.outcome($$ SELECT api.create_shift(pg_temp.id('soho'), pg_temp.id('staff_a'),
                               '2026-12-21 10:00+00', '2026-12-21 12:00+00') $$),
          'PT403', 'staff do not plan shifts');
SELECT is(pg_temp.outcome(format($$ SELECT api.update_shift(%L, '{"note": "mine"}') $$,
                                 (SELECT shift ->> 'id' FROM made))),
          'PT403', '... nor change them');
SELECT is(pg_temp.outcome(format($$ SELECT api.delete_shift(%L) $$, (SELECT shift ->> 'id' FROM made))),
          'PT403', '... nor delete them');
SELECT results_eq($$ SELECT display_name, starts_at FROM api.list_shifts(pg_temp.id('org_a'), '2026-12-20', '2026-12-20',
                                                                        user_id => pg_temp.id('staff_a')) $$,
                  $$ VALUES ('Sam Shift', '2026-12-20 10:00+00'::timestamptz),
                            ('Sam Shift', '2026-12-20 18:00+00'::timestamptz) $$,
                  'staff read the rota of their organization, by start');
SELECT is((SELECT count(*)::int FROM api.list_shifts(pg_temp.id('org_b'), '2026-12-20', '2026-12-20')), 1,
          '... and of each organization they work for, apart');
RESET ROLE;
SELECT pg_temp.act_as('outsider');
SELECT is((SELECT count(*)::int FROM api.list_shifts(pg_temp.id('org_a'), '2026-12-20', '2026-12-20')), 0,
          'others see no shifts');
RESET ROLE;

-- update_shift is a PATCH.
SELECT pg_temp.act_as('manager_a');
SELECT is((SELECT api.update_shift((SELECT (shift ->> 'id')::uuid FROM made), '{"ends_at": "2026-12-20T17:00:00Z"}')
                  ->> 'ends_at')::timestamptz, '2026-12-20 17:00+00'::timestamptz,
          'update_shift sets the keys present');
SELECT is((SELECT api.update_shift((SELECT (shift ->> 'id')::uuid FROM made), '{"note": null}')
                  - 'updated_at'),
          (SELECT shift - 'updated_at' || '{"note": null, "ends_at": "2026-12-20T17:00:00+00:00"}' FROM made),
          'a JSON null clears the note and absent keys keep theirs');
SELECT is(pg_temp.outcome(format($$ SELECT api.update_shift(%L, '{"org_id": "x"}') $$,
                                 (SELECT shift ->> 'id' FROM made))),
          'PT400 invalid', 'a key that may not change is refused');
SELECT is(pg_temp.outcome(format($$ SELECT api.update_shift(%L, '{"starts_at": "2026-12-20T17:30:00Z"}') $$,
                                 (SELECT shift ->> 'id' FROM made))),
          'PT400 invalid', 'a change that would end a shift before it starts is refused');
SELECT is(pg_temp.outcome(format($$ SELECT api.update_shift(%L, '{"ends_at": "2026-12-20T19:00:00Z"}') $$,
                                 (SELECT shift ->> 'id' FROM made))),
          'PT409 shift_overlap', 'a change into the next shift is refused');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
