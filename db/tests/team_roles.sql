-- Roles in a team: managers and up change and remove others below their own rank (owners anyone), to at most
-- their own role; anyone may step down or leave; ownership is handed on in one step; an organization always
-- keeps an owner, whatever path writes the memberships; every change is audited.
BEGIN;
\ir setup.psql
SELECT plan(33);

\ir fixtures.psql
SELECT pg_temp.fresh('staff_two', 'soho', 'org_gone');
INSERT INTO auth.users (id, email) VALUES (pg_temp.id('staff_two'), 'two.' || left(pg_temp.id('staff_two')::text, 8) || '@example.com');
INSERT INTO app.memberships (org_id, user_id, role) VALUES (pg_temp.id('org_a'), pg_temp.id('staff_two'), 'staff');
INSERT INTO app.venues (org_id, id, name, timezone) VALUES (pg_temp.id('org_a'), pg_temp.id('soho'), 'Soho', 'Europe/London');
INSERT INTO app.shifts (org_id, venue_id, user_id, during) VALUES
  (pg_temp.id('org_a'), pg_temp.id('soho'), pg_temp.id('staff_two'), tstzrange(now() + interval '1 day', now() + interval '1 day 8 hours')),
  (pg_temp.id('org_a'), pg_temp.id('soho'), pg_temp.id('staff_two'), tstzrange(now() + interval '2 days', now() + interval '2 days 8 hours'));

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
CREATE FUNCTION pg_temp.role_of(p_name text) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER AS $$
  SELECT role::text FROM app.memberships WHERE org_id = pg_temp.id('org_a') AND user_id = pg_temp.id(p_name)
$$;
GRANT EXECUTE ON FUNCTION pg_temp.role_of(text) TO PUBLIC;

-- Changing roles -------------------------------------------------------------------------------------------------
SELECT pg_temp.act_as('manager_a');
SELECT is(api.change_member_role(pg_temp.id('org_a'), pg_temp.id('staff_a'), 'manager'),
          jsonb_build_object('org_id', pg_temp.id('org_a'), 'user_id', pg_temp.id('staff_a'), 'role', 'manager',
                             'previous_role', 'staff'),
          'a manager promotes staff to manager and is told the role before');
SELECT is(pg_temp.outcome($$ SELECT api.change_member_role(pg_temp.id('org_a'), pg_temp.id('staff_two'), 'admin') $$),
          'PT403 role_above_own', 'a manager cannot grant admin');
SELECT is(pg_temp.outcome($$ SELECT api.change_member_role(pg_temp.id('org_a'), pg_temp.id('staff_a'), 'staff') $$),
          'PT403 outranked', 'a manager cannot demote another manager');
SELECT is(pg_temp.outcome($$ SELECT api.change_member_role(pg_temp.id('org_a'), pg_temp.id('manager_a'), 'admin') $$),
          'PT403 role_above_own', 'nobody raises their own role');
SELECT is(pg_temp.outcome($$ SELECT api.change_member_role(pg_temp.id('org_a'), pg_temp.id('outsider'), 'staff') $$),
          'PT404 not_found', 'a non-member cannot be given a role');
SELECT is(pg_temp.outcome($$ SELECT api.change_member_role(pg_temp.id('org_a'), pg_temp.id('staff_two'), NULL) $$),
          'PT400 invalid', 'a role must be named');
RESET ROLE;

SELECT pg_temp.act_as('staff_two');
SELECT is(pg_temp.outcome($$ SELECT api.change_member_role(pg_temp.id('org_a'), pg_temp.id('staff_a'), 'staff') $$),
          'PT403 forbidden', 'staff cannot change anyone''s role');
RESET ROLE;
SELECT pg_temp.act_as('admin_b');
SELECT is(pg_temp.outcome($$ SELECT api.change_member_role(pg_temp.id('org_a'), pg_temp.id('staff_a'), 'staff') $$),
          'PT404 not_found', 'another organization''s admin finds no team');
RESET ROLE;

SELECT pg_temp.act_as('admin_a');
SELECT is(pg_temp.outcome($$ SELECT api.change_member_role(pg_temp.id('org_a'), pg_temp.id('owner_a'), 'admin') $$),
          'PT403 outranked', 'an admin cannot demote an owner');
SELECT is(pg_temp.outcome($$ SELECT api.change_member_role(pg_temp.id('org_a'), pg_temp.id('staff_a'), 'staff') $$),
          'ok', 'an admin demotes a manager');
SELECT is(pg_temp.outcome($$ SELECT api.change_member_role(pg_temp.id('org_a'), pg_temp.id('admin_a'), 'manager') $$),
          'ok', 'a member may step down');
SELECT is(pg_temp.role_of('admin_a'), 'manager', '... and holds the lower role');
RESET ROLE;
UPDATE app.memberships SET role = 'admin' WHERE org_id = pg_temp.id('org_a') AND user_id = pg_temp.id('admin_a');

-- The last owner -------------------------------------------------------------------------------------------------
SELECT pg_temp.act_as('owner_a');
SELECT is(pg_temp.outcome($$ SELECT api.change_member_role(pg_temp.id('org_a'), pg_temp.id('owner_a'), 'admin') $$),
          'PT409 last_owner', 'the last owner cannot be demoted');
