-- Deploy tessera:waitlist to pg
-- requires: notifications_rules
--
-- The waitlist of a sold-out session. An entry waits for one session (a slot: org_id in every key, composite
-- foreign keys carrying it), for a party of 1 to 1000, with the customer's contact (name, e-mail kept lower-case,
-- the form it is compared in, an optional phone; the entry belongs to the organization's customer record, made or
-- matched by e-mail on joining, so the person's data is found and erased with it) and their consent to be
-- contacted (required, with its time).
-- Entries are served in order of arrival (created_at, id). Its status: waiting -> offered -> booked | expired, or
-- left (the customer) / cancelled (staff). An offer is one held booking (a pending booking with its hold, counted
-- against capacity by the booking area's own counters) and its expiry: an offered entry has exactly one hold, a
-- booked one the booking it became, a waiting one none, an ended one the hold of its last offer (history); one
-- booking is the offer of one entry at most. One active
-- (waiting or offered) entry per e-mail and session. The entry's token (answered once when joining) and the
-- current offer's token (in the offer message) are stored as their SHA-256 only. The organization's settings say
-- how long an offer holds its places (waitlist_offer_ttl, 5 minutes to 7 days, default 30 minutes). Nobody reads
-- or writes entries but the waitlist functions (SECURITY DEFINER, with their own checks): RLS is enabled and
-- forced with no policy, and no API role holds a privilege on the table.

BEGIN;

CREATE TABLE app.waitlist_entries (
  org_id           uuid        NOT NULL REFERENCES app.organizations (id) ON DELETE CASCADE,
  id               uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  slot_id          uuid        NOT NULL,
  customer_id      uuid        NOT NULL,
  party_size       integer     NOT NULL CONSTRAINT waitlist_entries_party_size_check
                               CHECK (party_size BETWEEN 1 AND 1000),
  name             text        NOT NULL CONSTRAINT waitlist_entries_name_check
                               CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  email            text        NOT NULL CONSTRAINT waitlist_entries_email_check
                               CHECK (email = lower(btrim(email)) AND email ~ '^[^@\s]+@[^@\s]+$'
                                      AND length(email) BETWEEN 3 AND 320),
  phone            text        CONSTRAINT waitlist_entries_phone_check CHECK (length(phone) BETWEEN 1 AND 50),
  consent          boolean     NOT NULL CONSTRAINT waitlist_entries_consent_check CHECK (consent),
  consented_at     timestamptz NOT NULL,
  status           text        NOT NULL DEFAULT 'waiting' CONSTRAINT waitlist_entries_status_check
                               CHECK (status IN ('waiting', 'offered', 'booked', 'expired', 'cancelled', 'left')),
  token_hash       bytea       NOT NULL UNIQUE CONSTRAINT waitlist_entries_token_hash_check
                               CHECK (length(token_hash) = 32),
  booking_id       uuid,
  offer_token_hash bytea       UNIQUE CONSTRAINT waitlist_entries_offer_token_hash_check
                               CHECK (length(offer_token_hash) = 32),
  offer_expires_at timestamptz,
  offers           integer     NOT NULL DEFAULT 0 CONSTRAINT waitlist_entries_offers_check CHECK (offers >= 0),
  offered_at       timestamptz,
  ended_at         timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id),
  CONSTRAINT waitlist_entries_booking_unique UNIQUE (org_id, booking_id),
  FOREIGN KEY (org_id, slot_id) REFERENCES app.slots (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, customer_id) REFERENCES app.customers (org_id, id),
  FOREIGN KEY (org_id, booking_id) REFERENCES app.bookings (org_id, id),
  -- An offered entry has exactly one hold, its expiry and its token; a booked one keeps the booking it became; a
  -- waiting one has none; an ended one (expired, left, cancelled) keeps the hold its last offer was, if any, as
  -- history, with no live token.
  CONSTRAINT waitlist_entries_offer_check CHECK (
    CASE status
      WHEN 'offered' THEN booking_id IS NOT NULL AND offer_expires_at IS NOT NULL AND offer_token_hash IS NOT NULL
                          AND offers >= 1
      WHEN 'booked' THEN booking_id IS NOT NULL AND offer_token_hash IS NULL AND offers >= 1
      WHEN 'waiting' THEN booking_id IS NULL AND offer_expires_at IS NULL AND offer_token_hash IS NULL
      ELSE offer_token_hash IS NULL AND (booking_id IS NULL) = (offers = 0)
    END),
  CONSTRAINT waitlist_entries_ended_check CHECK ((status IN ('waiting', 'offered')) = (ended_at IS NULL))
);
COMMENT ON TABLE app.waitlist_entries IS
  'Customers waiting for places in a sold-out session, served in order (created_at, id). status: waiting, offered '
  '(booking_id is the held booking, until offer_expires_at), booked (booking_id is theirs), expired, cancelled, '
  'left. Tokens are stored as their SHA-256 only. offers counts the offers made to the entry.';
CREATE UNIQUE INDEX waitlist_entries_one_active ON app.waitlist_entries (org_id, slot_id, email)
  WHERE status IN ('waiting', 'offered');
CREATE INDEX waitlist_entries_queue_idx ON app.waitlist_entries (org_id, slot_id, created_at, id)
  WHERE status = 'waiting';
CREATE INDEX waitlist_entries_slot_idx ON app.waitlist_entries (org_id, slot_id);
CREATE INDEX waitlist_entries_customer_idx ON app.waitlist_entries (org_id, customer_id);

ALTER TABLE app.waitlist_entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.waitlist_entries FORCE ROW LEVEL SECURITY;

ALTER TABLE app.org_settings
  ADD COLUMN waitlist_offer_ttl interval NOT NULL DEFAULT interval '30 minutes'
  CONSTRAINT org_settings_waitlist_offer_ttl_check
  CHECK (waitlist_offer_ttl BETWEEN interval '5 minutes' AND interval '7 days');

COMMIT;
