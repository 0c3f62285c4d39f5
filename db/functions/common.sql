-- Functions shared by every area: small mechanisms each table uses the same way.
-- Declarative: the desired state, re-runnable; `tessera db diff` turns an edit into a migration.

CREATE OR REPLACE FUNCTION app.touch_updated_at()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  NEW.updated_at := pg_catalog.now();
  RETURN NEW;
END
$$;

COMMENT ON FUNCTION app.touch_updated_at() IS
'Trigger: sets updated_at to the transaction''s time on every UPDATE, so no caller can forget or forge it.';

REVOKE ALL ON FUNCTION app.touch_updated_at() FROM PUBLIC;
