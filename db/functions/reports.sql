-- Functions of the `reports` area: the figures an owner reads and an accountant files, for one organization, a
-- range of venue-local days and optionally one venue. Computed from the facts on every call (orders, payments and
-- refunds are insert-only or forward-only, so a report of past days gives the same figures whenever it is run), so
-- nothing is cached and nothing can be stale. Each is set-returning, so the proxy serves it as CSV too
-- (Accept: text/csv). Money tables are read by no API role, so the reports are definers here that check the caller
-- first: managers and up of the organization.
--
-- Days are the venue's: a payment at 23:30 in Los Angeles belongs to that Los Angeles day, whatever UTC says. Money
-- is counted when it moved (cash basis): an order on the day it was paid in full, a refund on the day it succeeded.

CREATE OR REPLACE FUNCTION private.report_scope(p_org_id uuid, p_from date, p_to date, p_venue_id uuid)
RETURNS void
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  PERFORM private.catalogue_may(p_org_id, 'manager', 'report');
  IF p_from IS NULL OR p_to IS NULL THEN
    RAISE EXCEPTION '% is required', CASE WHEN p_from IS NULL THEN 'from_date' ELSE 'to_date' END
      USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  IF p_to < p_from THEN
    RAISE EXCEPTION 'to_date is before from_date' USING ERRCODE = 'PT400', DETAIL = 'out_of_range',
      HINT = 'both dates are included: from_date = to_date reports one day';
  END IF;
  IF p_to - p_from >= 367 THEN
    RAISE EXCEPTION 'a report covers at most 367 days' USING ERRCODE = 'PT400', DETAIL = 'out_of_range',
      HINT = 'report a year at a time';
  END IF;
  IF p_venue_id IS NOT NULL
     AND NOT EXISTS (SELECT FROM app.venues v WHERE v.id = p_venue_id AND v.org_id = p_org_id) THEN
    RAISE EXCEPTION 'venue not found' USING ERRCODE = 'PT404', DETAIL = 'not_found';
  END IF;
END
$$;

COMMENT ON FUNCTION private.report_scope(uuid, date, date, uuid) IS
'The checks every report starts with (its api function has checked each date is sane): the caller is a manager or
above of p_org_id (PT404 / PT403, as private.catalogue_may), both dates given, from p_from to p_to at most 367 days, and p_venue_id (when given)
a venue of the organization (PT404).';

REVOKE ALL ON FUNCTION private.report_scope(uuid, date, date, uuid) FROM PUBLIC;


-- Revenue. -----------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.report_revenue(p_org_id uuid, p_from date, p_to date, p_venue_id uuid)
RETURNS TABLE (day date, venue_id uuid, venue_name text, currency text, orders_paid integer, gross_minor bigint,
               discount_minor bigint, refunds_minor bigint, net_minor bigint, vat_minor bigint,
               net_ex_vat_minor bigint)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  PERFORM private.report_scope(p_org_id, p_from, p_to, p_venue_id);
  RETURN QUERY
  WITH venue AS (
    SELECT v.id, v.name, v.timezone FROM app.venues v
     WHERE v.org_id = p_org_id AND (p_venue_id IS NULL OR v.id = p_venue_id)
  ),
  -- A day's instants, per venue: the index on paid_at and settled_at is used with a plain range.
  span AS (
    SELECT v.id, v.name, v.timezone,
           (p_from::timestamp AT TIME ZONE v.timezone) AS starts, ((p_to + 1)::timestamp AT TIME ZONE v.timezone) AS ends
      FROM venue v
  ),
  paid AS (
    -- Sales as the order was priced: items (gross, VAT included where prices include it), discounts (promo codes
    -- and points), VAT, and what the customer paid (total).
    SELECT (o.paid_at AT TIME ZONE s.timezone)::date AS day, s.id AS venue_id, s.name AS venue_name,
           o.currency::text AS currency, 1 AS orders, o.subtotal_minor AS gross, o.discount_minor AS discount,
           0::bigint AS refunded, o.total_minor AS total, o.vat_minor AS vat
      FROM span s
      JOIN app.experiences e ON e.venue_id = s.id AND e.org_id = p_org_id
      JOIN app.bookings b ON b.experience_id = e.id AND b.org_id = p_org_id
      JOIN app.orders o ON o.booking_id = b.id AND o.org_id = p_org_id
     WHERE o.paid_at >= s.starts AND o.paid_at < s.ends
  ),
  refunded AS (
    -- A refund takes back its share of the order's VAT, rounded half away from zero like every VAT amount.
    SELECT (r.settled_at AT TIME ZONE s.timezone)::date, s.id, s.name, r.currency::text, 0, 0::bigint, 0::bigint,
           r.amount_minor, -r.amount_minor,
           -CASE WHEN o.total_minor = 0 THEN 0
                 ELSE pg_catalog.round(r.amount_minor::numeric * o.vat_minor / o.total_minor)::bigint END
      FROM span s
      JOIN app.experiences e ON e.venue_id = s.id AND e.org_id = p_org_id
      JOIN app.bookings b ON b.experience_id = e.id AND b.org_id = p_org_id
      JOIN app.orders o ON o.booking_id = b.id AND o.org_id = p_org_id
      JOIN app.refunds r ON r.order_id = o.id AND r.org_id = p_org_id
     WHERE r.status = 'succeeded' AND r.settled_at >= s.starts AND r.settled_at < s.ends
  ),
  moved AS (SELECT * FROM paid UNION ALL SELECT * FROM refunded)
  SELECT m.day, m.venue_id, m.venue_name, m.currency, pg_catalog.sum(m.orders)::integer,
         pg_catalog.sum(m.gross)::bigint, pg_catalog.sum(m.discount)::bigint, pg_catalog.sum(m.refunded)::bigint,
         pg_catalog.sum(m.total)::bigint, pg_catalog.sum(m.vat)::bigint,
         (pg_catalog.sum(m.total) - pg_catalog.sum(m.vat))::bigint
    FROM moved m
   GROUP BY m.day, m.venue_id, m.venue_name, m.currency
   ORDER BY m.day, m.venue_name, m.venue_id, m.currency;
