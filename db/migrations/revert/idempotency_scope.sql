-- Revert tessera:idempotency_scope from pg
--
-- Fails, changing nothing, when two scopes of one organization have used the same key since: which booking would
-- keep it is not for a revert to guess.

BEGIN;

ALTER TABLE app.bookings
  DROP CONSTRAINT bookings_idempotency_key_per_scope,
  DROP COLUMN request_fingerprint,
  DROP COLUMN idempotency_scope,
  ADD CONSTRAINT bookings_org_id_idempotency_key_key UNIQUE (org_id, idempotency_key);

COMMIT;
