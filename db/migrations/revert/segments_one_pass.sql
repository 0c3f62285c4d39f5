-- Revert tessera:segments_one_pass from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

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
  n_removed integer;
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

  WITH pop AS (
    SELECT c.id, c.created_at, c.booking_count, c.first_visit_at, c.last_visit_at, c.lifetime_value_minor
      FROM app.customers c
     WHERE c.org_id = p_org_id AND c.erased_at IS NULL
  ), ranked AS (
    -- Quintiles by rank among the n customers with visits, equal values scoring equally: frequency and monetary
    -- 1 + 5 * (customers with strictly less) / n, recency 5 - 5 * (customers with a strictly later last visit) / n
    -- (an upcoming visit counting as at as_of). Ties share the score their block's end takes where ties are
    -- common: the lowest for few visits and little money, the best for the latest visits.
    SELECT p.id, pg_catalog.count(*) OVER () AS n,
           pg_catalog.rank() OVER (ORDER BY LEAST(p.last_visit_at, p_as_of) DESC) AS r_rank,
           pg_catalog.rank() OVER (ORDER BY p.booking_count) AS f_rank,
           pg_catalog.rank() OVER (ORDER BY p.lifetime_value_minor) AS m_rank
      FROM pop p WHERE p.booking_count > 0
  ), scores AS (
    SELECT x.id, (5 - 5 * (x.r_rank - 1) / x.n)::smallint AS r, (1 + 5 * (x.f_rank - 1) / x.n)::smallint AS f,
           (1 + 5 * (x.m_rank - 1) / x.n)::smallint AS m
      FROM ranked x
  ), facts AS (
    SELECT p.id, s.r, s.f, s.m, p.last_visit_at IS NOT NULL AS visited,
           coalesce(p.last_visit_at < p_as_of - interval '365 days', false) AS stale,
           coalesce(s.m = 5, false) AS top_value,
           coalesce(p.first_visit_at, p.created_at) >= p_as_of - interval '90 days' AS recent
      FROM pop p LEFT JOIN scores s ON s.id = p.id
  ), result AS (
    -- The rules are applied to the 125 scores and the 16 label facts once each, then joined.
    SELECT x.id, x.r, x.f, x.m, g.segment, l.label
      FROM facts x
      LEFT JOIN (SELECT r::smallint AS r, f::smallint AS f, m::smallint AS m,
                        private.rfm_segment(r::smallint, f::smallint, m::smallint) AS segment
                   FROM pg_catalog.generate_series(1, 5) r, pg_catalog.generate_series(1, 5) f,
                        pg_catalog.generate_series(1, 5) m) g ON g.r = x.r AND g.f = x.f AND g.m = x.m
      JOIN (SELECT v, st, t, rc, private.customer_label(v, st, t, rc) AS label
              FROM pg_catalog.unnest(ARRAY[true, false]) v, pg_catalog.unnest(ARRAY[true, false]) st,
                   pg_catalog.unnest(ARRAY[true, false]) t, pg_catalog.unnest(ARRAY[true, false]) rc) l
        ON l.v = x.visited AND l.st = x.stale AND l.t = x.top_value AND l.rc = x.recent
  ), updated AS (
    -- Only rows whose figures moved are written; customers new since the last refresh are inserted (a customer
    -- belongs to one organization, whose refreshes run one at a time: nothing else inserts these rows).
    UPDATE app.customer_segments cs
       SET recency_score = x.r, frequency_score = x.f, monetary_score = x.m, segment = x.segment, label = x.label
      FROM result x
     WHERE cs.customer_id = x.id
       AND (cs.recency_score, cs.frequency_score, cs.monetary_score, cs.segment, cs.label)
           IS DISTINCT FROM (x.r, x.f, x.m, x.segment, x.label)
    RETURNING 1
  ), inserted AS (
    INSERT INTO app.customer_segments (org_id, customer_id, recency_score, frequency_score, monetary_score,
                                       segment, label)
    SELECT p_org_id, x.id, x.r, x.f, x.m, x.segment, x.label FROM result x
     WHERE NOT EXISTS (SELECT FROM app.customer_segments cs WHERE cs.customer_id = x.id)
    RETURNING 1
  )
  SELECT (SELECT pg_catalog.count(*) FROM result), (SELECT pg_catalog.count(*) FROM scores),
         (SELECT pg_catalog.count(*) FROM updated) + (SELECT pg_catalog.count(*) FROM inserted)
    INTO n_labelled, n_scored, n_changed;

  -- Erased customers leave the segments (their figures stay on the record, for the books), and so do deleted ones
  -- (no foreign key: see the segments migration).
  DELETE FROM app.customer_segments cs
   WHERE cs.org_id = p_org_id
     AND NOT EXISTS (SELECT FROM app.customers c WHERE c.id = cs.customer_id AND c.erased_at IS NULL);
  GET DIAGNOSTICS n_removed = ROW_COUNT;

  UPDATE app.customer_segment_runs r SET customers = n_labelled, scored = n_scored
   WHERE r.org_id = p_org_id RETURNING * INTO run;
  RETURN pg_catalog.jsonb_build_object('org_id', run.org_id, 'as_of', run.as_of, 'computed_at', run.computed_at,
                                       'customers', run.customers, 'scored', run.scored,
                                       'changed', n_changed + n_removed);
END
$function$
;

CREATE TRIGGER audit_log AFTER INSERT OR DELETE OR UPDATE ON app.customer_segments FOR EACH ROW EXECUTE FUNCTION private.audit_record();
REVOKE ALL ON FUNCTION private.refresh_customer_segments(uuid,timestamp with time zone) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.refresh_customer_segments(uuid,timestamp with time zone) TO authenticated;
GRANT EXECUTE ON FUNCTION private.refresh_customer_segments(uuid,timestamp with time zone) TO service_role;
COMMENT ON FUNCTION private.refresh_customer_segments(uuid,timestamp with time zone) IS 'Computes every customer''s RFM scores, segment and label of p_org_id as of p_as_of for
api.refresh_customer_segments and api.refresh_all_customer_segments (which checked the arguments): managers and up
of the organization, or service_role. Refreshes of one organization run one after the other (its
app.customer_segment_runs row); bookings never wait on a refresh (it reads customers and writes only the segment
tables).';

COMMIT;
