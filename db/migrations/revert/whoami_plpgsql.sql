-- Revert tessera:whoami_plpgsql from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION api.whoami()
 RETURNS jsonb
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  SELECT pg_catalog.jsonb_build_object(
    'role', current_user::text,
    'user_id', auth.uid(),
    'email', auth.email()
  )
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
