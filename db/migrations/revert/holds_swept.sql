-- Revert tessera:holds_swept from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION api.expire_holds()
 RETURNS integer
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  WITH expired AS (
    UPDATE app.bookings b SET status = 'expired'
     WHERE b.status = 'pending' AND b.hold_expires_at <= pg_catalog.now()
    RETURNING 1)
  SELECT pg_catalog.count(*)::integer FROM expired
$function$
;
REVOKE ALL ON FUNCTION api.expire_holds() FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION api.expire_holds() TO authenticated;
GRANT EXECUTE ON FUNCTION api.expire_holds() TO service_role;
COMMENT ON FUNCTION api.expire_holds() IS 'Marks every pending booking whose hold has run out as expired and returns how many. Tidying only: run-out holds
already count for nothing. Staff affect their organizations'' bookings; service_role all.';

COMMIT;