END
$$;

COMMENT ON FUNCTION private.report_revenue(uuid, date, date, uuid) IS
'The revenue report for api.report_revenue, after private.report_scope.';

REVOKE ALL ON FUNCTION private.report_revenue(uuid, date, date, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.report_revenue(uuid, date, date, uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.report_revenue(org_id uuid, from_date date, to_date date, venue uuid DEFAULT NULL)
RETURNS TABLE (day date, venue_id uuid, venue_name text, currency text, orders_paid integer, gross_minor bigint,
               discount_minor bigint, refunds_minor bigint, net_minor bigint, vat_minor bigint,
               net_ex_vat_minor bigint)
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT * FROM private.report_revenue(org_id, private.time_arg('from_date', from_date),
                                       private.time_arg('to_date', to_date), venue)
$$;

COMMENT ON FUNCTION api.report_revenue(uuid, date, date, uuid) IS
$$Revenue per venue-local day and venue (and currency), from from_date to to_date (both included, at most 367
days), for one venue (`venue`) or all: orders_paid (orders paid in full that day), gross_minor (their items as priced,
VAT included where prices include it), discount_minor (promo codes and points), refunds_minor (refunds that
succeeded that day), net_minor (what was paid less what was refunded), vat_minor (VAT on it: the orders' VAT less
each refund's share) and net_ex_vat_minor (net_minor less vat_minor). Integer minor units. A day with no money
moving has no row. Cash basis: an order counts on the day it was paid, a refund on the day it succeeded. For
managers and up; as CSV with Accept: text/csv. Errors: PT400 for a missing date (`required`), a date outside
2000-01-01 to five years from now, or a window reversed or over 367 days (`out_of_range`); PT403 below manager;
PT404 for an organization or venue the caller does not see.$$;

REVOKE ALL ON FUNCTION api.report_revenue(uuid, date, date, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.report_revenue(uuid, date, date, uuid) TO authenticated;


-- Bookings by status. --------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.report_bookings_by_status(p_org_id uuid, p_from date, p_to date, p_venue_id uuid)
RETURNS TABLE (venue_id uuid, venue_name text, status text, bookings integer, places integer, value_minor bigint,
               currency text)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  PERFORM private.report_scope(p_org_id, p_from, p_to, p_venue_id);
  RETURN QUERY
  SELECT v.id, v.name, b.status::text, pg_catalog.count(*)::integer, pg_catalog.sum(b.places)::integer,
         pg_catalog.sum(b.price_minor)::bigint, b.currency::text
    FROM app.venues v
    JOIN app.experiences e ON e.venue_id = v.id AND e.org_id = p_org_id
    JOIN app.bookings b ON b.experience_id = e.id AND b.org_id = p_org_id
   WHERE v.org_id = p_org_id AND (p_venue_id IS NULL OR v.id = p_venue_id)
     AND b.starts_at >= (p_from::timestamp AT TIME ZONE v.timezone)
     AND b.starts_at < ((p_to + 1)::timestamp AT TIME ZONE v.timezone)
   GROUP BY v.id, v.name, b.status, b.currency
   ORDER BY v.name, v.id, b.status, b.currency;
END
$$;

COMMENT ON FUNCTION private.report_bookings_by_status(uuid, date, date, uuid) IS
'The bookings-by-status report for api.report_bookings_by_status, after private.report_scope.';

REVOKE ALL ON FUNCTION private.report_bookings_by_status(uuid, date, date, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.report_bookings_by_status(uuid, date, date, uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.report_bookings_by_status(org_id uuid, from_date date, to_date date,
                                                         venue uuid DEFAULT NULL)
RETURNS TABLE (venue_id uuid, venue_name text, status text, bookings integer, places integer, value_minor bigint,
               currency text)
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT * FROM private.report_bookings_by_status(org_id, private.time_arg('from_date', from_date),
                                                  private.time_arg('to_date', to_date), venue)
$$;

COMMENT ON FUNCTION api.report_bookings_by_status(uuid, date, date, uuid) IS
$$The bookings of sessions starting on the venue-local days from_date to to_date (both included, at most 367), per
venue and status (pending, confirmed, cancelled, rejected, expired, completed, no_show): how many, their places and
their price (value_minor, integer minor units, with the currency). For managers and up; as CSV with Accept:
text/csv. Errors as api.report_revenue.$$;

REVOKE ALL ON FUNCTION api.report_bookings_by_status(uuid, date, date, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.report_bookings_by_status(uuid, date, date, uuid) TO authenticated;


-- Performance. -----------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.report_performance(p_org_id uuid, p_from date, p_to date, p_venue_id uuid)
RETURNS TABLE (venue_id uuid, venue_name text, experience_id uuid, experience_name text, sessions integer,
               sessions_sold integer, places_offered integer, places_sold integer, occupancy numeric,
               revenue_minor bigint, revenue_per_session_minor bigint, currency text)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  PERFORM private.report_scope(p_org_id, p_from, p_to, p_venue_id);
  RETURN QUERY
  WITH exp AS (
    SELECT e.id, e.name, e.currency, v.id AS venue_id, v.name AS venue_name,
           (p_from::timestamp AT TIME ZONE v.timezone) AS starts, ((p_to + 1)::timestamp AT TIME ZONE v.timezone) AS ends
      FROM app.experiences e JOIN app.venues v ON v.org_id = e.org_id AND v.id = e.venue_id
     WHERE e.org_id = p_org_id AND (p_venue_id IS NULL OR v.id = p_venue_id)
  ),
  offered AS (
    -- Each venue's sessions of its own local days (private.offered_sessions: the one rule of "offered").
    SELECT o.experience_id, o.starts_at, o.capacity, o.taken
      FROM app.venues v
     CROSS JOIN LATERAL private.offered_sessions(p_org_id, v.id, p_from::timestamp AT TIME ZONE v.timezone,
                                                 (p_to + 1)::timestamp AT TIME ZONE v.timezone) o
     WHERE v.org_id = p_org_id AND (p_venue_id IS NULL OR v.id = p_venue_id)
  ),
  money AS (
    -- What the sessions' bookings brought in, net of refunds, whenever it was paid.
    SELECT b.experience_id, pg_catalog.sum(o.paid_minor - o.refunded_minor)::bigint AS revenue
      FROM exp x
      JOIN app.bookings b ON b.experience_id = x.id AND b.org_id = p_org_id
      JOIN app.orders o ON o.booking_id = b.id AND o.org_id = p_org_id
     WHERE b.starts_at >= x.starts AND b.starts_at < x.ends
     GROUP BY b.experience_id
  )
  SELECT x.venue_id, x.venue_name, x.id, x.name, pg_catalog.count(f.starts_at)::integer,
         (pg_catalog.count(f.starts_at) FILTER (WHERE f.taken > 0))::integer,
         coalesce(pg_catalog.sum(f.capacity), 0)::integer, coalesce(pg_catalog.sum(f.taken), 0)::integer,
         CASE WHEN coalesce(pg_catalog.sum(f.capacity), 0) = 0 THEN NULL
              ELSE pg_catalog.round(pg_catalog.sum(f.taken)::numeric / pg_catalog.sum(f.capacity), 4) END,
         coalesce(m.revenue, 0),
         CASE WHEN pg_catalog.count(f.starts_at) = 0 THEN NULL
              ELSE pg_catalog.round(coalesce(m.revenue, 0)::numeric / pg_catalog.count(f.starts_at))::bigint END,
         x.currency::text
    FROM exp x
    LEFT JOIN offered f ON f.experience_id = x.id
    LEFT JOIN money m ON m.experience_id = x.id
   GROUP BY x.venue_id, x.venue_name, x.id, x.name, x.currency, m.revenue
  HAVING pg_catalog.count(f.starts_at) > 0 OR coalesce(m.revenue, 0) <> 0
   ORDER BY x.venue_name, x.venue_id, x.name, x.id;
END
$$;

COMMENT ON FUNCTION private.report_performance(uuid, date, date, uuid) IS
'Per-experience performance for api.report_experience_performance and api.report_venue_performance, after
private.report_scope.';

REVOKE ALL ON FUNCTION private.report_performance(uuid, date, date, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.report_performance(uuid, date, date, uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.report_experience_performance(org_id uuid, from_date date, to_date date,
                                                             venue uuid DEFAULT NULL)
RETURNS TABLE (venue_id uuid, venue_name text, experience_id uuid, experience_name text, sessions integer,
               sessions_sold integer, places_offered integer, places_sold integer, occupancy numeric,
               revenue_minor bigint, revenue_per_session_minor bigint, currency text)
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT * FROM private.report_performance(org_id, private.time_arg('from_date', from_date),
                                           private.time_arg('to_date', to_date), venue)
$$;

COMMENT ON FUNCTION api.report_experience_performance(uuid, date, date, uuid) IS
$$How each experience did over the sessions starting on the venue-local days from_date to to_date (both included,
at most 367): sessions offered (every scheduled start outside the venue's closures, and every session that
exists), sessions_sold (with at least one
place taken), places_offered and places_sold (a private session offers one), occupancy (places_sold /
places_offered, 0 to 1, four decimals), revenue_minor (what those sessions' orders were paid, less refunds) and
revenue_per_session_minor, with the currency. For managers and up; as CSV with Accept: text/csv. Errors as
api.report_revenue.$$;

REVOKE ALL ON FUNCTION api.report_experience_performance(uuid, date, date, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.report_experience_performance(uuid, date, date, uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.report_venue_performance(org_id uuid, from_date date, to_date date,
                                                        venue uuid DEFAULT NULL)
RETURNS TABLE (venue_id uuid, venue_name text, sessions integer, sessions_sold integer, places_offered integer,
               places_sold integer, occupancy numeric, revenue_minor bigint, revenue_per_session_minor bigint,
               currency text)
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT p.venue_id, p.venue_name, sum(p.sessions)::integer, sum(p.sessions_sold)::integer,
         sum(p.places_offered)::integer, sum(p.places_sold)::integer,
         CASE WHEN sum(p.places_offered) = 0 THEN NULL
              ELSE round(sum(p.places_sold)::numeric / sum(p.places_offered), 4) END,
         sum(p.revenue_minor)::bigint,
         CASE WHEN sum(p.sessions) = 0 THEN NULL ELSE round(sum(p.revenue_minor)::numeric / sum(p.sessions))::bigint END,
         p.currency
    FROM private.report_performance(org_id, private.time_arg('from_date', from_date),
                                    private.time_arg('to_date', to_date), venue) p
   GROUP BY p.venue_id, p.venue_name, p.currency
   ORDER BY p.venue_name, p.venue_id, p.currency
$$;

COMMENT ON FUNCTION api.report_venue_performance(uuid, date, date, uuid) IS
$$api.report_experience_performance summed per venue (and currency): sessions, sessions_sold, places_offered,
places_sold, occupancy, revenue_minor, revenue_per_session_minor. For managers and up; as CSV with Accept:
text/csv. Errors as api.report_revenue.$$;

REVOKE ALL ON FUNCTION api.report_venue_performance(uuid, date, date, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.report_venue_performance(uuid, date, date, uuid) TO authenticated;
