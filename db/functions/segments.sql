-- Functions of the `segments` area (customer insight): each customer's visits kept beside their lifetime value on
-- app.customers by statement triggers on app.bookings (the payments area keeps lifetime_value_minor), RFM scores,
-- named segments and a simple label per customer (api.refresh_customer_segments, nightly for every organization),
-- and the staff's customer list, customer page and segment summary. The readers and the refresh read orders,
-- payments and refunds, which no API role reads directly, so each is a definer in private with its own check.

-- Visits: booking count, first and last visit. ------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.customer_visits_recount(p_org_ids uuid[], p_customer_ids uuid[])
RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
BEGIN
  IF pg_catalog.cardinality(p_customer_ids) > 1 THEN
    -- Several customers in one statement (a batch): lock them in id order, so two batches never deadlock.
    PERFORM FROM app.customers c WHERE c.id = ANY (p_customer_ids) ORDER BY c.id FOR NO KEY UPDATE;
  END IF;
  UPDATE app.customers c
     SET booking_count = s.n, first_visit_at = s.first_at, last_visit_at = s.last_at
    FROM (SELECT k.org_id, k.customer_id, pg_catalog.count(b.id)::integer AS n,
                 pg_catalog.min(b.starts_at) AS first_at, pg_catalog.max(b.starts_at) AS last_at
            FROM (SELECT DISTINCT u.org_id, u.customer_id
                    FROM ROWS FROM (pg_catalog.unnest(p_org_ids), pg_catalog.unnest(p_customer_ids))
                         AS u(org_id, customer_id)) k
            LEFT JOIN app.bookings b ON b.org_id = k.org_id AND b.customer_id = k.customer_id
                                    AND b.status IN ('confirmed', 'completed')
           GROUP BY k.org_id, k.customer_id) s
   WHERE c.org_id = s.org_id AND c.id = s.customer_id
     AND (c.booking_count, c.first_visit_at, c.last_visit_at) IS DISTINCT FROM (s.n, s.first_at, s.last_at);
END
$$;

COMMENT ON FUNCTION private.customer_visits_recount(uuid[], uuid[]) IS
'Recounts the visits (booking_count, first_visit_at, last_visit_at: their confirmed and completed bookings) of the
customers given as pairs of organization and customer ids, writing only the rows whose figures changed. Called by
the bookings_visits triggers, as their owner.';

REVOKE ALL ON FUNCTION private.customer_visits_recount(uuid[], uuid[]) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.bookings_visits()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  org_ids uuid[];
  customer_ids uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT pg_catalog.array_agg(n.org_id), pg_catalog.array_agg(n.customer_id) INTO org_ids, customer_ids
      FROM new_rows n WHERE n.status IN ('confirmed', 'completed');
  ELSIF TG_OP = 'DELETE' THEN
    SELECT pg_catalog.array_agg(o.org_id), pg_catalog.array_agg(o.customer_id) INTO org_ids, customer_ids
      FROM old_rows o WHERE o.status IN ('confirmed', 'completed');
  ELSE
    -- Only rows that change what counts: a counted status gained or lost, or a counted booking moved in time or
    -- to another customer (both its old and its new customer are recounted).
    SELECT pg_catalog.array_agg(x.org_id), pg_catalog.array_agg(x.customer_id) INTO org_ids, customer_ids
      FROM old_rows o JOIN new_rows n ON n.id = o.id
     CROSS JOIN LATERAL (VALUES (o.org_id, o.customer_id), (n.org_id, n.customer_id)) x(org_id, customer_id)
     WHERE (o.status IN ('confirmed', 'completed') OR n.status IN ('confirmed', 'completed'))
       AND ((o.status IN ('confirmed', 'completed')) IS DISTINCT FROM (n.status IN ('confirmed', 'completed'))
            OR o.starts_at IS DISTINCT FROM n.starts_at OR o.customer_id IS DISTINCT FROM n.customer_id);
  END IF;
  IF customer_ids IS NOT NULL THEN
    PERFORM private.customer_visits_recount(org_ids, customer_ids);
  END IF;
  RETURN NULL;