SELECT is(pg_temp.outcome($$ SELECT api.remove_member(pg_temp.id('org_a'), pg_temp.id('owner_a')) $$),
          'PT409 last_owner', 'the last owner cannot leave');
SELECT throws_ok($$ SELECT api.remove_member(pg_temp.id('org_a'), pg_temp.id('owner_a')) $$, 'PT409',
                 'an organization needs an owner: this is its last one', '... said in words');
RESET ROLE;
SELECT throws_ok($$ DELETE FROM app.memberships WHERE org_id = pg_temp.id('org_a') AND role = 'owner' $$, 'PT409',
                 NULL, 'not even the database''s owner removes the last owner by hand');
SELECT throws_ok($$ UPDATE app.memberships SET role = 'staff' WHERE org_id = pg_temp.id('org_a') $$, 'PT409', NULL,
                 '... nor demotes everyone at once');

SELECT pg_temp.act_as('owner_a');
SELECT is(pg_temp.outcome($$ SELECT api.change_member_role(pg_temp.id('org_a'), pg_temp.id('admin_a'), 'owner') $$),
          'ok', 'an owner makes another owner');
SELECT is(pg_temp.outcome($$ SELECT api.change_member_role(pg_temp.id('org_a'), pg_temp.id('owner_a'), 'admin') $$),
          'ok', 'with another owner, an owner may step down');
RESET ROLE;

-- Handing on ownership -------------------------------------------------------------------------------------------
-- admin_a is the owner now, owner_a an admin.
SELECT pg_temp.act_as('owner_a');
SELECT is(pg_temp.outcome($$ SELECT api.transfer_ownership(pg_temp.id('org_a'), pg_temp.id('owner_a')) $$),
          'PT403 forbidden', 'only an owner hands on ownership');
RESET ROLE;
SELECT pg_temp.act_as('admin_a');
SELECT is(pg_temp.outcome($$ SELECT api.transfer_ownership(pg_temp.id('org_a'), pg_temp.id('admin_a')) $$),
          'PT400 invalid', 'an owner cannot hand ownership to themself');
SELECT is(pg_temp.outcome($$ SELECT api.transfer_ownership(pg_temp.id('org_a'), pg_temp.id('outsider')) $$),
          'PT404 not_found', '... nor to someone outside the team');
SELECT is(api.transfer_ownership(pg_temp.id('org_a'), pg_temp.id('manager_a')) ->> 'owner',
          pg_temp.id('manager_a')::text, 'an owner hands ownership to a member');
SELECT results_eq($$ SELECT pg_temp.role_of('manager_a'), pg_temp.role_of('admin_a') $$,
                  $$ VALUES ('owner', 'admin') $$, '... who is the owner, and the giver an admin, at once');
RESET ROLE;

-- Removing and leaving -------------------------------------------------------------------------------------------
SELECT pg_temp.act_as('admin_a');
SELECT is(pg_temp.outcome($$ SELECT api.remove_member(pg_temp.id('org_a'), pg_temp.id('owner_a')) $$),
          'PT403 outranked', 'an admin cannot remove another admin');
SELECT is(api.remove_member(pg_temp.id('org_a'), pg_temp.id('staff_two')),
          jsonb_build_object('org_id', pg_temp.id('org_a'), 'user_id', pg_temp.id('staff_two'), 'role', 'staff',
                             'released', jsonb_build_object('session_assignments', 0, 'shifts', 2,
                                                            'time_entries_closed', 0)),
          'an admin removes staff, whose future shifts go with them');
SELECT is(pg_temp.role_of('staff_two'), NULL, '... no longer a member');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM app.shifts WHERE user_id = pg_temp.id('staff_two')), 0,
          '... with no shift left');
SELECT pg_temp.act_as('staff_a');
SELECT is(api.remove_member(pg_temp.id('org_a'), pg_temp.id('staff_a')) ->> 'role', 'staff', 'staff may leave');
SELECT is((SELECT count(*)::int FROM api.my_organizations()), 0, '... and belong nowhere then');
RESET ROLE;

-- The audit log and the organization's end -------------------------------------------------------------------
SELECT results_eq($$ SELECT actor, old_values ->> 'role', new_values ->> 'role' FROM audit.log
                      WHERE org_id = pg_temp.id('org_a') AND table_name = 'app.memberships' AND operation = 'UPDATE'
                        AND row_id = pg_temp.id('manager_a')::text ORDER BY id $$,
                  $$ VALUES (pg_temp.id('admin_a'), 'manager', 'owner') $$,
                  'a role change is audited with who made it, before and after');
SELECT is((SELECT actor FROM audit.log WHERE org_id = pg_temp.id('org_a') AND table_name = 'app.memberships'
              AND operation = 'DELETE' AND row_id = pg_temp.id('staff_two')::text), pg_temp.id('admin_a'),
          'a removal is audited with who removed');
INSERT INTO app.organizations (id, name, slug) VALUES (pg_temp.id('org_gone'), 'Gone', pg_temp.slug('org_gone'));
INSERT INTO app.memberships (org_id, user_id, role) VALUES (pg_temp.id('org_gone'), pg_temp.id('outsider'), 'owner');
SELECT lives_ok($$ DELETE FROM app.organizations WHERE id = pg_temp.id('org_gone') $$,
                'deleting an organization deletes its members, the last owner too');

SELECT * FROM finish();
ROLLBACK;
