-- Verify tessera:team_rules on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that webhook_secret_overlap_rules changed are retired; its verify checks them now.

-- Checks of functions that audit_platform_org changed are retired; its verify checks them now.

-- Checks of functions that booking_message changed are retired; its verify checks them now.

-- Checks of functions that notifications_rules changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'api.accept_invitation(text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.accept_invitation(text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.accept_invitation(text)';
  END IF;
  PERFORM 'api.change_member_role(uuid,uuid,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.change_member_role(uuid,uuid,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.change_member_role(uuid,uuid,text)';
  END IF;
  PERFORM 'api.invite_member(uuid,text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.invite_member(uuid,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.invite_member(uuid,text,text)';
  END IF;
  PERFORM 'api.list_invitations(uuid,boolean)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.list_invitations(uuid,boolean)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.list_invitations(uuid,boolean)';
  END IF;
  PERFORM 'api.list_members(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.list_members(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.list_members(uuid)';
  END IF;
  PERFORM 'api.remove_member(uuid,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.remove_member(uuid,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.remove_member(uuid,uuid)';
  END IF;
  PERFORM 'api.revoke_invitation(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.revoke_invitation(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.revoke_invitation(uuid)';
  END IF;
  PERFORM 'api.transfer_ownership(uuid,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.transfer_ownership(uuid,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.transfer_ownership(uuid,uuid)';
  END IF;
  PERFORM 'private.accept_invitation(text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.accept_invitation(text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.accept_invitation(text)';
  END IF;
  PERFORM 'private.change_member_role(uuid,uuid,app.member_role)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.change_member_role(uuid,uuid,app.member_role)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.change_member_role(uuid,uuid,app.member_role)';
  END IF;
  PERFORM 'private.invitation_answer(app.invitations)'::pg_catalog.regprocedure;
  PERFORM 'private.list_invitations(uuid,boolean)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.list_invitations(uuid,boolean)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.list_invitations(uuid,boolean)';
  END IF;
  PERFORM 'private.list_members(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.list_members(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.list_members(uuid)';
  END IF;
  PERFORM 'private.may_grant(app.member_role,app.member_role)'::pg_catalog.regprocedure;
  PERFORM 'private.memberships_keep_an_owner()'::pg_catalog.regprocedure;
  PERFORM 'private.remove_member(uuid,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.remove_member(uuid,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.remove_member(uuid,uuid)';
  END IF;
  PERFORM 'private.revoke_invitation(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.revoke_invitation(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.revoke_invitation(uuid)';
  END IF;
  PERFORM 'private.team_member(uuid,uuid,app.member_role)'::pg_catalog.regprocedure;
  PERFORM 'private.team_role(uuid,app.member_role)'::pg_catalog.regprocedure;
  PERFORM 'private.transfer_ownership(uuid,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.transfer_ownership(uuid,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.transfer_ownership(uuid,uuid)';
  END IF;
END
$verify$;

ROLLBACK;
