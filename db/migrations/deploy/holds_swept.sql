-- Deploy tessera:holds_swept to pg
-- requires: booking_rules
-- requires: webhook_arguments
--
-- api.expire_holds skips holds another transaction has locked (a payment landing, a booking of the session expiring them, another sweep), so sweeps never wait on bookings nor deadlock with them; tessera worker sweeps on every pass, so a run-out hold's news (booking_expired, its places offered to the waitlist) goes out within a pass

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION api.expire_holds()
 RETURNS integer
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  -- A hold someone else has locked is theirs to settle (a payment landing, a booking of its session expiring it, a
  -- second sweep): skipped, never waited on, so sweeps and bookings cannot deadlock on each other.
  WITH due AS (
    SELECT b.id FROM app.bookings b
     WHERE b.status = 'pending' AND b.hold_expires_at <= pg_catalog.now()
       FOR UPDATE SKIP LOCKED
  ), expired AS (
    UPDATE app.bookings b SET status = 'expired' FROM due WHERE b.id = due.id AND b.status = 'pending'
    RETURNING 1)
  SELECT pg_catalog.count(*)::integer FROM expired
$function$
;
REVOKE ALL ON FUNCTION api.expire_holds() FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION api.expire_holds() TO authenticated;
GRANT EXECUTE ON FUNCTION api.expire_holds() TO service_role;
COMMENT ON FUNCTION api.expire_holds() IS 'Marks every pending booking whose hold has run out as expired (skipping any another transaction holds) and returns
how many. Run-out holds already count for nothing, but their expiry is news: the customer''s booking_expired message,
and the places passed to the session''s waitlist. `tessera worker` runs it on every pass. Staff affect their
organizations'' bookings; service_role all.';

COMMIT;