END
$$;

COMMENT ON FUNCTION private.bookings_visits() IS
'Statement trigger on app.bookings (insert, update, delete): recounts the visits of the customers whose confirmed or
completed bookings the statement changed, in the same transaction. Only those customers'' rows are written, so
bookings of different customers never wait on each other. A definer: the invoker writing a booking holds no
privilege on the counters.';

REVOKE ALL ON FUNCTION private.bookings_visits() FROM PUBLIC;

CREATE OR REPLACE TRIGGER bookings_visits_insert
  AFTER INSERT ON app.bookings REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION private.bookings_visits();
CREATE OR REPLACE TRIGGER bookings_visits_update
  AFTER UPDATE ON app.bookings REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION private.bookings_visits();
CREATE OR REPLACE TRIGGER bookings_visits_delete
  AFTER DELETE ON app.bookings REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION private.bookings_visits();


-- RFM rules. ----------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.rfm_segment(p_recency smallint, p_frequency smallint, p_monetary smallint)
RETURNS text
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
  -- The first rule that holds names the segment; together they cover all 125 scores exactly once.
  SELECT CASE
    WHEN p_recency IS NULL OR p_frequency IS NULL OR p_monetary IS NULL THEN NULL
    WHEN p_recency >= 4 AND p_frequency >= 4 AND p_monetary >= 4 THEN 'champions'
    WHEN p_recency <= 2 AND p_frequency >= 4 AND p_monetary >= 4 THEN 'cant_lose'
    WHEN p_recency >= 3 AND p_frequency >= 3 THEN 'loyal'
    WHEN p_recency <= 2 AND p_frequency >= 3 THEN 'at_risk'
    WHEN p_recency >= 4 AND p_frequency = 1 THEN 'new'
    WHEN p_recency >= 3 THEN 'potential_loyalists'
    WHEN p_recency = 2 THEN 'hibernating'
    ELSE 'lost'
  END
$$;

COMMENT ON FUNCTION private.rfm_segment(smallint, smallint, smallint) IS
$$The named segment of RFM scores (recency R, frequency F, monetary M, each 1 to 5; NULL when any is NULL), the
first rule that holds: champions R>=4 F>=4 M>=4; cant_lose R<=2 F>=4 M>=4; loyal R>=3 F>=3; at_risk R<=2 F>=3;
new R>=4 F=1; potential_loyalists R>=3 (F<=2); hibernating R=2 (F<=2); lost R=1 (F<=2).$$;

REVOKE ALL ON FUNCTION private.rfm_segment(smallint, smallint, smallint) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.customer_label(p_visited boolean, p_stale boolean, p_top_value boolean,
                                                  p_recent boolean)
RETURNS text
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
  SELECT CASE
    WHEN NOT p_visited THEN CASE WHEN p_recent THEN 'new' ELSE 'inactive' END
    WHEN p_stale THEN 'inactive'
    WHEN p_top_value THEN 'vip'
    WHEN p_recent THEN 'new'
    ELSE 'regular'
  END
$$;

COMMENT ON FUNCTION private.customer_label(boolean, boolean, boolean, boolean) IS
$$The simple label of a customer, the first that holds: inactive without a visit in the 365 days before as_of
(p_stale) or, never visited (NOT p_visited), on record for more than 90 days; vip with the top monetary score, 5
(p_top_value); new when the first visit (or, never visited, the record) is at most 90 days old (p_recent); regular
otherwise. api.refresh_customer_segments works out the four facts per customer.$$;

REVOKE ALL ON FUNCTION private.customer_label(boolean, boolean, boolean, boolean) FROM PUBLIC;


