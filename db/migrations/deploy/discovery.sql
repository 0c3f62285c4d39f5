-- Deploy tessera:discovery to pg
-- requires: catalogue_archive
-- requires: orders_rules
-- requires: extensions
--
-- Search over experiences. pg_trgm (in schema extensions, where the platform does not already have it) matches
-- names despite typos. Each organization chooses the text search configuration its catalogue is written in
-- (org_settings.search_language, 'simple' by default: no stemming, any language; a trigger of discovery_rules
-- refuses a name that is no configuration, which a CHECK cannot look up). Each experience carries its search
-- vector, the name weighted A over the category B and the description C, in its organization's configuration: a
-- column kept by triggers (discovery_rules), not a generated column, which cannot read the organization's setting.
-- A GIN index serves the full-text match, a trigram GIN index on the name the fuzzy one; recommendations read an
-- experience's latest bookings through an index. Existing experiences get their vector here, in 'simple', without
-- touching their updated_at or the audit log (the vector is derived, not a change anyone made). The GIN indexes
-- skip the pending list (fastupdate off): a catalogue is read far more than written, and a search should not scan
-- a list of recent entries one by one, nor the planner count it and turn away from the index.

BEGIN;

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_trgm') THEN
    CREATE EXTENSION pg_trgm SCHEMA extensions;
    COMMENT ON EXTENSION pg_trgm IS 'tessera: trigram matching, for search despite typos';
  END IF;
END
$$;

ALTER TABLE app.org_settings ADD COLUMN search_language text NOT NULL DEFAULT 'simple';

COMMENT ON COLUMN app.org_settings.search_language IS
'The text search configuration the organization''s catalogue is searched with (simple, english, german, …): an existing one, by trigger (org_settings_search_language_check); ''simple'' by default.';

ALTER TABLE app.experiences ADD COLUMN search_vector tsvector NOT NULL DEFAULT ''::tsvector;

COMMENT ON COLUMN app.experiences.search_vector IS
'What search_experiences matches: the name (weight A), category (B) and description (C) in the organization''s search language; kept by triggers, never written by hand.';

ALTER TABLE app.experiences DISABLE TRIGGER USER;
UPDATE app.experiences e
   SET search_vector =
         pg_catalog.setweight(pg_catalog.to_tsvector('pg_catalog.simple', e.name), 'A')
         || pg_catalog.setweight(pg_catalog.to_tsvector('pg_catalog.simple', coalesce(e.category, '')), 'B')
         || pg_catalog.setweight(pg_catalog.to_tsvector('pg_catalog.simple', coalesce(e.description, '')), 'C');
ALTER TABLE app.experiences ENABLE TRIGGER USER;

CREATE INDEX experiences_search_idx ON app.experiences USING gin (search_vector) WITH (fastupdate = off);
CREATE INDEX experiences_name_trgm_idx ON app.experiences USING gin (name extensions.gin_trgm_ops)
  WITH (fastupdate = off);

-- What both search functions answer, one row per experience found.
CREATE TYPE app.experience_hit AS (
  experience_id    uuid,
  venue_id         uuid,
  kind             app.experience_kind,
  name             text,
  category         text,
  description      text,
  duration_minutes integer,
  min_party        integer,
  max_party        integer,
  currency         text,
  from_price_minor bigint,
  offered          boolean,
  archived_at      timestamptz,
  rank             real
);
COMMENT ON TYPE app.experience_hit IS
  'An experience as search_experiences and widget_search_experiences answer it: ids, kind, public fields, party '
  'limits, currency, lowest price now, whether it is offered, when archived, and its rank.';

-- Recommendations sample the latest bookings of an experience: an index in that order, so a busy experience costs
-- a bounded range scan, not all its bookings.
CREATE INDEX bookings_experience_starts_idx ON app.bookings (org_id, experience_id, starts_at DESC);

COMMIT;
