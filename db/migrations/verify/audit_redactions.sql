-- Verify tessera:audit_redactions on pg
--
-- Raises unless the redactions list exists with RLS enabled and forced.

BEGIN;

SELECT id, org_id, log_id, request_id, sealed_digest, redacted_digest, at FROM audit.redactions WHERE false;
DO $$
BEGIN
  IF NOT (SELECT relrowsecurity AND relforcerowsecurity FROM pg_catalog.pg_class
           WHERE oid = 'audit.redactions'::regclass) THEN
    RAISE EXCEPTION 'row-level security is not enabled and forced on audit.redactions';
  END IF;
END
$$;

ROLLBACK;
