-- Revert tessera:waivers_privileges from pg
--
-- Takes back exactly the privileges the deploy gave.

BEGIN;

DO $$
BEGIN
  IF pg_catalog.obj_description((SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'pgcrypto'), 'pg_extension')
     = 'tessera: HMAC and random bytes, for signed tickets' THEN
    REVOKE EXECUTE ON FUNCTION extensions.digest(text, text) FROM authenticated;
  END IF;
END
$$;

REVOKE ALL ON app.waiver_versions FROM authenticated;
REVOKE ALL ON app.waiver_templates FROM authenticated;

COMMIT;
