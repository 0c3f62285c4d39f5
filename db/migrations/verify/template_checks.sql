-- Verify tessera:template_checks on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

SELECT org_id, fingerprint, checked_at, checked_by FROM app.template_checks WHERE false;
DO $$
BEGIN
  IF NOT (SELECT relrowsecurity AND relforcerowsecurity FROM pg_catalog.pg_class
           WHERE oid = 'app.template_checks'::regclass) THEN
    RAISE EXCEPTION 'row-level security is not forced on app.template_checks';
  END IF;
END
$$;

ROLLBACK;
