-- Deploy tessera:service_readiness to pg
-- requires: profile_and_window
--
-- private.deployed_changes for the service's readiness check, callable by the login role

BEGIN;

SET LOCAL check_function_bodies = off;

-- The login role reaches this one helper; it holds no other privilege in private.
GRANT USAGE ON SCHEMA private TO authenticator;

CREATE OR REPLACE FUNCTION private.deployed_changes(p_registry text, p_project text)
 RETURNS SETOF text
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
BEGIN
  -- The login role may not read the Sqitch registry; this reads just the deployed change ids, for readiness.
  RETURN QUERY EXECUTE pg_catalog.format('SELECT change_id FROM %I.changes WHERE project = $1', p_registry)
    USING p_project;
EXCEPTION
  WHEN undefined_table OR invalid_schema_name THEN
    RETURN;  -- no registry yet: nothing is deployed
END
$function$
;
REVOKE ALL ON FUNCTION private.deployed_changes(text,text) FROM PUBLIC, authenticator;
GRANT EXECUTE ON FUNCTION private.deployed_changes(text,text) TO authenticator;
COMMENT ON FUNCTION private.deployed_changes(text,text) IS 'The ids of the changes of a Sqitch project deployed here, from the named registry schema; none when there is no
registry. For the service''s readiness check (GET /health/ready), which compares them with the plan. Its own check:
it reveals only change ids, which the plan file already publishes.';

COMMIT;
