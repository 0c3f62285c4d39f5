-- Deploy tessera:waivers_privileges to pg
-- requires: waivers
--
-- The waiver functions that run as their caller (managers, under RLS) need these, and nothing more:
--   waiver_templates  SELECT (the answers are whole templates), INSERT of what create_waiver_template writes,
--                     UPDATE of archived_at (archive_waiver_template; create_waiver_version locks the template row)
--   waiver_versions   SELECT, INSERT of what create_waiver_version writes, UPDATE of title and body
--                     (update_waiver_version; a trigger refuses it once signed)
-- A version's body_sha256 is generated with extensions.digest, evaluated with the inserting role's rights: where
-- Tessera made pgcrypto (the tickets change; functions it creates are not PUBLIC's) managers get EXECUTE on that one
-- function; Supabase's own pgcrypto is callable by its API roles already.
-- Signatures: no privilege; they are written and read through definer functions only. Nor the experiences' waiver
-- columns: set_experience_waiver is a definer until the catalogue's update_experience takes them.

BEGIN;

GRANT SELECT ON app.waiver_templates TO authenticated;
GRANT INSERT (org_id, name, created_by), UPDATE (archived_at) ON app.waiver_templates TO authenticated;
GRANT SELECT ON app.waiver_versions TO authenticated;
GRANT INSERT (org_id, template_id, version, title, body, created_by), UPDATE (title, body)
  ON app.waiver_versions TO authenticated;

DO $$
BEGIN
  IF pg_catalog.obj_description((SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'pgcrypto'), 'pg_extension')
     = 'tessera: HMAC and random bytes, for signed tickets' THEN
    GRANT EXECUTE ON FUNCTION extensions.digest(text, text) TO authenticated;
  END IF;
END
$$;

COMMIT;
