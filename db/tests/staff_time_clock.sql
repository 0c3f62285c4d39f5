-- The time clock: a person clocks themself in and out by the database's clock; one open entry per person and
-- organization and no overlapping entries are constraints (the partial unique index and the exclusion decide,
-- whichever path writes); managers correct and add entries, each recorded with its reason, before and after, in
-- an insert-only table; staff cannot correct, not even their own.
BEGIN;
\ir setup.psql
SELECT plan(31);

\ir fixtures.psql
SELECT pg_temp.fresh('soho', 'venue_b');
INSERT INTO app.venues (org_id, id, name, timezone) VALUES
  (pg_temp.id('org_a'), pg_temp.id('soho'), 'Soho', 'Europe/London'),
  (pg_temp.id('org_b'), pg_temp.id('venue_b'), 'Venue B', 'UTC');
INSERT INTO app.memberships (org_id, user_id, role) VALUES (pg_temp.id('org_b'), pg_temp.id('staff_a'), 'staff');
SELECT pg_temp.fresh('staff2_a');
INSERT INTO auth.users (id, email) VALUES (pg_temp.id('staff2_a'), 'staff2.' || left(pg_temp.id('staff2_a')::text, 8)
                                                                    || '@example.com');
INSERT INTO app.memberships (org_id, user_id, role) VALUES (pg_temp.id('org_a'), pg_temp.id('staff2_a'), 'staff');

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

SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE clocked AS SELECT api.clock_in(pg_temp.id('soho')) AS e;
GRANT SELECT ON clocked TO PUBLIC;
SELECT is((SELECT (e ->> 'user_id')::uuid FROM clocked), pg_temp.id('staff_a'), 'a member clocks themself in');
SELECT ok((SELECT e -> 'clock_out' = 'null' AND e ->> 'source' = 'clock' FROM clocked), '... into an open entry');
SELECT ok((SELECT (e ->> 'clock_in')::timestamptz BETWEEN now() AND clock_timestamp() FROM clocked),
          '... at the database''s time');
SELECT is(pg_temp.outcome($$ SELECT api.clock_in(pg_temp.id('soho')) $$), 'PT409 already_clocked_in',
          'one open clock entry at a time');
SELECT is(pg_temp.outcome($$ SELECT api.clock_in(pg_temp.id('venue_b')) $$), 'ok',
          '... per organization: another organization''s clock is its own');
RESET ROLE;
-- Two open entries also overlap, so either constraint may be the one that refuses.
SELECT matches(pg_temp.outcome($$ INSERT INTO app.time_entries (org_id, venue_id, user_id, clock_in)
                                  VALUES (pg_temp.id('org_a'), pg_temp.id('soho'), pg_temp.id('staff_a'),
                                          now() - interval '1 day') $$),
               '^23(505|P01)', 'the open entry is a constraint: a direct insert is refused too');
SELECT throws_ok($$ INSERT INTO app.time_entries (org_id, venue_id, user_id, clock_in, clock_out)
                    VALUES (pg_temp.id('org_a'), pg_temp.id('soho'), pg_temp.id('staff_a'), now() - interval '1 hour',
                            now() + interval '1 hour') $$,
                 '23P01', NULL, '... and no two entries of a person overlap');
SELECT pg_temp.act_as('outsider');
SELECT is(pg_temp.outcome($$ SELECT api.clock_in(pg_temp.id('soho')) $$), 'PT404',
          'someone who is not staff of the venue''s organization cannot clock in there');
RESET ROLE;
SELECT pg_temp.act_as('anon');
SELECT is(pg_temp.outcome($$ SELECT api.clock_in(pg_temp.id('soho')) $$), '42501', 'anon has no time clock');
RESET ROLE;

SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE out_entry AS SELECT api.clock_out(pg_temp.id('org_a')) AS e;
GRANT SELECT ON out_entry TO PUBLIC;
SELECT ok((SELECT (e ->> 'clock_out')::timestamptz > (e ->> 'clock_in')::timestamptz
                  AND e ->> 'id' = (SELECT e ->> 'id' FROM clocked) FROM out_entry),
          'clocking out closes the open entry');
SELECT is(pg_temp.outcome($$ SELECT api.clock_out(pg_temp.id('org_a')) $$), 'PT409 not_clocked_in',
          'clocking out twice is refused');
SELECT is((SELECT count(*)::int FROM app.time_entries WHERE org_id = pg_temp.id('org_b') AND clock_out IS NULL), 1,
          '... and leaves the other organization''s entry open');

-- staff cannot correct time entries
SELECT is(pg_temp.outcome(format($$ SELECT api.correct_time_entry(%L, now() - interval '3 hours', now(), 'forgot') $$,
                                 (SELECT e ->> 'id' FROM clocked))),
          'PT403', 'staff cannot correct time entries, not even their own');
SELECT is(pg_temp.outcome($$ SELECT api.add_time_entry(pg_temp.id('soho'), pg_temp.id('staff_a'),
                               now() - interval '30 hours', now() - interval '26 hours', 'forgot') $$),
          'PT403', '... nor add them');
SELECT is((SELECT count(*)::int FROM app.time_entries), 2, 'staff read their own entries');
RESET ROLE;

