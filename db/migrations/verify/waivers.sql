-- Verify tessera:waivers on pg
--
-- Raises unless the waiver tables exist with forced RLS, a version's hash is generated from its body, a guardian is
-- required iff minor, and the experience and venue settings exist.

BEGIN;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['waiver_templates', 'waiver_versions', 'waiver_signatures'] LOOP
    IF NOT (SELECT relrowsecurity AND relforcerowsecurity FROM pg_catalog.pg_class
             WHERE oid = format('app.%I', t)::regclass) THEN
      RAISE EXCEPTION 'row-level security is not enabled and forced on app.%', t;
    END IF;
  END LOOP;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_attribute
                  WHERE attrelid = 'app.waiver_versions'::regclass AND attname = 'body_sha256' AND attgenerated = 's')
  THEN
    RAISE EXCEPTION 'a waiver version''s hash is not generated from its body';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_constraint WHERE conname = 'waiver_signatures_guardian_iff_minor') THEN
    RAISE EXCEPTION 'a minor''s signature does not require a guardian';
  END IF;
  PERFORM waiver_template_id, waiver_at_check_in FROM app.experiences WHERE false;
  PERFORM age_of_majority FROM app.venues WHERE false;
END
$$;

ROLLBACK;
