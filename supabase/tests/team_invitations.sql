-- Invitations: managers and up invite by e-mail, granting at most their own role; the token is answered once and
-- queued in the invitation e-mail, the table keeps its SHA-256 only, and the audit log neither; the invited
-- address (confirmed, where the platform records it) accepts it once, before it expires, unless withdrawn or
-- replaced by a newer invitation.
BEGIN;
\ir setup.psql
SELECT plan(40);

\ir fixtures.psql
SELECT pg_temp.fresh('invitee', 'other_invitee');
INSERT INTO auth.users (id, email)
SELECT id, 'Invitee.' || left(id::text, 8) || '@Example.com' FROM fx WHERE name IN ('invitee', 'other_invitee');
INSERT INTO app.profiles (user_id, display_name) VALUES (pg_temp.id('manager_a'), 'Mona Manager');

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

-- The invitee's address as a user would type it, and the answers kept by name.
CREATE FUNCTION pg_temp.address(p_name text) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT 'invitee.' || left(pg_temp.id(p_name)::text, 8) || '@example.com'
$$;
GRANT EXECUTE ON FUNCTION pg_temp.address(text) TO PUBLIC;
CREATE TEMP TABLE answers (name text PRIMARY KEY, answer jsonb NOT NULL);
GRANT ALL ON answers TO PUBLIC;
CREATE FUNCTION pg_temp.token(p_name text) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT answer ->> 'token' FROM pg_temp.answers WHERE name = p_name
$$;
GRANT EXECUTE ON FUNCTION pg_temp.token(text) TO PUBLIC;

-- Inviting -----------------------------------------------------------------------------------------------------
SELECT pg_temp.act_as('manager_a');
INSERT INTO answers SELECT 'first', api.invite_member(pg_temp.id('org_a'), '  ' || upper(pg_temp.address('invitee')),
                                                      'staff');
SELECT is((SELECT answer ->> 'email' FROM answers WHERE name = 'first'), pg_temp.address('invitee'),
          'a manager invites someone by e-mail, kept lower-case and trimmed');
SELECT ok(pg_temp.token('first') ~ '^inv_[A-Za-z0-9_-]{43}$', '... and is shown a 256-bit URL-safe token once');
SELECT ok((SELECT (answer ->> 'expires_at')::timestamptz BETWEEN now() + interval '7 days' - interval '1 minute'
                                                             AND now() + interval '7 days'
             FROM answers WHERE name = 'first'), '... valid for seven days');
SELECT is(pg_temp.outcome($$ SELECT api.invite_member(pg_temp.id('org_a'), 'someone@example.com', 'owner') $$),
          'PT403 role_above_own', 'a manager cannot invite an owner');
SELECT is(pg_temp.outcome($$ SELECT api.invite_member(pg_temp.id('org_a'), 'someone@example.com', 'admin') $$),
          'PT403 role_above_own', '... nor an admin');
SELECT is(pg_temp.outcome($$ SELECT api.invite_member(pg_temp.id('org_a'), 'someone@example.com', 'manager') $$),
          'ok', '... but another manager');
SELECT is(pg_temp.outcome($$ SELECT api.invite_member(pg_temp.id('org_a'),
                               'staff_a.' || left(pg_temp.id('staff_a')::text, 8) || '@EXAMPLE.com', 'staff') $$),
          'PT409 already_member', 'a member cannot be invited again');
SELECT throws_ok($$ SELECT api.invite_member(pg_temp.id('org_a'), 'not an address', 'staff') $$, 'PT400',
                 'email must be an e-mail address, like name@example.com', 'an e-mail that is not one is refused');
SELECT throws_ok($$ SELECT api.invite_member(pg_temp.id('org_a'), 'x@example.com', 'boss') $$, 'PT400',
                 'role must be one of staff, manager, admin, owner, not ''boss''', 'an unknown role is refused');
SELECT is(pg_temp.outcome($$ SELECT api.invite_member(pg_temp.id('org_a'), NULL, 'staff') $$), 'PT400 required',
          'an invitation needs an e-mail');
RESET ROLE;

SELECT pg_temp.act_as('admin_a');
SELECT is(pg_temp.outcome($$ SELECT api.invite_member(pg_temp.id('org_a'), 'someone@example.com', 'owner') $$),
          'PT403 role_above_own', 'an admin cannot invite an owner');
RESET ROLE;
SELECT pg_temp.act_as('staff_a');
SELECT is(pg_temp.outcome($$ SELECT api.invite_member(pg_temp.id('org_a'), 'someone@example.com', 'staff') $$),
          'PT403 forbidden', 'staff cannot invite');
