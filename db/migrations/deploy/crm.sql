-- Deploy tessera:crm to pg
-- requires: payments
-- requires: tickets
--
-- What the back office keeps about people and partners:
--   customers (new columns)  marketing consent, with when and where it was given or withdrawn; erased_at once the
--                            person was anonymised (api.erase_customer)
--   customer_tags            lower-cased labels staff put on a customer
--   customer_notes           notes by staff, each with its author (only the author edits or deletes it)
--   customer_requests        the privacy log: every export and erasure of a person, by whom, when, what it did
--   leads                    group and corporate enquiries: new -> contacted -> proposal -> won | lost, forward
--                            only (a trigger, db/functions/leads.sql); a won lead may become one booking
--   event_partners           vendors and sponsors of an experience or a dated session, with what was agreed

BEGIN;

ALTER TABLE app.customers
  ADD COLUMN marketing_consent        boolean     NOT NULL DEFAULT false,
  ADD COLUMN marketing_consent_at     timestamptz,
  ADD COLUMN marketing_consent_source text        CHECK (length(btrim(marketing_consent_source)) BETWEEN 1 AND 50),
  ADD COLUMN erased_at                timestamptz,
  ADD CONSTRAINT customers_consent_recorded
    CHECK ((marketing_consent_at IS NULL) = (marketing_consent_source IS NULL)
           AND (NOT marketing_consent OR marketing_consent_at IS NOT NULL));
COMMENT ON COLUMN app.customers.marketing_consent IS
  'Whether the person agreed to marketing; marketing_consent_at and _source say when and where (widget, staff, '
  'import, …) the current answer was given. NULL time and source: never asked.';
COMMENT ON COLUMN app.customers.erased_at IS
  'When the person was anonymised (api.erase_customer); their e-mail is then erased-<id>@erased.invalid.';

