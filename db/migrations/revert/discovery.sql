-- Revert tessera:discovery from pg
--
-- Drops the search indexes and columns, and pg_trgm only when this change installed it (its comment says so).

BEGIN;

DROP TYPE app.experience_hit;
DROP INDEX app.bookings_experience_starts_idx;
DROP INDEX app.experiences_name_trgm_idx;
DROP INDEX app.experiences_search_idx;
ALTER TABLE app.experiences DROP COLUMN search_vector;
ALTER TABLE app.org_settings DROP COLUMN search_language;

DO $$
BEGIN
  IF pg_catalog.obj_description((SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'pg_trgm'), 'pg_extension')
     = 'tessera: trigram matching, for search despite typos' THEN
    DROP EXTENSION pg_trgm;
  END IF;
END
$$;

COMMIT;