RESET ROLE;
SELECT pg_temp.act_as('admin_b');
SELECT is(pg_temp.outcome($$ SELECT api.invite_member(pg_temp.id('org_a'), 'someone@example.com', 'staff') $$),
          'PT404 not_found', 'another organization''s admin finds no team to invite into');
RESET ROLE;

-- What is kept ---------------------------------------------------------------------------------------------------
SELECT is((SELECT token_hash FROM app.invitations WHERE id = (SELECT (answer ->> 'invitation_id')::uuid
                                                                  FROM answers WHERE name = 'first')),
          sha256(convert_to(pg_temp.token('first'), 'UTF8')), 'the invitation keeps the token''s SHA-256');
SELECT is((SELECT count(*)::int FROM app.invitations i
            WHERE i.org_id = pg_temp.id('org_a')
              AND position(pg_temp.token('first') IN to_jsonb(i)::text) > 0), 0, '... and never the token');
SELECT results_eq($$ SELECT kind, recipient, data ->> 'token', data ->> 'invited_by', data ->> 'organization'
                      FROM app.notifications_outbox WHERE org_id = pg_temp.id('org_a') AND kind = 'invitation'
                       AND recipient = pg_temp.address('invitee') $$,
                  $$ VALUES ('invitation', pg_temp.address('invitee'), pg_temp.token('first'), 'Mona Manager',
                             'Org A') $$,
                  'the invitation e-mail is queued once, with the token, the inviter and the organization');

-- Accepting ------------------------------------------------------------------------------------------------------
SELECT pg_temp.act_as('other_invitee');
SELECT is(pg_temp.outcome($$ SELECT api.accept_invitation(pg_temp.token('first')) $$), 'PT403 email_mismatch',
          'someone signed in with another address cannot accept it');
SELECT is(pg_temp.outcome($$ SELECT api.accept_invitation('inv_' || repeat('A', 43)) $$), 'PT404 not_found',
          'an unknown token finds no invitation');
SELECT is(pg_temp.outcome($$ SELECT api.accept_invitation(NULL) $$), 'PT400 required', 'a token must be given');
SELECT throws_ok($$ SELECT api.accept_invitation(repeat('A', 101)) $$, 'PT400',
                 'token is 1 to 100 characters long, not 101', 'an over-long token is refused before any lookup');
RESET ROLE;

-- On Supabase an account records when its address was confirmed; an unconfirmed one cannot accept.
ALTER TABLE auth.users ADD COLUMN email_confirmed_at timestamptz;
SELECT pg_temp.act_as('invitee');
SELECT is(pg_temp.outcome($$ SELECT api.accept_invitation(pg_temp.token('first')) $$), 'PT403 email_unconfirmed',
          'an account whose e-mail is not confirmed cannot accept');
RESET ROLE;
UPDATE auth.users SET email_confirmed_at = now() WHERE id = pg_temp.id('invitee');

SELECT pg_temp.act_as('invitee');
INSERT INTO answers SELECT 'accepted', api.accept_invitation(pg_temp.token('first'));
SELECT is((SELECT answer FROM answers WHERE name = 'accepted'),
          jsonb_build_object('org_id', pg_temp.id('org_a'), 'role', 'staff', 'organization', 'Org A'),
          'the invited address accepts and is told where it belongs');
SELECT results_eq($$ SELECT org_id, role::text FROM api.my_organizations() $$,
                  $$ VALUES (pg_temp.id('org_a'), 'staff') $$, '... a member now, in the invited role');
SELECT is(pg_temp.outcome($$ SELECT api.accept_invitation(pg_temp.token('first')) $$), 'PT409 invitation_used',
          'a token works once');
RESET ROLE;
SELECT pg_temp.act_as('anon');
SELECT throws_ok($$ SELECT api.accept_invitation(pg_temp.token('first')) $$, '42501', NULL,
                 'anon cannot accept invitations');
RESET ROLE;

-- Replacing, withdrawing, expiring ----------------------------------------------------------------------------
SELECT pg_temp.act_as('manager_a');
INSERT INTO answers SELECT 'older', api.invite_member(pg_temp.id('org_a'), pg_temp.address('other_invitee'), 'staff');
INSERT INTO answers SELECT 'newer', api.invite_member(pg_temp.id('org_a'), pg_temp.address('other_invitee'),
                                                      'manager');
SELECT results_eq($$ SELECT email, role::text, status FROM api.list_invitations(pg_temp.id('org_a')) i,
                             jsonb_to_record(i) AS r(email text, role text, status text)
                       WHERE email = pg_temp.address('other_invitee') $$,
                  $$ VALUES (pg_temp.address('other_invitee'), 'manager', 'open') $$,
                  'inviting the same address again leaves one open invitation, the newer');
