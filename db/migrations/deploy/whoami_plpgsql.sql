-- Deploy tessera:whoami_plpgsql to pg
-- requires: auth_inlinable
--
-- api.whoami in PL/pgSQL: planned once per session instead of on every call

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION api.whoami()
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE
 SET search_path TO ''
AS $function$
BEGIN
  -- PL/pgSQL: one plain expression, planned once per session (a SQL function with SET search_path is planned
  -- on every call), with the claim readers inlined into it.
  RETURN pg_catalog.jsonb_build_object(
    'role', current_user::text,
    'user_id', auth.uid(),
    'email', auth.email()
  );
END
$function$
;
REVOKE ALL ON FUNCTION api.whoami() FROM PUBLIC, anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION api.whoami() TO anon;
GRANT EXECUTE ON FUNCTION api.whoami() TO authenticated;
GRANT EXECUTE ON FUNCTION api.whoami() TO service_role;
COMMENT ON FUNCTION api.whoami() IS 'Who the database takes the caller to be: the role the request runs as (anon, authenticated or service_role),
the user id from the JWT (null when anonymous) and the email claim. Callable by every API role; raises nothing.
Handy to check that a token reaches the database as intended.';

COMMIT;
