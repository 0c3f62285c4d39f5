-- Verify tessera:tenancy on pg
--
-- Raises unless the tables exist with RLS enabled and forced.

BEGIN;

-- Checks of privileges that table_privileges changed are retired; its verify checks them now.

SELECT id, name, slug, created_at, updated_at FROM app.organizations WHERE false;
SELECT org_id, user_id, role, created_at, updated_at FROM app.memberships WHERE false;
SELECT user_id, display_name, created_at, updated_at FROM app.profiles WHERE false;

DO $$
DECLARE
  t regclass;
BEGIN
  FOREACH t IN ARRAY ARRAY['app.organizations', 'app.memberships', 'app.profiles']::regclass[] LOOP
    IF NOT (SELECT relrowsecurity AND relforcerowsecurity FROM pg_catalog.pg_class WHERE oid = t) THEN
      RAISE EXCEPTION 'row-level security is not enabled and forced on %', t;
    END IF;
  END LOOP;
END
$$;

ROLLBACK;
