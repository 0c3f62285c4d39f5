-- Functions of the `team` area: inviting people into an organization, accepting, changing roles, removing members
-- and handing ownership on. Memberships and invitations are written only by the SECURITY DEFINER functions here,
-- each checking its caller; the api functions are thin invokers over them. The rules:
--   - managers and up manage the team; nobody grants a role above their own, and only owners act on someone of
--     their own rank or above (a manager cannot demote another manager, an admin cannot touch an owner);
--   - anyone may leave; an organization always keeps an owner (a trigger, whatever the path: the last owner can
--     neither leave nor be demoted, and concurrent demotions are serialised on the organization's row);
--   - an invitation's token is shown once (to the inviter, and in the invitation e-mail queued in the outbox);
--     the table keeps only its SHA-256, and accepting needs a signed-in user whose e-mail is the invited one.
-- Every change is a row change of app.memberships or app.invitations, so the audit log records who did it.

-- The rule every path keeps. ---------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.memberships_keep_an_owner()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  IF OLD.role <> 'owner' OR (TG_OP = 'UPDATE' AND NEW.role = 'owner' AND NEW.org_id = OLD.org_id) THEN
    RETURN coalesce(NEW, OLD);
  END IF;
  -- One owner change per organization at a time: two owners demoting each other both wait here, and the second
  -- counts after the first committed. NO KEY UPDATE leaves the foreign-key locks of bookings and the like alone.
  -- When the organization itself is being deleted its row is gone, and its members go with it.
  PERFORM FROM app.organizations o WHERE o.id = OLD.org_id FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RETURN coalesce(NEW, OLD);
  END IF;
  IF NOT EXISTS (SELECT FROM app.memberships m
                  WHERE m.org_id = OLD.org_id AND m.role = 'owner' AND m.user_id <> OLD.user_id) THEN
    RAISE EXCEPTION 'an organization needs an owner: this is its last one' USING ERRCODE = 'PT409',
      DETAIL = 'last_owner', HINT = 'make someone else an owner first (api.transfer_ownership)';
  END IF;
  RETURN coalesce(NEW, OLD);
END
$$;

COMMENT ON FUNCTION private.memberships_keep_an_owner() IS
'Trigger on app.memberships (before an owner''s row is demoted, moved or deleted): PT409 last_owner when no other
owner of the organization would remain. Serialised per organization (its row, FOR NO KEY UPDATE), so concurrent
demotions cannot leave none. Deleting the organization deletes its members freely.';

REVOKE ALL ON FUNCTION private.memberships_keep_an_owner() FROM PUBLIC;

CREATE OR REPLACE TRIGGER memberships_keep_an_owner
  BEFORE UPDATE OF org_id, role OR DELETE ON app.memberships
  FOR EACH ROW EXECUTE FUNCTION private.memberships_keep_an_owner();


-- Who the caller is in the team. -------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.team_role(p_org_id uuid, p_min_role app.member_role)
RETURNS app.member_role
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  PERFORM private.catalogue_may(p_org_id, p_min_role, 'team');
  RETURN (SELECT m.role FROM app.memberships m WHERE m.org_id = p_org_id AND m.user_id = auth.uid());
END
$$;

COMMENT ON FUNCTION private.team_role(uuid, app.member_role) IS
'The caller''s role in organization p_org_id, after private.catalogue_may: PT404 (team not found) for a
non-member, PT403 below p_min_role.';

REVOKE ALL ON FUNCTION private.team_role(uuid, app.member_role) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.may_grant(p_actor app.member_role, p_role app.member_role)
RETURNS void
LANGUAGE plpgsql
IMMUTABLE
SET search_path = ''
AS $$
BEGIN
  IF p_role > p_actor THEN
    RAISE EXCEPTION 'you cannot grant a role above your own (%)', p_actor USING ERRCODE = 'PT403',
      DETAIL = 'role_above_own', HINT = 'ask one of the organization''s owners';
  END IF;
END
$$;

COMMENT ON FUNCTION private.may_grant(app.member_role, app.member_role) IS
'PT403 role_above_own when p_role is above p_actor, the granting member''s own role.';

REVOKE ALL ON FUNCTION private.may_grant(app.member_role, app.member_role) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.team_member(p_org_id uuid, p_user_id uuid, p_actor app.member_role)
RETURNS app.memberships
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  member app.memberships;
BEGIN
  -- Locked: the role judged here is the role changed.
  SELECT * INTO member FROM app.memberships m WHERE m.org_id = p_org_id AND m.user_id = p_user_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'member not found' USING ERRCODE = 'PT404', DETAIL = 'not_found';
  END IF;
  IF member.user_id <> auth.uid() AND member.role >= p_actor AND p_actor <> 'owner' THEN
    RAISE EXCEPTION 'only owners may change a member of your rank or above (%)', member.role
      USING ERRCODE = 'PT403', DETAIL = 'outranked', HINT = 'ask one of the organization''s owners';
  END IF;
  RETURN member;
END
$$;

COMMENT ON FUNCTION private.team_member(uuid, uuid, app.member_role) IS
'The membership of p_user_id in p_org_id, locked for the change the caller (of role p_actor) is making: PT404 when
there is none, PT403 outranked when it is someone else''s of the caller''s rank or above and the caller is not an
owner.';

REVOKE ALL ON FUNCTION private.team_member(uuid, uuid, app.member_role) FROM PUBLIC;


-- Invitations. ---------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.invite_member(p_org_id uuid, p_email text, p_role app.member_role)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  actor      app.member_role := private.team_role(p_org_id, 'manager');
  address    text := pg_catalog.lower(pg_catalog.btrim(p_email));
  token      text;
  invitation app.invitations;
BEGIN
  -- A missing role is refused by api.invite_member's enum_arg, like any value not a role.
  IF address IS NULL THEN
    RAISE EXCEPTION 'email is required' USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  PERFORM private.may_grant(actor, p_role);
  IF EXISTS (SELECT FROM app.memberships m JOIN auth.users u ON u.id = m.user_id
              WHERE m.org_id = p_org_id AND pg_catalog.lower(u.email) = address) THEN
    RAISE EXCEPTION 'that person is already a member' USING ERRCODE = 'PT409', DETAIL = 'already_member',
      HINT = 'change their role instead (api.change_member_role)';
  END IF;
  -- Inviting again replaces the open invitation: the earlier link stops working. Invitations of one address
  -- queue here, so that of two at once the second replaces the first instead of colliding with it.
  PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('invitation:' || p_org_id || ':' || address, 0));
  UPDATE app.invitations i SET revoked_at = pg_catalog.now()
   WHERE i.org_id = p_org_id AND i.email = address AND i.accepted_at IS NULL AND i.revoked_at IS NULL;
  IF (SELECT pg_catalog.count(*) FROM app.invitations i
       WHERE i.org_id = p_org_id AND i.accepted_at IS NULL AND i.revoked_at IS NULL
         AND i.expires_at > pg_catalog.now()) >= 200 THEN
    RAISE EXCEPTION 'this organization has 200 open invitations' USING ERRCODE = 'PT409',
      DETAIL = 'too_many_invitations', HINT = 'revoke some (api.revoke_invitation) or wait for them to expire';
  END IF;
  -- 256 random bits, URL-safe; the prefix tells a leaked token for what it is.
  token := 'inv_' || pg_catalog.translate(pg_catalog.encode(extensions.gen_random_bytes(32), 'base64'), '+/=', '-_');
  INSERT INTO app.invitations (org_id, email, role, token_hash, invited_by, expires_at)
  VALUES (p_org_id, address, p_role, pg_catalog.sha256(pg_catalog.convert_to(token, 'UTF8')), auth.uid(),
          pg_catalog.now() + interval '7 days')
  RETURNING * INTO invitation;
  PERFORM private.enqueue_notification(
    p_org_id, 'invitation', address,
    (SELECT pg_catalog.jsonb_build_object(
              'timezone', 'UTC', 'org', pg_catalog.jsonb_build_object('id', o.id, 'name', o.name),
              'invitation_id', invitation.id, 'token', token, 'role', p_role, 'expires_at', invitation.expires_at,
              'organization', o.name,
              'invited_by', (SELECT p.display_name FROM app.profiles p WHERE p.user_id = auth.uid()))
       FROM app.organizations o WHERE o.id = p_org_id),
    'invitation:' || invitation.id);
  RETURN pg_catalog.jsonb_build_object('invitation_id', invitation.id, 'email', address, 'role', p_role,
                                       'expires_at', invitation.expires_at, 'token', token);
