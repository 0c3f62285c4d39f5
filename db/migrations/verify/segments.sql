-- Verify tessera:segments on pg
--
-- Raises unless customers keep their visits, pg_trgm is there, and the segment tables exist with RLS enabled and
-- forced.

BEGIN;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['customer_segments', 'customer_segment_runs'] LOOP
    IF NOT (SELECT relrowsecurity AND relforcerowsecurity FROM pg_catalog.pg_class
             WHERE oid = format('app.%I', t)::regclass) THEN
      RAISE EXCEPTION 'row-level security is not enabled and forced on app.%', t;
    END IF;
  END LOOP;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_trgm') THEN
    RAISE EXCEPTION 'pg_trgm is missing';
  END IF;
END
$$;
SELECT booking_count, first_visit_at, last_visit_at FROM app.customers WHERE false;
SELECT 'app.customers_search_idx'::regclass;
SELECT org_id, customer_id, recency_score, frequency_score, monetary_score, segment, label
  FROM app.customer_segments WHERE false;
SELECT org_id, as_of, computed_at, customers, scored FROM app.customer_segment_runs WHERE false;

ROLLBACK;
