-- Deploy tessera:segments_one_pass to pg
-- requires: segments_rules
-- requires: notifications_rules
--
-- A segment refresh is one pass over the organization's customers: the three ranks are windows partitioned by whether the customer visited (no self-join), the segment and label are read by position from the 125 scores and 16 facts computed once, new and moved rows are one upsert (its conflict test a primary-key probe, where an anti-join planned on a never-analysed empty table rescanned the rows it was inserting once per customer: 62 s for 100,000), and the segments leave the audit log (derived figures rewritten by every refresh; the refresh is audited as its run row)

BEGIN;

drop trigger if exists "audit_log" on "app"."customer_segments";

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.refresh_customer_segments(p_org_id uuid, p_as_of timestamp with time zone)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  run app.customer_segment_runs;
  n_labelled integer;
  n_scored integer;
  n_changed integer;
  -- The segment of each of the 125 scores, at (r - 1) * 25 + (f - 1) * 5 + m, and the label of each of the 16
  -- label facts (visited, stale, top value, recent) at 1 + their bits, applied once each rather than per customer.
  segments constant text[] := ARRAY(SELECT private.rfm_segment(r::smallint, f::smallint, m::smallint)
                                      FROM pg_catalog.generate_series(1, 5) r, pg_catalog.generate_series(1, 5) f,
                                           pg_catalog.generate_series(1, 5) m ORDER BY r, f, m);
  labels constant text[] := ARRAY(SELECT private.customer_label(v, st, t, rc)
                                    FROM pg_catalog.unnest(ARRAY[false, true]) v,
                                         pg_catalog.unnest(ARRAY[false, true]) st,
                                         pg_catalog.unnest(ARRAY[false, true]) t,
                                         pg_catalog.unnest(ARRAY[false, true]) rc
                                   ORDER BY v, st, t, rc);
