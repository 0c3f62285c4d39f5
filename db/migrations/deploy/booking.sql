-- Deploy tessera:booking to pg
-- requires: catalogue
-- requires: schedule
--
-- Bookings that cannot oversell, enforced by the tables themselves:
--   slots               one row per experience and start, created when first booked; `taken` counts the places
--                       held by live bookings and a CHECK keeps it within capacity, so the statement that takes a
--                       place is the statement that checks there was one (row lock + CHECK, no race)
--   slot_ticket_counts  the same for each ticket type's own quota within a slot
--   booking_resources   the resources a private session occupies, from start to end plus reset buffer; an
--                       exclusion constraint forbids two live claims on one resource overlapping in time
--   bookings            one reservation: pending (holding places until hold_expires_at), confirmed, cancelled,
--                       rejected, expired, completed or no_show; counters and claims follow it by trigger
--   booking_tickets     a ticketed booking's lines (ticket type and quantity)
--   customers           per organization, one per e-mail address regardless of case
-- Only SECURITY DEFINER triggers and functions write slots, counts, lines and claims: staff read them, nobody
-- edits a counter, and no booking skips the checks of private.place_booking.

BEGIN;

CREATE TYPE app.booking_status AS ENUM
  ('pending', 'confirmed', 'cancelled', 'rejected', 'expired', 'completed', 'no_show');
COMMENT ON TYPE app.booking_status IS
  'pending -> confirmed | cancelled | rejected | expired; confirmed -> completed | cancelled | no_show.';

CREATE TABLE app.customers (
  org_id      uuid        NOT NULL REFERENCES app.organizations (id) ON DELETE CASCADE,
  id          uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  email       text        NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 320),
  email_key   text        NOT NULL GENERATED ALWAYS AS (lower(btrim(email))) STORED,
  name        text        CHECK (length(name) <= 200),
  phone       text        CHECK (length(phone) <= 50),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, email_key),
  UNIQUE (org_id, id)
);
COMMENT ON TABLE app.customers IS 'People who book, per organization; one per e-mail address, whatever its case.';

