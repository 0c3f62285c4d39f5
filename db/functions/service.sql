-- Functions of the `service` area: what the HTTP service itself asks of the database, beyond the api schema.
-- Declarative: the file is the desired state, re-runnable; `tessera db diff` turns a change here into a migration.

CREATE OR REPLACE FUNCTION private.deployed_changes(p_registry text, p_project text)
RETURNS SETOF text
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  -- The login role may not read the Sqitch registry; this reads just the deployed change ids, for readiness.
  RETURN QUERY EXECUTE pg_catalog.format('SELECT change_id FROM %I.changes WHERE project = $1', p_registry)
    USING p_project;
EXCEPTION
  WHEN undefined_table OR invalid_schema_name THEN
    RETURN;  -- no registry yet: nothing is deployed
END
$$;

COMMENT ON FUNCTION private.deployed_changes(text, text) IS
'The ids of the changes of a Sqitch project deployed here, from the named registry schema; none when there is no
registry. For the service''s readiness check (GET /health/ready), which compares them with the plan. Its own check:
it reveals only change ids, which the plan file already publishes.';

REVOKE ALL ON FUNCTION private.deployed_changes(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.deployed_changes(text, text) TO authenticator;
