-- Verify tessera:auth_inlinable on pg
--
-- Raises when a claim reader of the shim still pins its search_path (and so is never inlined).

BEGIN;

DO $verify$
BEGIN
  IF pg_catalog.obj_description(to_regnamespace('auth'), 'pg_namespace')
     IS DISTINCT FROM 'tessera shim: Supabase auth schema' THEN
    RETURN;
  END IF;
  IF EXISTS (SELECT FROM pg_catalog.pg_proc p
              WHERE p.pronamespace = 'auth'::regnamespace AND p.proname IN ('jwt', 'uid', 'role', 'email')
                AND p.proconfig IS NOT NULL) THEN
    RAISE EXCEPTION 'a claim reader of the auth shim still sets its search_path';
  END IF;
END
$verify$;

ROLLBACK;