SELECT ok(NOT EXISTS (SELECT FROM api.list_invitations(pg_temp.id('org_a'), true) i
                       WHERE i ? 'token' OR i ? 'token_hash'), 'invitations are listed without token or hash');
SELECT is((SELECT i ->> 'status' FROM api.list_invitations(pg_temp.id('org_a'), true) i
            WHERE i ->> 'invitation_id' = (SELECT answer ->> 'invitation_id' FROM answers WHERE name = 'first')),
          'accepted', 'the accepted invitation is listed as such among the closed ones');
RESET ROLE;
SELECT pg_temp.act_as('other_invitee');
SELECT is(pg_temp.outcome($$ SELECT api.accept_invitation(pg_temp.token('older')) $$), 'PT409 invitation_revoked',
          'the replaced invitation''s token stops working');
RESET ROLE;

SELECT pg_temp.act_as('staff_a');
SELECT is(pg_temp.outcome($$ SELECT api.revoke_invitation((SELECT (answer ->> 'invitation_id')::uuid
                                                            FROM pg_temp.answers WHERE name = 'newer')) $$),
          'PT403 forbidden', 'staff cannot withdraw an invitation');
SELECT is(pg_temp.outcome($$ SELECT api.list_invitations(pg_temp.id('org_a')) $$), 'PT403 forbidden',
          'staff cannot list invitations');
RESET ROLE;
SELECT pg_temp.act_as('admin_b');
SELECT is(pg_temp.outcome($$ SELECT api.revoke_invitation((SELECT (answer ->> 'invitation_id')::uuid
                                                            FROM pg_temp.answers WHERE name = 'newer')) $$),
          'PT404 not_found', 'another organization''s invitation looks missing');
RESET ROLE;
SELECT pg_temp.act_as('manager_a');
SELECT is((SELECT api.revoke_invitation((answer ->> 'invitation_id')::uuid) ->> 'status' FROM answers
            WHERE name = 'newer'), 'revoked', 'a manager withdraws an open invitation');
RESET ROLE;
SELECT pg_temp.act_as('other_invitee');
SELECT is(pg_temp.outcome($$ SELECT api.accept_invitation(pg_temp.token('newer')) $$), 'PT409 invitation_revoked',
          'a withdrawn invitation cannot be accepted');
RESET ROLE;

SELECT pg_temp.act_as('admin_a');
INSERT INTO answers SELECT 'late', api.invite_member(pg_temp.id('org_a'), pg_temp.address('other_invitee'), 'staff');
RESET ROLE;
UPDATE app.invitations SET created_at = now() - interval '8 days', expires_at = now() - interval '1 day'
 WHERE id = (SELECT (answer ->> 'invitation_id')::uuid FROM answers WHERE name = 'late');
SELECT pg_temp.act_as('other_invitee');
SELECT is(pg_temp.outcome($$ SELECT api.accept_invitation(pg_temp.token('late')) $$), 'PT409 invitation_expired',
          'an expired invitation cannot be accepted');
SELECT is((SELECT count(*)::int FROM api.my_organizations()), 0, '... and none of these made a membership');
RESET ROLE;

-- The audit log ----------------------------------------------------------------------------------------------------
SELECT is((SELECT count(*)::int FROM audit.log l
            WHERE l.org_id = pg_temp.id('org_a') AND l.table_name = 'app.invitations' AND l.operation = 'INSERT'), 5,
          'every invitation is in the audit log');
SELECT is((SELECT count(*)::int FROM audit.log l
            WHERE l.org_id = pg_temp.id('org_a')
              AND (l.new_values ? 'token_hash' OR l.old_values ? 'token_hash'
                   OR position(pg_temp.token('first') IN coalesce(l.new_values::text, '')) > 0
                   OR position(pg_temp.token('newer') IN coalesce(l.new_values::text, '')) > 0)), 0,
          '... without its token or its hash, in the invitation or in the queued e-mail');
SELECT results_eq($$ SELECT actor, new_values ->> 'role' FROM audit.log
                      WHERE org_id = pg_temp.id('org_a') AND table_name = 'app.memberships' AND operation = 'INSERT'
                        AND row_id = pg_temp.id('invitee')::text $$,
                  $$ VALUES (pg_temp.id('invitee'), 'staff') $$, 'the membership an acceptance made is audited');
SELECT is((SELECT count(*)::int FROM audit.log WHERE org_id = pg_temp.id('org_a') AND table_name = 'app.notifications_outbox'
              AND new_values -> 'data' ? 'invitation_id'), 0,
          'the queued e-mails stay out of the audit log (the invitations are in it), and their links with them');

SELECT * FROM finish();
ROLLBACK;