CREATE TABLE app.customer_tags (
  org_id      uuid        NOT NULL,
  customer_id uuid        NOT NULL,
  tag         text        NOT NULL CHECK (tag = lower(btrim(tag)) AND length(tag) BETWEEN 1 AND 50),
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, tag),
  FOREIGN KEY (org_id, customer_id) REFERENCES app.customers (org_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE app.customer_tags IS
  'Labels on a customer (lower-cased, at most 50 per customer by api.set_customer_tags).';

CREATE TABLE app.customer_notes (
  org_id      uuid        NOT NULL,
  id          uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  customer_id uuid        NOT NULL,
  author_id   uuid        NOT NULL DEFAULT auth.uid(),
  body        text        NOT NULL CHECK (length(btrim(body)) BETWEEN 1 AND 5000),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (org_id, customer_id) REFERENCES app.customers (org_id, id) ON DELETE CASCADE
);
CREATE INDEX customer_notes_customer_idx ON app.customer_notes (customer_id, created_at);
COMMENT ON TABLE app.customer_notes IS
  'A staff member''s note on a customer; staff of the organization read them, only the author changes or removes one.';

CREATE TABLE app.customer_requests (
  org_id       uuid        NOT NULL,
  id           uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  customer_id  uuid        NOT NULL,
  kind         text        NOT NULL CHECK (kind IN ('export', 'erasure')),
  requested_by uuid,
  at           timestamptz NOT NULL DEFAULT now(),
  summary      jsonb       NOT NULL DEFAULT '{}',
  FOREIGN KEY (org_id, customer_id) REFERENCES app.customers (org_id, id)
);
CREATE INDEX customer_requests_customer_idx ON app.customer_requests (customer_id, at);
COMMENT ON TABLE app.customer_requests IS
  'The privacy log: each export (GDPR access) and erasure of a customer, who asked it of the system and when; an '
  'erasure''s summary counts what it changed per table. Holds no personal value itself.';

CREATE TYPE app.lead_status AS ENUM ('new', 'contacted', 'proposal', 'won', 'lost');

CREATE TABLE app.leads (
  org_id        uuid            NOT NULL,
  id            uuid            NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  venue_id      uuid,
  experience_id uuid,
  contact_name  text            NOT NULL CHECK (length(btrim(contact_name)) BETWEEN 1 AND 200),
  company       text            CHECK (length(company) <= 200),
  email         text            CHECK (email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 320),
  phone         text            CHECK (length(phone) <= 50),
  party_size    integer         CHECK (party_size BETWEEN 1 AND 1000),
  wanted_date   date,
  status        app.lead_status NOT NULL DEFAULT 'new',
  value_minor   bigint          CHECK (value_minor >= 0),
  currency      character(3)    REFERENCES app.currencies (code),
  owner_id      uuid,
  next_step     text            CHECK (length(next_step) <= 500),
  next_step_at  timestamptz,
  notes         text            CHECK (length(notes) <= 5000),
  booking_id    uuid            UNIQUE,
  lost_reason   text            CHECK (length(lost_reason) <= 1000),
  created_by    uuid            DEFAULT auth.uid(),
  created_at    timestamptz     NOT NULL DEFAULT now(),
  updated_at    timestamptz     NOT NULL DEFAULT now(),
  UNIQUE (org_id, id),
  CONSTRAINT leads_value_has_currency CHECK (value_minor IS NULL OR currency IS NOT NULL),
  CONSTRAINT leads_booking_when_won CHECK (booking_id IS NULL OR status = 'won'),
  CONSTRAINT leads_lost_reason_when_lost CHECK (lost_reason IS NULL OR status = 'lost'),
  FOREIGN KEY (org_id, venue_id) REFERENCES app.venues (org_id, id),
  FOREIGN KEY (org_id, experience_id) REFERENCES app.experiences (org_id, id),
  FOREIGN KEY (org_id, booking_id) REFERENCES app.bookings (org_id, id),
  CONSTRAINT leads_owner_is_member FOREIGN KEY (org_id, owner_id) REFERENCES app.memberships (org_id, user_id)
    ON DELETE SET NULL (owner_id)
);
CREATE INDEX leads_org_status_idx ON app.leads (org_id, status, created_at);
COMMENT ON CONSTRAINT leads_value_has_currency ON app.leads IS
  'PT400 invalid: a lead''s value needs its currency';
COMMENT ON CONSTRAINT leads_booking_when_won ON app.leads IS 'PT409 illegal_transition: only a won lead has a booking';
COMMENT ON CONSTRAINT leads_lost_reason_when_lost ON app.leads IS
  'PT400 invalid: only a lost lead has a lost reason';
COMMENT ON CONSTRAINT leads_owner_is_member ON app.leads IS
  'PT400 invalid: a lead''s owner must be a member of the organization';
COMMENT ON TABLE app.leads IS
  'A group or corporate enquiry: new -> contacted -> proposal -> won | lost (lost from any open state), forward only; '
  'a won lead may be turned into one booking (booking_id, once).';

CREATE TABLE app.event_partners (
  org_id        uuid         NOT NULL,
  id            uuid         NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  kind          text         NOT NULL CHECK (kind IN ('vendor', 'sponsor')),
  name          text         NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  contact_name  text         CHECK (length(contact_name) <= 200),
  email         text         CHECK (email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 320),
  phone         text         CHECK (length(phone) <= 50),
  experience_id uuid,
  slot_id       uuid,
  agreed_minor  bigint       NOT NULL DEFAULT 0 CHECK (agreed_minor >= 0),
  currency      character(3) NOT NULL REFERENCES app.currencies (code),
  status        text         NOT NULL DEFAULT 'proposed'
                             CHECK (status IN ('proposed', 'confirmed', 'invoiced', 'paid', 'cancelled')),
  notes         text         CHECK (length(notes) <= 5000),
  created_at    timestamptz  NOT NULL DEFAULT now(),
  updated_at    timestamptz  NOT NULL DEFAULT now(),
  CONSTRAINT event_partners_attached CHECK (experience_id IS NOT NULL OR slot_id IS NOT NULL),
  FOREIGN KEY (org_id, experience_id) REFERENCES app.experiences (org_id, id),
  FOREIGN KEY (org_id, slot_id) REFERENCES app.slots (org_id, id)
);
CREATE INDEX event_partners_org_idx ON app.event_partners (org_id, experience_id);
COMMENT ON CONSTRAINT event_partners_attached ON app.event_partners IS
  'PT400 required: a partner belongs to an experience or a dated session (experience_id or slot_id)';
COMMENT ON TABLE app.event_partners IS
  'A vendor or sponsor of an experience or of one dated session (slot): contact, the amount agreed in minor units, '
  'status proposed -> confirmed -> invoiced -> paid, or cancelled. Managers and up only, reading too.';

ALTER TABLE app.customer_tags ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.customer_tags FORCE ROW LEVEL SECURITY;
ALTER TABLE app.customer_notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.customer_notes FORCE ROW LEVEL SECURITY;
ALTER TABLE app.customer_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.customer_requests FORCE ROW LEVEL SECURITY;
ALTER TABLE app.leads ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.leads FORCE ROW LEVEL SECURITY;
ALTER TABLE app.event_partners ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.event_partners FORCE ROW LEVEL SECURITY;

-- What the SECURITY INVOKER api functions of the area use (db/tests/schemas_table_privileges.sql lists why);
-- export, erasure and the privacy log go through definers in private.
GRANT SELECT (marketing_consent, marketing_consent_at, marketing_consent_source, erased_at),
      UPDATE (marketing_consent, marketing_consent_at, marketing_consent_source) ON app.customers TO authenticated;
GRANT SELECT, INSERT (org_id, customer_id, tag), DELETE ON app.customer_tags TO authenticated;
GRANT SELECT, INSERT (org_id, customer_id, body), UPDATE (body), DELETE ON app.customer_notes TO authenticated;
GRANT SELECT,
      INSERT (org_id, venue_id, experience_id, contact_name, company, email, phone, party_size, wanted_date,
              value_minor, currency, owner_id, next_step, next_step_at, notes),
      UPDATE (venue_id, experience_id, contact_name, company, email, phone, party_size, wanted_date, value_minor,
              currency, owner_id, next_step, next_step_at, notes, status, lost_reason, booking_id)
   ON app.leads TO authenticated;
GRANT SELECT,
      INSERT (org_id, kind, name, contact_name, email, phone, experience_id, slot_id, agreed_minor, currency, status,
              notes),
      UPDATE (kind, name, contact_name, email, phone, experience_id, slot_id, agreed_minor, currency, status, notes),
      DELETE
   ON app.event_partners TO authenticated;

COMMIT;