CREATE TABLE app.slots (
  org_id        uuid        NOT NULL,
  experience_id uuid        NOT NULL,
  id            uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  starts_at     timestamptz NOT NULL,
  ends_at       timestamptz NOT NULL,
  capacity      integer     NOT NULL CHECK (capacity >= 1),
  taken         integer     NOT NULL DEFAULT 0,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT slots_taken_within_capacity CHECK (taken BETWEEN 0 AND capacity),
  CHECK (starts_at < ends_at),
  UNIQUE (experience_id, starts_at),
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, experience_id) REFERENCES app.experiences (org_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE app.slots IS
  'A bookable start of an experience. capacity: groups (private session) or places (ticketed event); taken: what '
  'live bookings hold, kept by trigger, never above capacity.';

CREATE TABLE app.slot_ticket_counts (
  org_id          uuid    NOT NULL,
  slot_id         uuid    NOT NULL,
  ticket_type_id  uuid    NOT NULL,
  quota           integer NOT NULL CHECK (quota >= 0),
  taken           integer NOT NULL DEFAULT 0,
  CONSTRAINT slot_ticket_counts_taken_within_quota CHECK (taken BETWEEN 0 AND quota),
  PRIMARY KEY (slot_id, ticket_type_id),
  FOREIGN KEY (org_id, slot_id) REFERENCES app.slots (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, ticket_type_id) REFERENCES app.ticket_types (org_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE app.slot_ticket_counts IS 'Places each ticket type with its own quota holds in a slot.';

CREATE TABLE app.bookings (
  org_id            uuid               NOT NULL,
  id                uuid               NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  experience_id     uuid               NOT NULL,
  slot_id           uuid               NOT NULL,
  customer_id       uuid               NOT NULL,
  status            app.booking_status NOT NULL,
  party_size        integer            NOT NULL CHECK (party_size >= 1),
  places            integer            NOT NULL CHECK (places >= 1),
  starts_at         timestamptz        NOT NULL,
  ends_at           timestamptz        NOT NULL,
  price_minor       bigint             NOT NULL CHECK (price_minor >= 0),
  currency          char(3)            NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  hold_expires_at   timestamptz,
  confirmation_code text               NOT NULL CHECK (confirmation_code ~ '^[A-HJKMNP-Z2-9]{8}$'),
  idempotency_key   text               CHECK (length(idempotency_key) BETWEEN 1 AND 200),
  cancel_reason     text               CHECK (length(cancel_reason) <= 1000),
  refund_due_minor  bigint             CHECK (refund_due_minor >= 0),
  created_at        timestamptz        NOT NULL DEFAULT now(),
  updated_at        timestamptz        NOT NULL DEFAULT now(),
  CHECK (status <> 'pending' OR hold_expires_at IS NOT NULL),
  CHECK (starts_at < ends_at),
  UNIQUE (org_id, confirmation_code),
  UNIQUE (org_id, idempotency_key),
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, experience_id) REFERENCES app.experiences (org_id, id),
  FOREIGN KEY (org_id, slot_id) REFERENCES app.slots (org_id, id),
  FOREIGN KEY (org_id, customer_id) REFERENCES app.customers (org_id, id)
);
COMMENT ON TABLE app.bookings IS
  'A reservation of places in a slot. A pending booking holds its places until hold_expires_at; after that it '
  'counts for nothing, whether or not anything has marked it expired yet.';

CREATE TABLE app.booking_tickets (
  org_id          uuid    NOT NULL,
  booking_id      uuid    NOT NULL,
  ticket_type_id  uuid    NOT NULL,
  quantity        integer NOT NULL CHECK (quantity >= 1),
  price_minor     bigint  NOT NULL CHECK (price_minor >= 0),
  PRIMARY KEY (booking_id, ticket_type_id),
  FOREIGN KEY (org_id, booking_id) REFERENCES app.bookings (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, ticket_type_id) REFERENCES app.ticket_types (org_id, id)
);
COMMENT ON TABLE app.booking_tickets IS 'The lines of a ticketed booking: how many of which ticket type, at what unit price.';

CREATE TABLE app.booking_resources (
  org_id       uuid      NOT NULL,
  booking_id   uuid      NOT NULL,
  resource_id  uuid      NOT NULL,
  during       tstzrange NOT NULL,
  PRIMARY KEY (booking_id, resource_id),
  FOREIGN KEY (org_id, booking_id) REFERENCES app.bookings (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, resource_id) REFERENCES app.resources (org_id, id),
  CONSTRAINT booking_resources_no_overlap EXCLUDE USING gist (resource_id WITH =, during WITH &&)
);
COMMENT ON TABLE app.booking_resources IS
  'What live private-session bookings occupy, from start to end plus reset buffer; never two at once on one '
  'resource. Rows exist only while their booking is live.';

CREATE INDEX customers_org_idx ON app.customers (org_id);
CREATE INDEX slots_org_idx ON app.slots (org_id, experience_id, starts_at);
CREATE INDEX slot_ticket_counts_org_idx ON app.slot_ticket_counts (org_id, slot_id);
CREATE INDEX slot_ticket_counts_type_idx ON app.slot_ticket_counts (org_id, ticket_type_id);
CREATE INDEX bookings_org_starts_idx ON app.bookings (org_id, starts_at, id);
CREATE INDEX bookings_slot_idx ON app.bookings (org_id, slot_id);
CREATE INDEX bookings_experience_idx ON app.bookings (org_id, experience_id);
CREATE INDEX bookings_customer_idx ON app.bookings (org_id, customer_id);
CREATE INDEX booking_tickets_org_idx ON app.booking_tickets (org_id, booking_id);
CREATE INDEX booking_tickets_type_idx ON app.booking_tickets (org_id, ticket_type_id);
CREATE INDEX booking_resources_org_idx ON app.booking_resources (org_id, booking_id);
CREATE INDEX booking_resources_resource_idx ON app.booking_resources (org_id, resource_id);

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['customers', 'slots', 'slot_ticket_counts', 'bookings', 'booking_tickets',
                           'booking_resources'] LOOP
    EXECUTE format('ALTER TABLE app.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE app.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('GRANT SELECT ON app.%I TO authenticated', t);
    EXECUTE format('GRANT ALL ON app.%I TO service_role', t);
  END LOOP;
END
$$;
-- Bookings are made only through private.place_booking, so that every one passes its checks; staff move them
-- along the status machine (status and reason only: prices, times and refunds are the functions' to set).
-- Slots, counts, lines and claims are written by triggers and definer functions only.
GRANT INSERT, UPDATE, DELETE ON app.customers TO authenticated;
GRANT UPDATE (status, cancel_reason) ON app.bookings TO authenticated;

COMMIT;