END
$$;

COMMENT ON FUNCTION private.invite_member(uuid, text, app.member_role) IS
'Invites p_email into p_org_id as p_role for api.invite_member: the token is made here, answered once and queued in
the invitation e-mail; the table keeps its SHA-256. Its own checks: the caller is a manager or above and grants no
role above their own.';

REVOKE ALL ON FUNCTION private.invite_member(uuid, text, app.member_role) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.invite_member(uuid, text, app.member_role) TO authenticated;


CREATE OR REPLACE FUNCTION api.invite_member(org_id uuid, email text, role text)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.invite_member(org_id, private.email_arg('email', email),
                               (private.enum_arg('role', ARRAY[role], 'app.member_role'))[1]::app.member_role)
$$;

COMMENT ON FUNCTION api.invite_member(uuid, text, text) IS
$$Invites a person by e-mail to join the organization as `role` (staff, manager, admin or owner) and queues the
invitation e-mail (outbox kind `invitation`, with the token). Answers {invitation_id, email, role, expires_at,
token}: the token (`inv_…`, single-use, valid 7 days) is shown only here and in the e-mail; the person signs in
with that e-mail address and calls api.accept_invitation(token). Inviting the same address again replaces the
open invitation. For managers and up, granting at most their own role. Errors: PT400 for an invalid e-mail or role;
PT403 `role_above_own`, or below manager; PT404 when the caller is not a member; PT409 `already_member`,
`too_many_invitations` (200 open).$$;

