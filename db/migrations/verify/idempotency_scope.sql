-- Verify tessera:idempotency_scope on pg
--
-- Raises when the columns or the scoped unique constraint are missing.

BEGIN;

SELECT idempotency_scope, request_fingerprint FROM app.bookings WHERE false;
SELECT 1 / count(*) FROM pg_catalog.pg_constraint
 WHERE conrelid = 'app.bookings'::regclass AND conname = 'bookings_idempotency_key_per_scope';

ROLLBACK;
