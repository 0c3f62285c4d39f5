-- Verify tessera:discovery on pg
--
-- Raises unless pg_trgm is installed and the search language, search vector and both indexes exist.

BEGIN;

SELECT search_language FROM app.org_settings WHERE false;
SELECT search_vector FROM app.experiences WHERE false;
SELECT NULL::app.experience_hit;
SELECT 'app.experiences_search_idx'::regclass, 'app.experiences_name_trgm_idx'::regclass,
       'app.bookings_experience_starts_idx'::regclass;

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_trgm') THEN
    RAISE EXCEPTION 'pg_trgm is not installed';
  END IF;
END
$$;

ROLLBACK;
