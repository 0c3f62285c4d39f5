-- Deploy tessera:catalogue to pg
-- requires: tenancy
-- requires: extensions
-- requires: catalogue_checks
--
-- What a venue offers. Every table carries org_id and every reference between them includes it (and, inside a
-- venue, venue_id), so an experience can only use rooms of its own venue and nothing can point into another
-- organization: the keys themselves refuse it.
--   venues            a place with an IANA time zone; wall-clock rules are read in that zone
--   venue_hours       weekly opening intervals, several per weekday, venue-local, never overlapping
--   venue_closures    closed periods (holidays, maintenance), as instants
--   resources         rooms, game masters, equipment of a venue
--   experiences       what is sold: private sessions (one group at a time, on resources) or ticketed events
--   experience_resources  the resources a private session occupies
--   price_tiers       per-person or per-group prices by party size
--   ticket_types      ticket types of a ticketed event: price, quota, sales window, per-order maximum
--   schedules         weekly start times (venue-local) that generate slots
-- Money is integer minor units with an ISO 4217 currency; times are timestamptz, wall clocks are `time`.

BEGIN;

CREATE TYPE app.resource_kind AS ENUM ('room', 'staff', 'equipment');
CREATE TYPE app.experience_kind AS ENUM ('private_session', 'ticketed_event');
CREATE TYPE app.pricing_mode AS ENUM ('per_group', 'per_person');
-- Opening hours are wall-clock intervals within a day; a range type lets an exclusion constraint forbid overlaps.
-- Its constructors are functions, and new functions are executable by nobody: whoever writes hours needs them.
CREATE TYPE app.timerange AS RANGE (subtype = time);
GRANT EXECUTE ON FUNCTION app.timerange(time, time), app.timerange(time, time, text) TO authenticated, service_role;

CREATE TABLE app.venues (
  org_id        uuid        NOT NULL REFERENCES app.organizations (id) ON DELETE CASCADE,
  id            uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  name          text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  timezone      text        NOT NULL CHECK (private.is_iana_timezone(timezone)),
  address_line  text        CHECK (length(address_line) <= 500),
  city          text        CHECK (length(city) <= 200),
  postal_code   text        CHECK (length(postal_code) <= 20),
  country_code  char(2)     CHECK (country_code ~ '^[A-Z]{2}$'),
  embed_key     text        NOT NULL UNIQUE DEFAULT private.new_embed_key(),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id)
);
COMMENT ON TABLE app.venues IS 'A place where experiences happen; its IANA time zone governs every wall-clock rule.';
COMMENT ON COLUMN app.venues.embed_key IS 'Public key of the booking widget: random, unique, rotatable.';

CREATE TABLE app.venue_hours (
  org_id    uuid     NOT NULL,
  venue_id  uuid     NOT NULL,
  id        uuid     NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  weekday   smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),  -- ISO: 1 = Monday
  opens     time     NOT NULL,
  closes    time     NOT NULL,
  CHECK (opens < closes),
  FOREIGN KEY (org_id, venue_id) REFERENCES app.venues (org_id, id) ON DELETE CASCADE,
  EXCLUDE USING gist (venue_id WITH =, weekday WITH =, app.timerange(opens, closes) WITH &&)
);
COMMENT ON TABLE app.venue_hours IS
  'Weekly opening intervals in the venue''s wall clock (ISO weekday, 1 = Monday); an interval ends before '
  'midnight (24:00 allowed), so late nights are two intervals.';

CREATE TABLE app.venue_closures (
  org_id    uuid      NOT NULL,
  venue_id  uuid      NOT NULL,
  id        uuid      NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  during    tstzrange NOT NULL CHECK (NOT isempty(during) AND NOT lower_inf(during) AND NOT upper_inf(during)),
  reason    text      CHECK (length(reason) <= 500),
  FOREIGN KEY (org_id, venue_id) REFERENCES app.venues (org_id, id) ON DELETE CASCADE
);
CREATE INDEX venue_closures_during_idx ON app.venue_closures USING gist (venue_id, during);
COMMENT ON TABLE app.venue_closures IS 'Periods a venue is closed (holidays, maintenance): no slot starts in them.';

