-- Deploy tessera:waivers to pg
-- requires: catalogue
-- requires: booking
-- requires: tickets
--
-- Digital waivers:
--   waiver_templates   per organization, archived instead of deleted
--   waiver_versions    a template's wordings, numbered 1, 2, …; the current one is the highest. body_sha256 is the
--                      hex SHA-256 of the body's UTF-8 bytes, generated, so it is always the hash of what is stored.
--                      A version any signature references never changes again (trigger, in the waivers_rules change)
--   waiver_signatures  one per participant of a booking (at most booking.places), kept as signed: the typed
--                      signature, date of birth, whether the database judged the participant a minor (under the
--                      venue's age of majority on the session's venue-local date), then a guardian's name and
--                      signature (required iff minor, CHECK), the client's IP and user agent, and text_sha256, the
--                      hash of the text signed. Insert-only but for erasure of personal data (trigger, in
--                      waivers_rules: an UPDATE passes only with the setting tessera.erasure = 'on' and only of
--                      participant_name, date_of_birth, guardian_name, guardian_signature, signature, client_ip and
--                      user_agent; a placeholder date of birth must still satisfy the CHECK below, e.g. 1900-01-01)
-- experiences.waiver_template_id (the waiver its bookings sign, same organization by composite FK) and
-- waiver_at_check_in (check-in refuses a participant without a signature); venues.age_of_majority (1 to 30).
-- API roles hold no privilege on these tables: waivers are read and written through SECURITY DEFINER functions.
-- Failed waiver lookups count in app.ticket_lookup_failures with failed ticket lookups: one rate limit per
-- confirmation code and e-mail, whichever function is guessing.

BEGIN;

CREATE TABLE app.waiver_templates (
  org_id      uuid        NOT NULL REFERENCES app.organizations (id) ON DELETE CASCADE,
  id          uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  name        text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  archived_at timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  uuid,
  UNIQUE (org_id, id)
);
COMMENT ON TABLE app.waiver_templates IS
  'A waiver an organization asks participants to sign, in versions (app.waiver_versions; the highest is current). '
  'Archived, never deleted, once in use.';

CREATE TABLE app.waiver_versions (
  org_id      uuid        NOT NULL,
  template_id uuid        NOT NULL,
  id          uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  version     integer     NOT NULL CHECK (version >= 1),
  title       text        NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
  body        text        NOT NULL CHECK (length(btrim(body)) >= 1 AND length(body) <= 50000),
  body_sha256 text        NOT NULL GENERATED ALWAYS AS (encode(extensions.digest(body, 'sha256'), 'hex')) STORED,
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  uuid,
  UNIQUE (template_id, version),
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, template_id) REFERENCES app.waiver_templates (org_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE app.waiver_versions IS
  'One wording of a waiver template. body_sha256: hex SHA-256 of the body (UTF-8), what a signer''s client hashes. '
  'Immutable once signed: new wording is a new version.';

CREATE TABLE app.waiver_signatures (
  org_id             uuid        NOT NULL,
  id                 uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  booking_id         uuid        NOT NULL,
  version_id         uuid        NOT NULL,
  participant_name   text        NOT NULL CHECK (length(btrim(participant_name)) BETWEEN 1 AND 200),
  date_of_birth      date        NOT NULL CHECK (date_of_birth >= DATE '1900-01-01'),
  minor              boolean     NOT NULL,
  guardian_name      text        CHECK (length(btrim(guardian_name)) BETWEEN 1 AND 200),
  guardian_signature text        CHECK (length(btrim(guardian_signature)) BETWEEN 1 AND 200),
  signature          text        NOT NULL CHECK (length(btrim(signature)) BETWEEN 1 AND 200),
  signed_at          timestamptz NOT NULL DEFAULT now(),
  client_ip          inet,
  user_agent         text        CHECK (length(user_agent) <= 1000),
  text_sha256        text        NOT NULL CHECK (text_sha256 ~ '^[0-9a-f]{64}$'),
  signed_via         text        NOT NULL CHECK (signed_via IN ('online', 'venue')),
  collected_by       uuid,
  CONSTRAINT waiver_signatures_guardian_iff_minor
    CHECK (minor = (guardian_name IS NOT NULL) AND minor = (guardian_signature IS NOT NULL)),
  CONSTRAINT waiver_signatures_collected_at_venue CHECK ((signed_via = 'venue') = (collected_by IS NOT NULL)),
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, booking_id) REFERENCES app.bookings (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, version_id) REFERENCES app.waiver_versions (org_id, id)
);
CREATE INDEX waiver_signatures_booking ON app.waiver_signatures (booking_id);
CREATE INDEX waiver_signatures_version ON app.waiver_signatures (version_id);
COMMENT ON TABLE app.waiver_signatures IS
  'A participant''s signature of a waiver version for a booking: what was signed (text_sha256), by whom, when, from '
  'where (client_ip, user_agent), online or collected at the venue by staff (collected_by). minor: under the '
  'venue''s age of majority on the session''s venue-local date, judged by the database; then a guardian signs too.';

ALTER TABLE app.experiences
  ADD COLUMN waiver_template_id uuid,
  ADD COLUMN waiver_at_check_in boolean NOT NULL DEFAULT false,
  ADD CONSTRAINT experiences_waiver_template_fkey
    FOREIGN KEY (org_id, waiver_template_id) REFERENCES app.waiver_templates (org_id, id);
CREATE INDEX experiences_waiver_template ON app.experiences (waiver_template_id)
  WHERE waiver_template_id IS NOT NULL;
COMMENT ON COLUMN app.experiences.waiver_template_id IS
  'The waiver each participant of its bookings signs (its current version), or NULL for none.';
COMMENT ON COLUMN app.experiences.waiver_at_check_in IS
  'Check-in refuses a ticket while its booking has no more waiver signatures than tickets already let in.';

ALTER TABLE app.venues
  ADD COLUMN age_of_majority smallint NOT NULL DEFAULT 18
    CONSTRAINT venues_age_of_majority_check CHECK (age_of_majority BETWEEN 1 AND 30);
COMMENT ON COLUMN app.venues.age_of_majority IS
  'A participant younger than this on the session''s venue-local date signs a waiver with a guardian.';

COMMENT ON TABLE app.ticket_lookup_failures IS
  'Failed lookups by confirmation code and e-mail (api.get_tickets, api.get_waiver, api.sign_waiver) per hour, per '
  'subject: ''code <confirmation code>'' or ''email <sha-256 hex of the lower-cased address>''.';

ALTER TABLE app.waiver_templates ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.waiver_templates FORCE ROW LEVEL SECURITY;
ALTER TABLE app.waiver_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.waiver_versions FORCE ROW LEVEL SECURITY;
ALTER TABLE app.waiver_signatures ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.waiver_signatures FORCE ROW LEVEL SECURITY;

COMMIT;
