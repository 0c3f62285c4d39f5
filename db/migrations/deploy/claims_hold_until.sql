-- Deploy tessera:claims_hold_until to pg
-- requires: whoami_plpgsql
--
-- A room claim of a pending booking stops counting when the hold runs out. Availability reads every claim over its
-- window; carrying the deadline on the claim spares it a booking lookup per claim. bookings_sync keeps it equal to
-- the booking's (NULL for any other live status); this change fills it for the claims already there.

BEGIN;

ALTER TABLE app.booking_resources ADD COLUMN held_until timestamptz;
COMMENT ON COLUMN app.booking_resources.held_until IS
  'The hold deadline of a pending booking''s claim (after it the claim counts for nothing); NULL once confirmed.';

UPDATE app.booking_resources br SET held_until = b.hold_expires_at
  FROM app.bookings b
 WHERE b.id = br.booking_id AND b.status = 'pending';

COMMIT;