CREATE TABLE app.resources (
  org_id    uuid              NOT NULL,
  venue_id  uuid              NOT NULL,
  id        uuid              NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  kind      app.resource_kind NOT NULL,
  name      text              NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  active    boolean           NOT NULL DEFAULT true,
  created_at timestamptz      NOT NULL DEFAULT now(),
  updated_at timestamptz      NOT NULL DEFAULT now(),
  UNIQUE (org_id, id),
  UNIQUE (org_id, venue_id, id),
  FOREIGN KEY (org_id, venue_id) REFERENCES app.venues (org_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE app.resources IS 'Rooms, game masters and equipment of a venue that private sessions occupy.';

CREATE TABLE app.experiences (
  org_id                uuid                NOT NULL,
  venue_id              uuid                NOT NULL,
  id                    uuid                NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  kind                  app.experience_kind NOT NULL,
  name                  text                NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  description           text                CHECK (length(description) <= 5000),
  duration_minutes      integer             NOT NULL CHECK (duration_minutes BETWEEN 1 AND 1440),
  buffer_minutes        integer             NOT NULL DEFAULT 0 CHECK (buffer_minutes BETWEEN 0 AND 1440),
  min_party             integer             NOT NULL DEFAULT 1 CHECK (min_party >= 1),
  max_party             integer             NOT NULL CHECK (max_party >= min_party),
  capacity              integer             CHECK (capacity >= 1),
  pricing_mode          app.pricing_mode    NOT NULL DEFAULT 'per_person',
  currency              char(3)             NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  min_notice            interval            NOT NULL DEFAULT '0 minutes' CHECK (min_notice >= '0 minutes'),
  max_advance           interval            NOT NULL DEFAULT '90 days' CHECK (max_advance > '0 minutes'),
  hold_minutes          integer             NOT NULL DEFAULT 15 CHECK (hold_minutes BETWEEN 1 AND 1440),
  requires_payment      boolean             NOT NULL DEFAULT true,
  full_refund_before    interval            NOT NULL DEFAULT '48 hours' CHECK (full_refund_before >= '0 minutes'),
  late_refund_percent   integer             NOT NULL DEFAULT 0 CHECK (late_refund_percent BETWEEN 0 AND 100),
  active                boolean             NOT NULL DEFAULT true,
  created_at            timestamptz         NOT NULL DEFAULT now(),
  updated_at            timestamptz         NOT NULL DEFAULT now(),
  UNIQUE (org_id, id),
  UNIQUE (org_id, venue_id, id),
  FOREIGN KEY (org_id, venue_id) REFERENCES app.venues (org_id, id) ON DELETE CASCADE,
  -- A ticketed event sells places out of a shared capacity; a private session is one group at a time.
  CHECK ((kind = 'ticketed_event') = (capacity IS NOT NULL))
);
COMMENT ON TABLE app.experiences IS
  'What is sold. private_session: one group per slot on its resources, with a reset buffer after each session. '
  'ticketed_event: dated sessions whose capacity its ticket types share.';

CREATE TABLE app.experience_resources (
  org_id        uuid NOT NULL,
  venue_id      uuid NOT NULL,
  experience_id uuid NOT NULL,
  resource_id   uuid NOT NULL,
  PRIMARY KEY (experience_id, resource_id),
  FOREIGN KEY (org_id, venue_id, experience_id) REFERENCES app.experiences (org_id, venue_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, venue_id, resource_id) REFERENCES app.resources (org_id, venue_id, id) ON DELETE CASCADE
);
CREATE INDEX experience_resources_resource_idx ON app.experience_resources (resource_id);
COMMENT ON TABLE app.experience_resources IS
  'The resources a private session occupies while it runs (all of them, plus its buffer); same venue by key.';

CREATE TABLE app.price_tiers (
  org_id        uuid    NOT NULL,
  experience_id uuid    NOT NULL,
  id            uuid    NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  min_party     integer NOT NULL CHECK (min_party >= 1),
  max_party     integer NOT NULL CHECK (max_party >= min_party),
  price_minor   bigint  NOT NULL CHECK (price_minor >= 0),
  FOREIGN KEY (org_id, experience_id) REFERENCES app.experiences (org_id, id) ON DELETE CASCADE,
  EXCLUDE USING gist (experience_id WITH =, int4range(min_party, max_party, '[]') WITH &&)
);
COMMENT ON TABLE app.price_tiers IS
  'Price by party size (per person or per group, as the experience says), in minor units of its currency.';

CREATE TABLE app.ticket_types (
  org_id         uuid        NOT NULL,
  experience_id  uuid        NOT NULL,
  id             uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  name           text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  price_minor    bigint      NOT NULL CHECK (price_minor >= 0),
  quota          integer     CHECK (quota >= 0),
  sales_start    timestamptz,
  sales_end      timestamptz,
  per_order_max  integer     NOT NULL DEFAULT 10 CHECK (per_order_max >= 1),
  active         boolean     NOT NULL DEFAULT true,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, experience_id) REFERENCES app.experiences (org_id, id) ON DELETE CASCADE,
  CHECK (sales_start IS NULL OR sales_end IS NULL OR sales_start < sales_end)
);
COMMENT ON TABLE app.ticket_types IS
  'Ticket types of a ticketed event: price, optional own quota per session, sales window, per-order maximum.';

CREATE TABLE app.schedules (
  org_id        uuid     NOT NULL,
  experience_id uuid     NOT NULL,
  id            uuid     NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  weekday       smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
  start_time    time     NOT NULL,
  valid_from    date     NOT NULL,
  valid_until   date     CHECK (valid_until >= valid_from),
  FOREIGN KEY (org_id, experience_id) REFERENCES app.experiences (org_id, id) ON DELETE CASCADE,
  UNIQUE (experience_id, weekday, start_time, valid_from)
);
COMMENT ON TABLE app.schedules IS
  'Weekly start times in the venue''s wall clock (ISO weekday) between two dates: 19:00 stays 19:00 across DST.';

-- Policies filter on org_id; composite keys above index their leading columns only.
CREATE INDEX venues_org_idx ON app.venues (org_id);
CREATE INDEX venue_hours_venue_idx ON app.venue_hours (org_id, venue_id);
CREATE INDEX venue_closures_org_idx ON app.venue_closures (org_id, venue_id);
CREATE INDEX resources_org_idx ON app.resources (org_id, venue_id);
CREATE INDEX experiences_org_idx ON app.experiences (org_id, venue_id);
CREATE INDEX experience_resources_org_idx ON app.experience_resources (org_id, venue_id, experience_id);
CREATE INDEX experience_resources_resource_fk_idx ON app.experience_resources (org_id, venue_id, resource_id);
CREATE INDEX price_tiers_org_idx ON app.price_tiers (org_id, experience_id);
CREATE INDEX ticket_types_org_idx ON app.ticket_types (org_id, experience_id);
CREATE INDEX schedules_org_idx ON app.schedules (org_id, experience_id);

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['venues', 'venue_hours', 'venue_closures', 'resources', 'experiences',
                           'experience_resources', 'price_tiers', 'ticket_types', 'schedules'] LOOP
    EXECUTE format('ALTER TABLE app.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE app.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON app.%I TO authenticated', t);
    EXECUTE format('GRANT ALL ON app.%I TO service_role', t);
  END LOOP;
END
$$;

COMMIT;
