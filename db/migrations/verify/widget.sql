-- Verify tessera:widget on pg
--
-- Raises unless anon may use schema private, and only use it.

BEGIN;

DO $$
BEGIN
  IF NOT has_schema_privilege('anon', 'private', 'USAGE') OR has_schema_privilege('anon', 'private', 'CREATE') THEN
    RAISE EXCEPTION 'anon must use schema private (for the widget) and create nothing there';
  END IF;
END
$$;

ROLLBACK;
