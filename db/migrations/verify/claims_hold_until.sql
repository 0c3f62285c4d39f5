-- Verify tessera:claims_hold_until on pg
--
-- Raises when the column is missing.

BEGIN;

SELECT held_until FROM app.booking_resources WHERE false;

ROLLBACK;
