-- Deploy tessera:tickets to pg
-- requires: booking
-- requires: extensions
--
-- Signed tickets and check-in:
--   ticket_keys             per organization, HMAC-SHA256 keys with a key id (kid); the newest unretired key signs,
--                           every unretired key verifies, so keys rotate while tickets already sent stay valid
--   tickets                 one per attendee place of a confirmed booking (seat_no 1..n), valid -> revoked only;
--                           its QR payload is computed from the row and its key, never stored
--   check_ins               at most one per ticket (UNIQUE ticket_id), with the scanner's nonce so that a
--                           scanner's retry gets the same answer
--   ticket_lookup_failures  failed api.get_tickets lookups per confirmation code and per e-mail and hour, for the
--                           rate limit (e-mails kept only as a SHA-256)
-- Nobody but SECURITY DEFINER functions reads or writes them: API roles hold no privilege on these tables, and a
-- key's secret never leaves the functions that sign and verify. pgcrypto (Supabase has it in `extensions`) gives
-- hmac() and gen_random_bytes(); created here only where missing, and marked so that revert drops only its own.

BEGIN;

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pgcrypto') THEN
    CREATE EXTENSION pgcrypto SCHEMA extensions;
    COMMENT ON EXTENSION pgcrypto IS 'tessera: HMAC and random bytes, for signed tickets';
  END IF;
END
$$;

CREATE TABLE app.ticket_keys (
  org_id     uuid        NOT NULL REFERENCES app.organizations (id) ON DELETE CASCADE,
  kid        smallint    NOT NULL CHECK (kid >= 1),
  secret     bytea       NOT NULL CHECK (length(secret) = 32),
  created_at timestamptz NOT NULL DEFAULT now(),
  retired_at timestamptz,
  PRIMARY KEY (org_id, kid)
);
COMMENT ON TABLE app.ticket_keys IS
  'Ticket signing keys per organization: the newest unretired key signs new tickets, every unretired key verifies. '
  'Secrets never leave SECURITY DEFINER functions.';

CREATE TABLE app.tickets (
  org_id         uuid        NOT NULL,
  id             uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  booking_id     uuid        NOT NULL,
  slot_id        uuid        NOT NULL,
  venue_id       uuid        NOT NULL,
  seat_no        integer     NOT NULL CHECK (seat_no BETWEEN 1 AND 1000),
  ticket_type_id uuid,
  valid_from     timestamptz NOT NULL,
  valid_until    timestamptz NOT NULL,
  kid            smallint    NOT NULL,
  status         text        NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'revoked')),
  revoked_at     timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (valid_from < valid_until),
  CHECK ((status = 'revoked') = (revoked_at IS NOT NULL)),
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, booking_id) REFERENCES app.bookings (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, slot_id) REFERENCES app.slots (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, venue_id) REFERENCES app.venues (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, ticket_type_id) REFERENCES app.ticket_types (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, kid) REFERENCES app.ticket_keys (org_id, kid)
);
-- One valid ticket per attendee place; a rescheduled booking's tickets are revoked and issued anew.
CREATE UNIQUE INDEX tickets_one_valid_per_place ON app.tickets (booking_id, seat_no) WHERE status = 'valid';
CREATE INDEX tickets_booking ON app.tickets (booking_id);
COMMENT ON TABLE app.tickets IS
  'One ticket per attendee place of a confirmed booking, for its slot at its venue, valid from valid_from to '
  'valid_until, signed with key kid. status moves valid -> revoked only (cancelled, rejected, expired or '
  'rescheduled bookings).';

CREATE TABLE app.check_ins (
  org_id        uuid        NOT NULL,
  ticket_id     uuid        NOT NULL UNIQUE,
  scanner_nonce text        NOT NULL CHECK (length(scanner_nonce) BETWEEN 1 AND 200),
  checked_in_by uuid        NOT NULL,
  checked_in_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (org_id, ticket_id) REFERENCES app.tickets (org_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE app.check_ins IS
  'A ticket let in at the door: at most one per ticket, with the scanning staff member and the scanner''s nonce.';

CREATE TABLE app.ticket_lookup_failures (
  subject  text        NOT NULL CHECK (length(subject) <= 100),
  hour     timestamptz NOT NULL,
  failures integer     NOT NULL DEFAULT 1 CHECK (failures >= 1),
  PRIMARY KEY (subject, hour)
);
COMMENT ON TABLE app.ticket_lookup_failures IS
  'Failed api.get_tickets lookups per hour, per subject: ''code <confirmation code>'' or ''email <sha-256 hex of '
  'the lower-cased address>''.';

ALTER TABLE app.ticket_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.ticket_keys FORCE ROW LEVEL SECURITY;
ALTER TABLE app.tickets ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.tickets FORCE ROW LEVEL SECURITY;
ALTER TABLE app.check_ins ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.check_ins FORCE ROW LEVEL SECURITY;
ALTER TABLE app.ticket_lookup_failures ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.ticket_lookup_failures FORCE ROW LEVEL SECURITY;

COMMIT;