-- a correction keeps the before and after with its reason
SELECT pg_temp.act_as('manager_a');
CREATE TEMP TABLE corrected AS
SELECT api.correct_time_entry((SELECT (e ->> 'id')::uuid FROM clocked), '2026-11-30 09:00+00', '2026-11-30 17:30+00',
                              'clocked in late by mistake') AS c;
RESET ROLE;
SELECT results_eq($$ SELECT before_clock_in, before_clock_out, after_clock_in, after_clock_out, reason, corrected_by
                       FROM app.time_entry_corrections WHERE entry_id = (SELECT (e ->> 'id')::uuid FROM clocked) $$,
                  $$ SELECT (o.e ->> 'clock_in')::timestamptz, (o.e ->> 'clock_out')::timestamptz,
                            '2026-11-30 09:00+00'::timestamptz, '2026-11-30 17:30+00'::timestamptz,
                            'clocked in late by mistake', pg_temp.id('manager_a') FROM out_entry o $$,
                  'a correction keeps the before and after with its reason and who made it');
SELECT is((SELECT c -> 'entry' ->> 'minutes' FROM corrected), '510', 'the entry has the corrected times');
SELECT pg_temp.act_as('manager_a');
SELECT results_eq($$ SELECT user_id, minutes, corrections -> 0 ->> 'reason'
                       FROM api.list_time_entries(pg_temp.id('org_a'), '2026-11-30', '2026-11-30') $$,
                  $$ VALUES (pg_temp.id('staff_a'), 510, 'clocked in late by mistake') $$,
                  'a manager lists the entries with their corrections');
RESET ROLE;
SELECT pg_temp.act_as('staff_a');
SELECT is((SELECT corrections -> 0 ->> 'reason' FROM api.list_time_entries(pg_temp.id('org_a'), '2026-11-30',
                                                                           '2026-11-30')),
          'clocked in late by mistake', 'the person sees the corrections of their own entries');
RESET ROLE;
SELECT pg_temp.act_as('staff2_a');
SELECT is((SELECT count(*)::int FROM api.list_time_entries(pg_temp.id('org_a'), '2026-11-30', '2026-11-30')), 0,
          '... and a colleague sees neither');
RESET ROLE;
SELECT throws_ok($$ UPDATE app.time_entry_corrections SET reason = 'nothing happened' $$, 'PT409', NULL,
                 'corrections are never changed');
SELECT throws_ok($$ DELETE FROM app.time_entry_corrections $$, 'PT409', NULL, '... nor deleted');
SELECT throws_ok($$ TRUNCATE app.time_entry_corrections $$, 'PT409', NULL, '... nor truncated');

SELECT pg_temp.act_as('manager_a');
SELECT is(pg_temp.outcome($$ SELECT api.correct_time_entry((SELECT (e ->> 'id')::uuid FROM clocked),
                               now() - interval '1 hour', now() + interval '1 hour', 'later') $$),
          'PT400 out_of_range', 'a correction cannot put time in the future');
SELECT is(pg_temp.outcome($$ SELECT api.correct_time_entry((SELECT (e ->> 'id')::uuid FROM clocked),
                               now() - interval '1 hour', now() - interval '2 hours', 'backwards') $$),
          'PT400 invalid', '... nor end an entry before it starts');
SELECT is(pg_temp.outcome($$ SELECT api.correct_time_entry((SELECT (e ->> 'id')::uuid FROM clocked),
                               now() - interval '1 hour', now(), NULL) $$),
          'PT400 required', '... and needs a reason');
SELECT is(pg_temp.outcome($$ SELECT api.add_time_entry(pg_temp.id('soho'), pg_temp.id('staff_a'),
                               '2026-11-30 17:00+00', '2026-11-30 20:00+00', 'stayed late') $$),
          'PT409 overlapping_entry', 'an added entry may not overlap another');
CREATE TEMP TABLE added AS
SELECT api.add_time_entry(pg_temp.id('soho'), pg_temp.id('manager_a'), '2026-11-30 08:00+00', '2026-11-30 16:00+00',
                          'my own day, from the paper sheet') AS c;
SELECT ok((SELECT c -> 'entry' ->> 'source' = 'manager' AND c -> 'correction' -> 'before_clock_in' = 'null'
                  AND (c -> 'correction' ->> 'corrected_by')::uuid = pg_temp.id('manager_a') FROM added),
          'a manager adds an entry, their own too, recorded as a correction without a before');
SELECT is(pg_temp.outcome($$ SELECT api.add_time_entry(pg_temp.id('soho'), pg_temp.id('outsider'),
                               '2026-11-29 08:00+00', '2026-11-29 16:00+00', 'who?') $$),
          'PT400 not_a_member', 'entries are of members only');
RESET ROLE;
SELECT pg_temp.act_as('admin_b');
SELECT is(pg_temp.outcome(format($$ SELECT api.correct_time_entry(%L, now() - interval '3 hours', now(), 'x') $$,
                                 (SELECT e ->> 'id' FROM clocked))),
          'PT404', 'another organization''s entry is not found');
RESET ROLE;

-- An account deleted takes its time entries, and their corrections with them, as it takes its memberships.
DELETE FROM auth.users WHERE id = pg_temp.id('manager_a');
SELECT is((SELECT count(*)::int FROM app.time_entry_corrections WHERE entry_id = (SELECT (c -> 'entry' ->> 'id')::uuid
                                                                                   FROM added)), 0,
          'a correction goes only with its entry');

SELECT * FROM finish();
ROLLBACK;
