-- Verify tessera:caller_once on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that availability_answers changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'api.my_organizations()'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.my_organizations()', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.my_organizations()';
  END IF;
  PERFORM 'private.co_member_ids()'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.co_member_ids()', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.co_member_ids()';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.co_member_ids()', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.co_member_ids()';
  END IF;
  PERFORM 'private.is_super_admin()'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.is_super_admin()', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.is_super_admin()';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.is_super_admin()', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.is_super_admin()';
  END IF;
  PERFORM 'private.org_ids(app.member_role)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.org_ids(app.member_role)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.org_ids(app.member_role)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.org_ids(app.member_role)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.org_ids(app.member_role)';
  END IF;
END
$verify$;

ROLLBACK;
