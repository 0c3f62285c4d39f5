-- Deploy tessera:idempotency_scope to pg
--
-- Idempotency keys are scoped to who used them (a staff member, or a widget visitor's venue and e-mail) and carry a
-- fingerprint of the request. A key was unique per organization, so replaying a guessed key through any widget of
-- the organization, with any e-mail, returned the first customer's booking. Now a key is unique per (organization,
-- scope), and a booking keeps the fingerprint of the request that made it, so that the same request gets the same
-- booking and a different one is refused. Keys of bookings made before this change have no scope and match no
-- request: nobody retries a checkout across a deploy, and guessing their old scope could reveal a booking.

BEGIN;

ALTER TABLE app.bookings
  ADD COLUMN idempotency_scope text CHECK (length(idempotency_scope) <= 400),
  ADD COLUMN request_fingerprint text CHECK (request_fingerprint ~ '^[0-9a-f]{64}$'),
  DROP CONSTRAINT bookings_org_id_idempotency_key_key,
  ADD CONSTRAINT bookings_idempotency_key_per_scope UNIQUE (org_id, idempotency_scope, idempotency_key);

COMMENT ON COLUMN app.bookings.idempotency_scope IS
  'Who used the idempotency key: ''user <id>'' for a signed-in staff member, ''venue <id> <e-mail>'' for a widget '
  'visitor. NULL without a key, and for keys of bookings made before keys were scoped (they match no request).';
COMMENT ON COLUMN app.bookings.request_fingerprint IS
  'SHA-256 (hex) of the request that made the booking with an idempotency key: a retry must match it.';

COMMIT;