-- Refresh. ------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.refresh_customer_segments(p_org_id uuid, p_as_of timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
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
    ON CONFLICT (customer_id, org_id) DO UPDATE
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
$$;

COMMENT ON FUNCTION private.refresh_customer_segments(uuid, timestamptz) IS
'Computes every customer''s RFM scores, segment and label of p_org_id as of p_as_of for
api.refresh_customer_segments and api.refresh_all_customer_segments (which checked the arguments): managers and up
of the organization, or service_role. Refreshes of one organization run one after the other (its
app.customer_segment_runs row); bookings never wait on a refresh (it reads customers and writes only the segment
tables).';

REVOKE ALL ON FUNCTION private.refresh_customer_segments(uuid, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.refresh_customer_segments(uuid, timestamptz) TO authenticated, service_role;


CREATE OR REPLACE FUNCTION api.refresh_customer_segments(org_id uuid, as_of timestamptz DEFAULT pg_catalog.now())
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
BEGIN
  PERFORM private.time_arg('as_of', as_of);
  RETURN private.refresh_customer_segments(org_id, coalesce(as_of, pg_catalog.now()));
END
$$;

COMMENT ON FUNCTION api.refresh_customer_segments(uuid, timestamptz) IS
$$Scores every customer of the organization with visits (confirmed or completed bookings) on recency (last visit,
an upcoming one counting as as_of), frequency (booking_count) and monetary value (lifetime_value_minor, net of
refunds), each 1 to 5 by quintile of rank among the n scored: frequency and monetary 1 + 5 * (customers with
strictly less) / n, recency 5 - 5 * (customers with a strictly later last visit) / n, so equal values score
equally and no order of ids decides a score. Names the segment (champions, loyal,
potential_loyalists, new, at_risk, cant_lose, hibernating, lost; rules in the README) and the label (vip, regular,
new, inactive) of every customer not erased; customers without visits get a label only. Answers {org_id, as_of,
computed_at, customers, scored, changed}. Idempotent; safe beside bookings (which it never blocks) and beside
itself (refreshes of one organization run one after the other). as_of defaults to now. For managers, admins and
owners of the organization, and service_role (the nightly job). Errors: PT400 as_of out of range; PT403 staff;
PT404 not a member or no such organization.$$;

REVOKE ALL ON FUNCTION api.refresh_customer_segments(uuid, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.refresh_customer_segments(uuid, timestamptz) TO authenticated, service_role;


CREATE OR REPLACE FUNCTION private.segments_due(p_stale interval)
RETURNS SETOF uuid
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  PERFORM private.require_service_role('refresh every organization''s customer segments');
  RETURN QUERY
  SELECT o.id FROM app.organizations o
    LEFT JOIN app.customer_segment_runs r ON r.org_id = o.id
   WHERE p_stale IS NULL OR r.org_id IS NULL OR r.computed_at <= pg_catalog.now() - p_stale
   ORDER BY o.id;
END
$$;

COMMENT ON FUNCTION private.segments_due(interval) IS
'The organizations whose segments were never refreshed or last refreshed p_stale ago or longer (NULL: every
organization), by id; for the service only (PT403 for anyone else).';

REVOKE ALL ON FUNCTION private.segments_due(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.segments_due(interval) TO authenticated, service_role;


CREATE OR REPLACE FUNCTION api.customer_segments_due(stale interval DEFAULT interval '20 hours')
RETURNS SETOF uuid
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
BEGIN
  PERFORM private.interval_arg('stale', stale, interval '0', interval '7 days');
  RETURN QUERY SELECT * FROM private.segments_due(coalesce(stale, interval '20 hours'));
END
$$;

COMMENT ON FUNCTION api.customer_segments_due(interval) IS
$$The ids of the organizations whose customer segments are due: never refreshed, or last refreshed more than stale
ago or longer (default 20 hours, 0 to 7 days), in id order; `tessera jobs run` refreshes each in its own transaction. For
service_role. Errors: PT400 stale out of range; PT403 anyone else.$$;

REVOKE ALL ON FUNCTION api.customer_segments_due(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.customer_segments_due(interval) TO service_role;


CREATE OR REPLACE FUNCTION api.refresh_all_customer_segments(as_of timestamptz DEFAULT pg_catalog.now())
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  org uuid;
  refreshed integer := 0;
  customers bigint := 0;
BEGIN
  PERFORM private.time_arg('as_of', as_of);
  FOR org IN SELECT * FROM private.segments_due(NULL) LOOP
    customers := customers
      + (private.refresh_customer_segments(org, coalesce(as_of, pg_catalog.now())) ->> 'customers')::bigint;
    refreshed := refreshed + 1;
  END LOOP;
  RETURN pg_catalog.jsonb_build_object('organizations', refreshed, 'customers', customers);
END
$$;

COMMENT ON FUNCTION api.refresh_all_customer_segments(timestamptz) IS
$$Refreshes the customer segments of every organization (as api.refresh_customer_segments does, in one transaction)
and answers {organizations, customers}: what pg_cron runs nightly (README). For service_role (and the database
owner without request claims, as pg_cron runs it). Errors: PT400 as_of out of range; PT403 anyone else.$$;

REVOKE ALL ON FUNCTION api.refresh_all_customer_segments(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.refresh_all_customer_segments(timestamptz) TO service_role;


-- Reading: the customer list, one customer, the segment summary. ------------------------------------------------------
CREATE OR REPLACE FUNCTION private.customer_card(p_customer app.customers, p_currency text,
                                                 p_segment app.customer_segments)
RETURNS jsonb
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT pg_catalog.jsonb_build_object(
    'id', p_customer.id, 'name', p_customer.name, 'email', p_customer.email, 'phone', p_customer.phone,
    'lifetime_value_minor', p_customer.lifetime_value_minor, 'currency', p_currency,
    'paid_orders', p_customer.paid_orders, 'booking_count', p_customer.booking_count,
    'first_visit_at', p_customer.first_visit_at, 'last_visit_at', p_customer.last_visit_at,
    'segment', p_segment.segment, 'label', p_segment.label,
    'rfm', CASE WHEN p_segment.segment IS NOT NULL THEN pg_catalog.jsonb_build_object(
             'recency', p_segment.recency_score, 'frequency', p_segment.frequency_score,
             'monetary', p_segment.monetary_score) END,
    'created_at', p_customer.created_at, 'erased_at', p_customer.erased_at)
$$;

COMMENT ON FUNCTION private.customer_card(app.customers, text, app.customer_segments) IS
'A customer as the customer list and page show them: {id, name, email, phone, lifetime_value_minor, currency,
paid_orders, booking_count, first_visit_at, last_visit_at, segment, label, rfm {recency, frequency, monetary} (NULL
unscored), created_at, erased_at}.';

REVOKE ALL ON FUNCTION private.customer_card(app.customers, text, app.customer_segments) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.list_customers(p_org_id uuid, p_segment text, p_query text, p_after text,
                                                  p_page_size integer)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  currency text;
  page jsonb;
  last_key text;
  more boolean;
BEGIN
  PERFORM private.catalogue_may(p_org_id, 'staff', 'organization');
  SELECT s.currency INTO currency FROM app.org_settings s WHERE s.org_id = p_org_id;
  -- Planned for the arguments given (a generic plan would not see which filters are off). Ordered by e-mail,
  -- unique in the organization: the key of the page's last customer is the cursor.
  EXECUTE pg_catalog.format($q$
    SELECT pg_catalog.jsonb_agg(private.customer_card(x.cust, $2, s) ORDER BY x.k) FILTER (WHERE x.i <= $6),
           pg_catalog.max(x.k) FILTER (WHERE x.i <= $6), pg_catalog.count(*) > $6
      FROM (SELECT y.*, pg_catalog.row_number() OVER (ORDER BY y.k) AS i
              FROM (SELECT c AS cust, c.email_key AS k, c.id FROM app.customers c %s
                     WHERE c.org_id = $1 AND c.erased_at IS NULL %s %s %s
                     ORDER BY c.email_key LIMIT $6 + 1) y) x
      LEFT JOIN app.customer_segments s ON s.org_id = $1 AND s.customer_id = x.id$q$,
    CASE WHEN p_segment IS NOT NULL THEN 'JOIN app.customer_segments s ON s.org_id = c.org_id AND s.customer_id = c.id' ELSE '' END,
    CASE WHEN p_segment IS NOT NULL THEN 'AND s.segment = $3' ELSE '' END,
    CASE WHEN p_query IS NOT NULL THEN
      $w$AND pg_catalog.lower(coalesce(c.name, '') || ' ' || c.email_key || ' ' || coalesce(c.phone, '') || ' '
             || pg_catalog.regexp_replace(coalesce(c.phone, ''), '[^0-9]', '', 'g')) LIKE $4$w$
    ELSE '' END,
    CASE WHEN p_after IS NOT NULL THEN 'AND c.email_key > $5' ELSE '' END)
    INTO page, last_key, more
    USING p_org_id, currency, p_segment,
          '%' || pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(p_query, '\', '\\'), '%', '\%'), '_', '\_')
              || '%',
          p_after, p_page_size;
  RETURN pg_catalog.jsonb_build_object(
    'customers', coalesce(page, '[]'),
    'next_cursor', CASE WHEN more THEN pg_catalog.translate(pg_catalog.encode(
                     pg_catalog.convert_to(last_key, 'UTF8'), 'base64'), E'+/=\n', '-_') END);
END
$$;

COMMENT ON FUNCTION private.list_customers(uuid, text, text, text, integer) IS
'One page of api.list_customers (which checked the arguments and decoded its cursor into p_after, an e-mail key),
for staff of the organization; PT404 for anyone else.';

REVOKE ALL ON FUNCTION private.list_customers(uuid, text, text, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.list_customers(uuid, text, text, text, integer) TO authenticated;


CREATE OR REPLACE FUNCTION api.list_customers(org_id uuid, segment text DEFAULT NULL, query text DEFAULT NULL,
                                              after text DEFAULT NULL, page_size integer DEFAULT 50)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
DECLARE
  q text := pg_catalog.lower(pg_catalog.btrim(query));
  after_key text;
BEGIN
  PERFORM private.text_arg('segment', segment, 1, 50);
  PERFORM private.text_arg('query', query, 1, 100);
  PERFORM private.text_arg('after', after, 1, 600);
  PERFORM private.count_arg('page_size', page_size, 1, 200);
  IF segment IS NOT NULL AND segment NOT IN ('champions', 'loyal', 'potential_loyalists', 'new', 'at_risk',
                                             'cant_lose', 'hibernating', 'lost') THEN
    RAISE EXCEPTION 'segment must be one of champions, loyal, potential_loyalists, new, at_risk, cant_lose, '
                    'hibernating, lost' USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
  IF pg_catalog.length(q) < 3 THEN
    RAISE EXCEPTION 'query is 3 to 100 characters long, not %', pg_catalog.length(q)
      USING ERRCODE = 'PT400', DETAIL = 'out_of_range', HINT = 'search for part of a name, e-mail or phone number';
  END IF;
  IF after IS NOT NULL THEN
    BEGIN
      after_key := pg_catalog.convert_from(pg_catalog.decode(pg_catalog.rpad(
                     pg_catalog.translate(after, '-_', '+/'), (pg_catalog.length(after) + 3) / 4 * 4, '='),
                     'base64'), 'UTF8');
    EXCEPTION WHEN OTHERS THEN
      after_key := NULL;
    END;
    IF after_key IS NULL OR after_key = '' THEN
      RAISE EXCEPTION 'after is not a cursor list_customers answered' USING ERRCODE = 'PT400', DETAIL = 'invalid',
        HINT = 'send the next_cursor of the previous page, or none for the first page';
    END IF;
  END IF;
  RETURN private.list_customers(org_id, segment, q, after_key, coalesce(page_size, 50));
END
$$;

COMMENT ON FUNCTION api.list_customers(uuid, text, text, text, integer) IS
$$An organization's customers (not erased) by e-mail address, page_size (1 to 200, default 50) at a time:
{customers: [{id, name, email, phone, lifetime_value_minor, currency, paid_orders, booking_count, first_visit_at,
last_visit_at, segment, label, rfm {recency, frequency, monetary}, created_at, erased_at}], next_cursor}; send
next_cursor back as after for the next page (NULL on the last page). segment keeps one segment of the last refresh
(champions, loyal, potential_loyalists, new, at_risk, cant_lose, hibernating, lost); query (3 to 100 characters,
any case) keeps customers whose name, e-mail or phone (as written or its digits alone) contains it. For staff of the
organization. Errors: PT400 an argument out of range, an unknown segment, an after it did not answer; PT404 not a
member.$$;

REVOKE ALL ON FUNCTION api.list_customers(uuid, text, text, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.list_customers(uuid, text, text, text, integer) TO authenticated;


CREATE OR REPLACE FUNCTION private.get_customer(p_org_id uuid, p_customer_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  c app.customers;
  currency text;
BEGIN
  PERFORM private.catalogue_may(p_org_id, 'staff', 'customer');
  SELECT x.* INTO c FROM app.customers x WHERE x.id = p_customer_id AND x.org_id = p_org_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'customer not found' USING ERRCODE = 'PT404', DETAIL = 'not_found';
  END IF;
  SELECT s.currency INTO currency FROM app.org_settings s WHERE s.org_id = p_org_id;
  RETURN private.customer_card(c, currency, (SELECT s FROM app.customer_segments s WHERE s.customer_id = c.id))
    || pg_catalog.jsonb_build_object(
      'bookings', (SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                     'id', b.id, 'confirmation_code', b.confirmation_code, 'status', b.status,
                     'experience_id', b.experience_id, 'experience', e.name, 'starts_at', b.starts_at,
                     'party_size', b.party_size, 'price_minor', b.price_minor, 'currency', b.currency)
                     ORDER BY b.starts_at DESC, b.id), '[]')
                     FROM (SELECT * FROM app.bookings b WHERE b.org_id = p_org_id AND b.customer_id = c.id
                            ORDER BY b.starts_at DESC, b.id LIMIT 50) b
                     JOIN app.experiences e ON e.org_id = b.org_id AND e.id = b.experience_id),
      'payments', (SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                     'id', p.id, 'order_id', p.order_id, 'booking_id', p.booking_id, 'provider', p.provider,
                     'method', p.method, 'amount_minor', p.amount_minor, 'currency', p.currency,
                     'received_at', p.received_at) ORDER BY p.received_at DESC, p.id), '[]')
                     FROM (SELECT p.*, o.booking_id FROM app.orders o
                            JOIN app.payments p ON p.org_id = o.org_id AND p.order_id = o.id
                            WHERE o.org_id = p_org_id AND o.customer_id = c.id
                            ORDER BY p.received_at DESC, p.id LIMIT 50) p),
      'refunds', (SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                    'id', r.id, 'order_id', r.order_id, 'kind', r.kind, 'status', r.status,
                    'amount_minor', r.amount_minor, 'currency', r.currency, 'created_at', r.created_at,
                    'settled_at', r.settled_at) ORDER BY r.created_at DESC, r.id), '[]')
                    FROM (SELECT r.* FROM app.orders o
                           JOIN app.refunds r ON r.org_id = o.org_id AND r.order_id = o.id
                           WHERE o.org_id = p_org_id AND o.customer_id = c.id
                           ORDER BY r.created_at DESC, r.id LIMIT 50) r));
