-- Revert tessera:segments from pg
--
-- Drops the segment tables, the search index and the visit columns, and pg_trgm only when this change created it
-- (its comment says so).

BEGIN;

DROP TABLE app.customer_segments;
DROP TABLE app.customer_segment_runs;
DROP INDEX app.customers_search_idx;
ALTER TABLE app.customers
  DROP CONSTRAINT customers_visits_known,
  DROP COLUMN booking_count,
  DROP COLUMN first_visit_at,
  DROP COLUMN last_visit_at;

DO $$
BEGIN
  IF pg_catalog.obj_description((SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'pg_trgm'),
                                'pg_extension') = 'tessera: trigram matching, for searching customers' THEN
    DROP EXTENSION pg_trgm;
  END IF;
END
$$;

COMMIT;
