-- Verify tessera:waivers_privileges on pg
--
-- Raises unless managers can write templates and versions as themselves (their hash generated with digest).

BEGIN;

DO $$
BEGIN
  IF NOT (has_table_privilege('authenticated', 'app.waiver_templates', 'SELECT')
          AND has_column_privilege('authenticated', 'app.waiver_templates', 'archived_at', 'UPDATE')
          AND has_column_privilege('authenticated', 'app.waiver_versions', 'body', 'INSERT')
          AND has_column_privilege('authenticated', 'app.waiver_versions', 'body', 'UPDATE')
          AND has_function_privilege('authenticated', 'extensions.digest(text, text)', 'EXECUTE')) THEN
    RAISE EXCEPTION 'the waiver functions lack the privileges they run with';
  END IF;
END
$$;

ROLLBACK;
