-- Functions of the `roles` area: what the database knows about the caller.
-- Declarative: the file is the desired state, re-runnable on a database that already has it; `tessera db diff`
-- turns a change here into a migration, and `tessera db check` proves the two agree.

CREATE OR REPLACE FUNCTION api.whoami()
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
BEGIN
  -- PL/pgSQL: one plain expression, planned once per session (a SQL function with SET search_path is planned
  -- on every call), with the claim readers inlined into it.
  RETURN pg_catalog.jsonb_build_object(
    'role', current_user::text,
    'user_id', auth.uid(),
    'email', auth.email()
  );
END
$$;

COMMENT ON FUNCTION api.whoami() IS
$$Who the database takes the caller to be: the role the request runs as (anon, authenticated or service_role),
the user id from the JWT (null when anonymous) and the email claim. Callable by every API role; raises nothing.
Handy to check that a token reaches the database as intended.$$;

REVOKE ALL ON FUNCTION api.whoami() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.whoami() TO anon, authenticated, service_role;
