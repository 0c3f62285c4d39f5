-- Verify tessera:booking_message on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that fn_org_joins changed are retired; its verify checks them now.

-- Checks of functions that plpgsql_check_clean changed are retired; its verify checks them now.

-- Checks of functions that booking_message_planned changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'private.invite_member(uuid,text,app.member_role)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.invite_member(uuid,text,app.member_role)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.invite_member(uuid,text,app.member_role)';
  END IF;
END
$verify$;

ROLLBACK;