END
$$;

COMMENT ON FUNCTION private.get_customer(uuid, uuid) IS
'The customer page of api.get_customer, for staff of the organization: PT404 for anyone else and for a customer the
organization does not have.';

REVOKE ALL ON FUNCTION private.get_customer(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.get_customer(uuid, uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.get_customer(org_id uuid, customer_id uuid)
RETURNS jsonb
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT private.get_customer(org_id, customer_id)
$$;

COMMENT ON FUNCTION api.get_customer(uuid, uuid) IS
$$One customer with their history: what list_customers shows of them, plus bookings (the latest 50 by start:
{id, confirmation_code, status, experience_id, experience, starts_at, party_size, price_minor, currency}),
payments (the latest 50: {id, order_id, booking_id, provider, method, amount_minor, currency, received_at}) and
refunds (the latest 50: {id, order_id, kind, status, amount_minor, currency, created_at, settled_at}). An erased
customer answers as erased (name and phone NULL, the erased e-mail, erased_at set). For staff of the organization.
Errors: PT404 not a member, or no such customer in the organization.$$;

REVOKE ALL ON FUNCTION api.get_customer(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.get_customer(uuid, uuid) TO authenticated;


CREATE OR REPLACE FUNCTION private.get_customer_segments(p_org_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  run app.customer_segment_runs;
  currency text;
BEGIN
  PERFORM private.catalogue_may(p_org_id, 'staff', 'organization');
  SELECT * INTO run FROM app.customer_segment_runs r WHERE r.org_id = p_org_id;
  SELECT s.currency INTO currency FROM app.org_settings s WHERE s.org_id = p_org_id;
  RETURN pg_catalog.jsonb_build_object(
    'org_id', p_org_id, 'currency', currency, 'as_of', run.as_of, 'computed_at', run.computed_at,
    'segments', (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                   'segment', n.name, 'customers', coalesce(t.customers, 0), 'revenue_minor', coalesce(t.revenue, 0))
                   ORDER BY n.i)
                   FROM pg_catalog.unnest(ARRAY['champions', 'loyal', 'potential_loyalists', 'new', 'at_risk',
                                                'cant_lose', 'hibernating', 'lost', NULL]) WITH ORDINALITY n(name, i)
                   LEFT JOIN (SELECT s.segment, pg_catalog.count(*) AS customers,
                                     pg_catalog.sum(c.lifetime_value_minor) AS revenue
                                FROM app.customer_segments s
                                JOIN app.customers c ON c.org_id = s.org_id AND c.id = s.customer_id
                               WHERE s.org_id = p_org_id AND c.erased_at IS NULL GROUP BY s.segment) t
                     ON t.segment IS NOT DISTINCT FROM n.name),
    'labels', (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                 'label', n.name, 'customers', coalesce(t.customers, 0), 'revenue_minor', coalesce(t.revenue, 0))
                 ORDER BY n.i)
                 FROM pg_catalog.unnest(ARRAY['vip', 'regular', 'new', 'inactive']) WITH ORDINALITY n(name, i)
                 LEFT JOIN (SELECT s.label, pg_catalog.count(*) AS customers,
                                   pg_catalog.sum(c.lifetime_value_minor) AS revenue
                              FROM app.customer_segments s
                              JOIN app.customers c ON c.org_id = s.org_id AND c.id = s.customer_id
                             WHERE s.org_id = p_org_id AND c.erased_at IS NULL GROUP BY s.label) t
                   ON t.label = n.name));
END
$$;

COMMENT ON FUNCTION private.get_customer_segments(uuid) IS
'The segment summary of api.get_customer_segments, for staff of the organization; PT404 for anyone else.';

REVOKE ALL ON FUNCTION private.get_customer_segments(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.get_customer_segments(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.get_customer_segments(org_id uuid)
RETURNS jsonb
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT private.get_customer_segments(org_id)
$$;

COMMENT ON FUNCTION api.get_customer_segments(uuid) IS
$$The organization's customers per segment and per label as of its last refresh: {org_id, currency, as_of,
computed_at (both NULL before the first refresh), segments: [{segment, customers, revenue_minor}] for champions,
loyal, potential_loyalists, new, at_risk, cant_lose, hibernating, lost and null (customers without visits),
labels: [{label, customers, revenue_minor}] for vip, regular, new, inactive}; revenue_minor sums the customers'
current lifetime value (net of refunds). Erased customers count nowhere. For staff of the organization. Errors:
PT404 not a member.$$;

REVOKE ALL ON FUNCTION api.get_customer_segments(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.get_customer_segments(uuid) TO authenticated;
