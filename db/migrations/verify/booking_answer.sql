-- Verify tessera:booking_answer on pg
--
-- Raises when the type is missing.

BEGIN;

SELECT NULL::app.booking_answer;

ROLLBACK;
