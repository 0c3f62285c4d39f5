-- Verify tessera:waivers_audit on pg
--
-- Raises unless every waiver table has the audit trigger.

BEGIN;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['waiver_templates', 'waiver_versions', 'waiver_signatures'] LOOP
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_trigger
                    WHERE tgrelid = format('app.%I', t)::regclass AND tgname = 'audit_log') THEN
      RAISE EXCEPTION 'app.% is not audited', t;
    END IF;
  END LOOP;
END
$$;

ROLLBACK;