REVOKE ALL ON FUNCTION api.invite_member(uuid, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.invite_member(uuid, text, text) TO authenticated;


CREATE OR REPLACE FUNCTION private.accept_invitation(p_token text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  caller     uuid := auth.uid();
  account    jsonb;
  invitation app.invitations;
BEGIN
  IF caller IS NULL THEN
    RAISE EXCEPTION 'sign in to accept an invitation' USING ERRCODE = 'PT401';
  ELSIF p_token IS NULL THEN
    RAISE EXCEPTION 'token is required' USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  -- Locked: of two acceptances of one token, the second finds it used.
  SELECT * INTO invitation FROM app.invitations i
   WHERE i.token_hash = pg_catalog.sha256(pg_catalog.convert_to(p_token, 'UTF8'))
   FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'invitation not found' USING ERRCODE = 'PT404', DETAIL = 'not_found',
      HINT = 'check the link, or ask for a new invitation';
  ELSIF invitation.accepted_at IS NOT NULL THEN
    RAISE EXCEPTION 'this invitation has been used' USING ERRCODE = 'PT409', DETAIL = 'invitation_used';
  ELSIF invitation.revoked_at IS NOT NULL THEN
    RAISE EXCEPTION 'this invitation was withdrawn' USING ERRCODE = 'PT409', DETAIL = 'invitation_revoked',
      HINT = 'ask for a new invitation';
  ELSIF invitation.expires_at <= pg_catalog.now() THEN
    RAISE EXCEPTION 'this invitation has expired' USING ERRCODE = 'PT409', DETAIL = 'invitation_expired',
      HINT = 'ask for a new invitation';
  END IF;
  -- As a whole row: Supabase's accounts record when the address was confirmed, the shim's have no such column.
  SELECT pg_catalog.to_jsonb(u) INTO account FROM auth.users u WHERE u.id = caller;
  IF account IS NULL OR pg_catalog.lower(account ->> 'email') IS DISTINCT FROM invitation.email THEN
    RAISE EXCEPTION 'this invitation is for another e-mail address' USING ERRCODE = 'PT403',
      DETAIL = 'email_mismatch', HINT = 'sign in with the address the invitation was sent to';
  END IF;
  IF account ? 'email_confirmed_at' AND account ->> 'email_confirmed_at' IS NULL THEN
    RAISE EXCEPTION 'confirm your e-mail address first' USING ERRCODE = 'PT403', DETAIL = 'email_unconfirmed';
  END IF;
  IF EXISTS (SELECT FROM app.memberships m WHERE m.org_id = invitation.org_id AND m.user_id = caller) THEN
    RAISE EXCEPTION 'you are already a member' USING ERRCODE = 'PT409', DETAIL = 'already_member';
  END IF;
  INSERT INTO app.memberships (org_id, user_id, role) VALUES (invitation.org_id, caller, invitation.role);
  UPDATE app.invitations i SET accepted_at = pg_catalog.now(), accepted_by = caller WHERE i.id = invitation.id;
  RETURN pg_catalog.jsonb_build_object(
    'org_id', invitation.org_id, 'role', invitation.role,
    'organization', (SELECT o.name FROM app.organizations o WHERE o.id = invitation.org_id));
END
$$;

COMMENT ON FUNCTION private.accept_invitation(text) IS
'Makes the signed-in caller a member as their invitation says, for api.accept_invitation. Its own checks: the
token''s SHA-256 names an open, unexpired invitation, and the caller''s account has the invited e-mail (confirmed,
where the platform records confirmation).';

REVOKE ALL ON FUNCTION private.accept_invitation(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.accept_invitation(text) TO authenticated;


CREATE OR REPLACE FUNCTION api.accept_invitation(token text)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.accept_invitation(private.text_arg('token', token, 1, 100))
$$;

COMMENT ON FUNCTION api.accept_invitation(text) IS
$$Accepts an invitation: the signed-in caller, whose account's e-mail is the invited address, becomes a member in
the invited role. Answers {org_id, role, organization}. A token works once. For signed-in users. Errors: PT400 for
a missing or over-long token (`required`, `out_of_range`); PT401 when not signed in; PT403 `email_mismatch`
(signed in as someone else), `email_unconfirmed` (on Supabase, an unconfirmed address); PT404 for an unknown token;
PT409 `invitation_used`, `invitation_revoked`, `invitation_expired`, `already_member`.$$;

REVOKE ALL ON FUNCTION api.accept_invitation(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.accept_invitation(text) TO authenticated;


CREATE OR REPLACE FUNCTION private.invitation_answer(p_invitation app.invitations)
RETURNS jsonb
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT pg_catalog.jsonb_build_object(
    'invitation_id', p_invitation.id, 'org_id', p_invitation.org_id, 'email', p_invitation.email,
    'role', p_invitation.role, 'invited_by', p_invitation.invited_by, 'created_at', p_invitation.created_at,
    'expires_at', p_invitation.expires_at, 'accepted_at', p_invitation.accepted_at,
    'revoked_at', p_invitation.revoked_at,
    'status', CASE WHEN p_invitation.accepted_at IS NOT NULL THEN 'accepted'
                   WHEN p_invitation.revoked_at IS NOT NULL THEN 'revoked'
                   WHEN p_invitation.expires_at <= pg_catalog.now() THEN 'expired'
                   ELSE 'open' END)
$$;

COMMENT ON FUNCTION private.invitation_answer(app.invitations) IS
'An invitation as the team functions answer it: everything but the token''s hash, with its status (open, accepted,
revoked, expired).';

REVOKE ALL ON FUNCTION private.invitation_answer(app.invitations) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.revoke_invitation(p_invitation_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  invitation app.invitations;
  actor      app.member_role;
BEGIN
  SELECT * INTO invitation FROM app.invitations i WHERE i.id = p_invitation_id FOR UPDATE;
  -- An invitation of an organization the caller does not manage looks missing.
  IF NOT FOUND OR NOT invitation.org_id = ANY (private.org_ids('staff')) THEN
    RAISE EXCEPTION 'invitation not found' USING ERRCODE = 'PT404', DETAIL = 'not_found';
  END IF;
  actor := private.team_role(invitation.org_id, 'manager');
  IF invitation.role > actor THEN
    RAISE EXCEPTION 'you cannot withdraw an invitation above your own role (%)', actor USING ERRCODE = 'PT403',
      DETAIL = 'outranked', HINT = 'ask one of the organization''s owners';
  END IF;
  IF invitation.accepted_at IS NOT NULL THEN
    RAISE EXCEPTION 'this invitation has been used' USING ERRCODE = 'PT409', DETAIL = 'invitation_used',
      HINT = 'remove the member instead (api.remove_member)';
  END IF;
  UPDATE app.invitations i SET revoked_at = coalesce(i.revoked_at, pg_catalog.now())
   WHERE i.id = invitation.id RETURNING * INTO invitation;
  RETURN private.invitation_answer(invitation);
END
$$;

COMMENT ON FUNCTION private.revoke_invitation(uuid) IS
'Withdraws an open invitation for api.revoke_invitation (again: no change). Its own checks: the caller is a
manager or above of its organization and the invited role is not above their own.';

REVOKE ALL ON FUNCTION private.revoke_invitation(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.revoke_invitation(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.revoke_invitation(invitation_id uuid)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.revoke_invitation(invitation_id)
$$;

COMMENT ON FUNCTION api.revoke_invitation(uuid) IS
$$Withdraws an invitation that has not been accepted: its token stops working. Answers the invitation
{invitation_id, org_id, email, role, invited_by, created_at, expires_at, accepted_at, revoked_at, status}. For
managers and up, for invitations up to their own role. Errors: PT403 below manager or `outranked`; PT404 for an
unknown invitation or another organization's; PT409 `invitation_used`.$$;

REVOKE ALL ON FUNCTION api.revoke_invitation(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.revoke_invitation(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION private.list_invitations(p_org_id uuid, p_include_closed boolean)
RETURNS SETOF jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  PERFORM private.team_role(p_org_id, 'manager');
  RETURN QUERY
    SELECT private.invitation_answer(i) FROM app.invitations i
     WHERE i.org_id = p_org_id
       AND (p_include_closed OR (i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > pg_catalog.now()))
     ORDER BY i.created_at DESC, i.id
     LIMIT 500;
END
$$;

COMMENT ON FUNCTION private.list_invitations(uuid, boolean) IS
'The organization''s invitations for api.list_invitations, newest first (at most 500). Its own check: the caller is
a manager or above.';

REVOKE ALL ON FUNCTION private.list_invitations(uuid, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.list_invitations(uuid, boolean) TO authenticated;


CREATE OR REPLACE FUNCTION api.list_invitations(org_id uuid, include_closed boolean DEFAULT false)
RETURNS SETOF jsonb
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT * FROM private.list_invitations(org_id, coalesce(include_closed, false))
$$;

COMMENT ON FUNCTION api.list_invitations(uuid, boolean) IS
$$The organization's open invitations, newest first (with `include_closed`, also the accepted, revoked and
expired ones; at most 500), each {invitation_id, org_id, email, role, invited_by, created_at, expires_at,
accepted_at, revoked_at, status}; never a token. For managers and up. Errors: PT403 below manager; PT404 when the
caller is not a member.$$;

REVOKE ALL ON FUNCTION api.list_invitations(uuid, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.list_invitations(uuid, boolean) TO authenticated;


-- Members. ---------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.list_members(p_org_id uuid)
RETURNS TABLE (user_id uuid, email text, display_name text, role app.member_role, joined_at timestamptz)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  PERFORM private.team_role(p_org_id, 'staff');
  RETURN QUERY
    SELECT m.user_id, u.email::text, p.display_name, m.role, m.created_at
      FROM app.memberships m
      JOIN auth.users u ON u.id = m.user_id
      LEFT JOIN app.profiles p ON p.user_id = m.user_id
     WHERE m.org_id = p_org_id
     ORDER BY m.role DESC, coalesce(p.display_name, u.email), m.user_id;
END
$$;

COMMENT ON FUNCTION private.list_members(uuid) IS
'The organization''s members with their e-mail and display name, for api.list_members. Its own check: the caller
is a member (accounts are not readable by API roles).';

REVOKE ALL ON FUNCTION private.list_members(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.list_members(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.list_members(org_id uuid)
RETURNS TABLE (user_id uuid, email text, display_name text, role app.member_role, joined_at timestamptz)
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT * FROM private.list_members(org_id)
$$;

COMMENT ON FUNCTION api.list_members(uuid) IS
$$The organization's team: user_id, email, display_name (NULL without a profile), role and joined_at, owners
first. For every member. Errors: PT404 when the caller is not a member.$$;

REVOKE ALL ON FUNCTION api.list_members(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.list_members(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION private.change_member_role(p_org_id uuid, p_user_id uuid, p_role app.member_role)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  -- Stepping down is open to anyone (the last owner's trigger permitting); changing others needs a manager.
  actor  app.member_role := private.team_role(p_org_id, CASE WHEN p_user_id = auth.uid() THEN 'staff'
                                                             ELSE 'manager' END::app.member_role);
  member app.memberships := private.team_member(p_org_id, p_user_id, actor);
BEGIN
  PERFORM private.may_grant(actor, p_role);
  UPDATE app.memberships m SET role = p_role WHERE m.org_id = p_org_id AND m.user_id = p_user_id;
  RETURN pg_catalog.jsonb_build_object('org_id', p_org_id, 'user_id', p_user_id, 'role', p_role,
                                       'previous_role', member.role);
END
$$;

COMMENT ON FUNCTION private.change_member_role(uuid, uuid, app.member_role) IS
'Changes a member''s role for api.change_member_role. Its own checks: managers and up change others, below their
own rank unless owners, to at most their own role; anyone may step down.';

REVOKE ALL ON FUNCTION private.change_member_role(uuid, uuid, app.member_role) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.change_member_role(uuid, uuid, app.member_role) TO authenticated;


CREATE OR REPLACE FUNCTION api.change_member_role(org_id uuid, user_id uuid, role text)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.change_member_role(org_id, user_id,
                                    (private.enum_arg('role', ARRAY[role], 'app.member_role'))[1]::app.member_role)
$$;

COMMENT ON FUNCTION api.change_member_role(uuid, uuid, text) IS
$$Gives a member another role (staff, manager, admin or owner). Answers {org_id, user_id, role, previous_role}.
Managers and up change others: only members below their own rank (owners change anyone), to at most their own
role; any member may step down their own role. The last owner cannot be demoted. Errors: PT400 for an invalid
role; PT403 `role_above_own`, `outranked`, or below manager; PT404 when the caller or the person is not a member;
PT409 `last_owner`.$$;

REVOKE ALL ON FUNCTION api.change_member_role(uuid, uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.change_member_role(uuid, uuid, text) TO authenticated;


CREATE OR REPLACE FUNCTION private.remove_member(p_org_id uuid, p_user_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  -- Anyone may leave; removing someone else needs a manager.
  actor    app.member_role := private.team_role(p_org_id, CASE WHEN p_user_id = auth.uid() THEN 'staff'
                                                               ELSE 'manager' END::app.member_role);
  member   app.memberships := private.team_member(p_org_id, p_user_id, actor);
  released jsonb;
BEGIN
  -- First for the counts; the membership's own trigger then finds nothing left to release.
  released := private.drop_future_staff_work(p_org_id, p_user_id);
  DELETE FROM app.memberships m WHERE m.org_id = p_org_id AND m.user_id = p_user_id;
  RETURN pg_catalog.jsonb_build_object('org_id', p_org_id, 'user_id', p_user_id, 'role', member.role,
                                       'released', released);
END
$$;

COMMENT ON FUNCTION private.remove_member(uuid, uuid) IS
'Removes a member for api.remove_member, releasing their future staff work. Its own checks: a member may leave;
managers and up remove others below their own rank (owners anyone).';

REVOKE ALL ON FUNCTION private.remove_member(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.remove_member(uuid, uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.remove_member(org_id uuid, user_id uuid)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.remove_member(org_id, user_id)
$$;

COMMENT ON FUNCTION api.remove_member(uuid, uuid) IS
$$Removes a member from the organization (or, with the caller's own user_id, leaves it). Their shifts and session
assignments that have not started go, an open time entry ends now; worked time stays. Answers {org_id, user_id,
role, released: {session_assignments, shifts, time_entries_closed}}. Managers and up remove members below their
own rank (owners anyone). The last owner cannot leave. Errors: PT403 `outranked` or below manager; PT404 when the
caller or the person is not a member; PT409 `last_owner`.$$;

REVOKE ALL ON FUNCTION api.remove_member(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.remove_member(uuid, uuid) TO authenticated;


CREATE OR REPLACE FUNCTION private.transfer_ownership(p_org_id uuid, p_user_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  caller uuid := auth.uid();
  actor  app.member_role := private.team_role(p_org_id, 'owner');
  member app.memberships := private.team_member(p_org_id, p_user_id, actor);
BEGIN
  IF member.user_id = caller THEN
    RAISE EXCEPTION 'you already own this organization' USING ERRCODE = 'PT400', DETAIL = 'invalid',
      HINT = 'name the member who should own it';
  END IF;
  -- The new owner first, so the organization is never without one.
  UPDATE app.memberships m SET role = 'owner' WHERE m.org_id = p_org_id AND m.user_id = p_user_id;
  UPDATE app.memberships m SET role = 'admin' WHERE m.org_id = p_org_id AND m.user_id = caller;
  RETURN pg_catalog.jsonb_build_object('org_id', p_org_id, 'owner', p_user_id, 'previous_owner', caller,
                                       'previous_owner_role', 'admin', 'new_owner_previous_role', member.role);
END
$$;

COMMENT ON FUNCTION private.transfer_ownership(uuid, uuid) IS
'Hands the caller''s ownership to another member for api.transfer_ownership. Its own check: the caller is an
owner.';

REVOKE ALL ON FUNCTION private.transfer_ownership(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.transfer_ownership(uuid, uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.transfer_ownership(org_id uuid, user_id uuid)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.transfer_ownership(org_id, user_id)
$$;

COMMENT ON FUNCTION api.transfer_ownership(uuid, uuid) IS
$$Hands ownership to another member: they become an owner and the caller an admin, in one transaction. Answers
{org_id, owner, previous_owner, previous_owner_role, new_owner_previous_role}. For owners. Errors: PT400 when
naming oneself; PT403 below owner; PT404 when the caller or the person is not a member.$$;

REVOKE ALL ON FUNCTION api.transfer_ownership(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.transfer_ownership(uuid, uuid) TO authenticated;
