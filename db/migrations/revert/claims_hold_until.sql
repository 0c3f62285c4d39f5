-- Revert tessera:claims_hold_until from pg

BEGIN;

ALTER TABLE app.booking_resources DROP COLUMN held_until;

COMMIT;