BEGIN
  -- Its own check: managers and up of the organization, or the service (the nightly job).
  IF coalesce(auth.role(), CASE WHEN session_user::text = current_user::text THEN 'service_role' END)
     = 'service_role' THEN
    IF NOT EXISTS (SELECT FROM app.organizations o WHERE o.id = p_org_id) THEN
      RAISE EXCEPTION 'organization not found' USING ERRCODE = 'PT404', DETAIL = 'not_found';
    END IF;
  ELSE
    PERFORM private.catalogue_may(p_org_id, 'manager', 'organization');
  END IF;

  -- The organization's run row, written first: a second refresh of it waits here until this one commits, then
  -- computes again from what is committed by then (the same answer when nothing changed between).
  INSERT INTO app.customer_segment_runs AS r (org_id, as_of, computed_at)
  VALUES (p_org_id, p_as_of, pg_catalog.now())
  ON CONFLICT (org_id) DO UPDATE SET as_of = excluded.as_of, computed_at = excluded.computed_at;

  -- One pass over the organization's customers, no join: the three ranks are windows over the customers with
  -- visits (the partition), and the segment and label are read from the 125-score and 16-fact tables computed
  -- once above, by position.
  WITH pop AS (
    SELECT c.id, c.last_visit_at, c.first_visit_at, c.created_at, v.visited,
           pg_catalog.count(*) OVER (PARTITION BY v.visited) AS n,
           pg_catalog.rank() OVER (PARTITION BY v.visited ORDER BY LEAST(c.last_visit_at, p_as_of) DESC) AS r_rank,
           pg_catalog.rank() OVER (PARTITION BY v.visited ORDER BY c.booking_count) AS f_rank,
           pg_catalog.rank() OVER (PARTITION BY v.visited ORDER BY c.lifetime_value_minor) AS m_rank
      FROM app.customers c, LATERAL (SELECT c.booking_count > 0 AS visited) v
     WHERE c.org_id = p_org_id AND c.erased_at IS NULL
  ), scores AS (
    -- Quintiles by rank among the n customers with visits, equal values scoring equally: frequency and monetary
    -- 1 + 5 * (customers with strictly less) / n, recency 5 - 5 * (customers with a strictly later last visit) / n
    -- (an upcoming visit counting as at as_of). Ties share the score their block's end takes where ties are
    -- common: the lowest for few visits and little money, the best for the latest visits.
    SELECT p.id, p.visited,
           CASE WHEN p.visited THEN (5 - 5 * (p.r_rank - 1) / p.n)::smallint END AS r,
           CASE WHEN p.visited THEN (1 + 5 * (p.f_rank - 1) / p.n)::smallint END AS f,
           CASE WHEN p.visited THEN (1 + 5 * (p.m_rank - 1) / p.n)::smallint END AS m,
           p.last_visit_at IS NOT NULL AS seen,
           coalesce(p.last_visit_at < p_as_of - interval '365 days', false) AS stale,
           coalesce(p.first_visit_at, p.created_at) >= p_as_of - interval '90 days' AS recent
      FROM pop p
  ), result AS (
    SELECT x.id, x.r, x.f, x.m, x.visited,
           segments[(x.r - 1) * 25 + (x.f - 1) * 5 + x.m] AS segment,
           labels[1 + x.seen::int * 8 + x.stale::int * 4 + coalesce(x.m = 5, false)::int * 2 + x.recent::int]
             AS label
      FROM scores x
  ), written AS (
    -- Customers new since the last refresh are inserted, and only rows whose figures moved are rewritten: one
    -- upsert, whose conflict test is a probe of the primary key whatever the statistics say (an anti-join planned
    -- on a never-analysed, empty table scanned the rows it was inserting once per customer).
    INSERT INTO app.customer_segments AS cs (org_id, customer_id, recency_score, frequency_score, monetary_score,
                                             segment, label)
    SELECT p_org_id, x.id, x.r, x.f, x.m, x.segment, x.label FROM result x
    ON CONFLICT (customer_id) DO UPDATE
       SET recency_score = excluded.recency_score, frequency_score = excluded.frequency_score,
           monetary_score = excluded.monetary_score, segment = excluded.segment, label = excluded.label
     WHERE (cs.recency_score, cs.frequency_score, cs.monetary_score, cs.segment, cs.label)
           IS DISTINCT FROM (excluded.recency_score, excluded.frequency_score, excluded.monetary_score,
                             excluded.segment, excluded.label)
    RETURNING 1
  ), removed AS (
    -- Erased customers leave the segments (their figures stay on the record, for the books), and so do deleted
    -- ones (no foreign key: see the segments migration).
    DELETE FROM app.customer_segments cs
     WHERE cs.org_id = p_org_id
       AND NOT EXISTS (SELECT FROM app.customers c
                        WHERE c.org_id = p_org_id AND c.id = cs.customer_id AND c.erased_at IS NULL)
    RETURNING 1
  )
  SELECT (SELECT pg_catalog.count(*) FROM result), (SELECT pg_catalog.count(*) FROM result WHERE visited),
         (SELECT pg_catalog.count(*) FROM written) + (SELECT pg_catalog.count(*) FROM removed)
    INTO n_labelled, n_scored, n_changed;

  UPDATE app.customer_segment_runs r SET customers = n_labelled, scored = n_scored
   WHERE r.org_id = p_org_id RETURNING * INTO run;
  RETURN pg_catalog.jsonb_build_object('org_id', run.org_id, 'as_of', run.as_of, 'computed_at', run.computed_at,
                                       'customers', run.customers, 'scored', run.scored,
                                       'changed', n_changed);
END
$function$
;
REVOKE ALL ON FUNCTION private.refresh_customer_segments(uuid,timestamp with time zone) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.refresh_customer_segments(uuid,timestamp with time zone) TO authenticated;
GRANT EXECUTE ON FUNCTION private.refresh_customer_segments(uuid,timestamp with time zone) TO service_role;
COMMENT ON FUNCTION private.refresh_customer_segments(uuid,timestamp with time zone) IS 'Computes every customer''s RFM scores, segment and label of p_org_id as of p_as_of for
api.refresh_customer_segments and api.refresh_all_customer_segments (which checked the arguments): managers and up
of the organization, or service_role. Refreshes of one organization run one after the other (its
app.customer_segment_runs row); bookings never wait on a refresh (it reads customers and writes only the segment
tables).';

COMMIT;
