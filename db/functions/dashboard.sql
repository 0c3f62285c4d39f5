-- Functions of the `dashboard` area: what staff read every morning, computed from the live tables on every call
-- (no cache, so never stale): the period's figures against the previous period, weekly trends, bookings by
-- venue-local weekday and hour, the sessions to come and the activity feed phrased from the audit log.
--
-- Each api function checks its arguments, then calls a SECURITY DEFINER function here that checks the caller (staff
-- and up of the organization, private.catalogue_may) and reads past RLS: staff do not hold privileges on payments,
-- refunds or the audit log, and see only counts there. Money (payments received, refunds settled) is shown to
-- managers and up only; for staff every money figure is null.
--
-- Which rows a figure counts: a booking belongs to the period in which its session starts; it is kept when its
-- status is confirmed, completed or no_show (a live pending hold, cancelled, rejected or expired are not bookings
-- yet, or no longer). Money is cash: payments by the time they were received, refunds by the time they succeeded,
-- in the organization's currency (app.org_settings). No rollup tables: measured at `seed --scale 1000000` the plain
-- queries meet their targets through the indexes of the `dashboard` migration (README: Dashboard and activity).

CREATE OR REPLACE FUNCTION private.dashboard_money_may(p_org_id uuid)
RETURNS boolean
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT p_org_id = ANY (private.org_ids('manager'))
$$;

COMMENT ON FUNCTION private.dashboard_money_may(uuid) IS
'True when the caller may read the organization''s money figures on the dashboard: managers, admins and the owner.';

REVOKE ALL ON FUNCTION private.dashboard_money_may(uuid) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.offered_sessions(p_org_id uuid, p_venue_id uuid, p_from timestamptz,
                                                    p_to timestamptz)
RETURNS TABLE (experience_id uuid, starts_at timestamptz, capacity integer, taken integer)
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
BEGIN
  RETURN QUERY
  WITH exps AS MATERIALIZED (
    SELECT e.id, e.capacity, e.venue_id, v.timezone
      FROM app.experiences e JOIN app.venues v ON v.org_id = e.org_id AND v.id = e.venue_id
     WHERE e.org_id = p_org_id AND (p_venue_id IS NULL OR e.venue_id = p_venue_id)
  )
  -- The sessions that exist, and the scheduled starts nobody has booked yet (a private session's slot is made on
  -- its first booking) unless the venue is closed then, as a booking would be refused. Capacity in the slot's
  -- unit: groups for a private session (one), places for a ticketed event.
  SELECT s.experience_id, s.starts_at, s.capacity, s.taken
    FROM app.slots s
   WHERE s.org_id = p_org_id AND s.experience_id IN (SELECT x.id FROM exps x)
     AND s.starts_at >= p_from AND s.starts_at < p_to
  UNION ALL
  SELECT x.id, o.starts_at, coalesce(x.capacity, 1), 0
    FROM exps x
   CROSS JOIN LATERAL private.schedule_occurrences(x.id, (p_from AT TIME ZONE x.timezone)::date,
                                                   (p_to AT TIME ZONE x.timezone)::date) o
   WHERE o.starts_at >= p_from AND o.starts_at < p_to
     AND NOT EXISTS (SELECT FROM app.slots s WHERE s.experience_id = x.id AND s.starts_at = o.starts_at)
     AND NOT EXISTS (SELECT FROM app.venue_closures c
                      WHERE c.org_id = p_org_id AND c.venue_id = x.venue_id
                        AND c.during && pg_catalog.tstzrange(o.starts_at, o.ends_at));
END
$$;

COMMENT ON FUNCTION private.offered_sessions(uuid, uuid, timestamptz, timestamptz) IS
'The sessions an organization (one venue of it, when p_venue_id is given) offered starting in [p_from, p_to): each
session that exists, with its capacity and places taken, and each scheduled start not booked yet outside the
venue''s closures, with the experience''s capacity (a private session: one) and none taken. The one rule of
"offered" for the dashboard''s occupancy and the performance reports. Internal: as its caller (a definer that has
checked its caller).';

REVOKE ALL ON FUNCTION private.offered_sessions(uuid, uuid, timestamptz, timestamptz) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.dashboard_figures(p_org_id uuid, p_venue_id uuid, p_from timestamptz,
                                                     p_to timestamptz, p_money boolean)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
-- PL/pgSQL so that the query's plan is kept for the session: planning it cost as much as running it.
BEGIN
  RETURN (
  WITH exps AS MATERIALIZED (
    SELECT e.id, e.capacity, e.venue_id, v.timezone
      FROM app.experiences e JOIN app.venues v ON v.org_id = e.org_id AND v.id = e.venue_id
     WHERE e.org_id = p_org_id AND (p_venue_id IS NULL OR e.venue_id = p_venue_id)
  ), b AS MATERIALIZED (
    SELECT b.status, b.party_size, b.places, b.customer_id
      FROM app.bookings b
     WHERE b.org_id = p_org_id AND b.starts_at >= p_from AND b.starts_at < p_to
       -- Without a venue every booking of the organization counts: the range of (org_id, starts_at) is all.
       AND (p_venue_id IS NULL OR b.experience_id IN (SELECT x.id FROM exps x))
  ), kept AS (
    SELECT b.* FROM b WHERE b.status IN ('confirmed', 'completed', 'no_show')
  ), offered AS (
    SELECT o.capacity FROM private.offered_sessions(p_org_id, p_venue_id, p_from, p_to) o
  ), customers AS (
    -- Returning: kept a booking of the organization (any venue) whose session started before the period.
    SELECT EXISTS (SELECT FROM app.bookings e
                    WHERE e.org_id = p_org_id AND e.customer_id = k.customer_id AND e.starts_at < p_from
                      AND e.status IN ('confirmed', 'completed', 'no_show')) AS returning
      FROM (SELECT DISTINCT kept.customer_id FROM kept) k
  ), currency AS (
    SELECT st.currency FROM app.org_settings st WHERE st.org_id = p_org_id
  ), paid AS (
    SELECT coalesce(sum(p.amount_minor), 0)::bigint AS minor
      FROM app.payments p
     WHERE p.org_id = p_org_id AND p.received_at >= p_from AND p.received_at < p_to AND p_money
       AND p.currency = (SELECT c.currency FROM currency c)
       AND (p_venue_id IS NULL OR EXISTS (
             SELECT FROM app.orders o JOIN app.bookings ob ON ob.org_id = o.org_id AND ob.id = o.booking_id
              WHERE o.org_id = p_org_id AND o.id = p.order_id AND ob.experience_id IN (SELECT x.id FROM exps x)))
  ), refunded AS (
    SELECT coalesce(sum(r.amount_minor), 0)::bigint AS minor
      FROM app.refunds r
     WHERE r.org_id = p_org_id AND r.status = 'succeeded' AND r.settled_at >= p_from AND r.settled_at < p_to
       AND p_money AND r.currency = (SELECT c.currency FROM currency c)
       AND (p_venue_id IS NULL OR EXISTS (
             SELECT FROM app.orders o JOIN app.bookings ob ON ob.org_id = o.org_id AND ob.id = o.booking_id
              WHERE o.org_id = p_org_id AND o.id = r.order_id AND ob.experience_id IN (SELECT x.id FROM exps x)))
  )
  SELECT pg_catalog.jsonb_build_object(
    'from', p_from,
    'to', p_to,
    'bookings', (SELECT count(*) FROM kept),
    'places_booked', (SELECT coalesce(sum(kept.places), 0) FROM kept),
    'average_party_size', (SELECT round(avg(kept.party_size), 2) FROM kept),
    'places_offered', (SELECT coalesce(sum(o.capacity), 0) FROM offered o),
    'occupancy', (SELECT round((SELECT coalesce(sum(kept.places), 0) FROM kept)::numeric
                               / nullif(sum(o.capacity), 0), 4)
                    FROM offered o),
    'cancellations', (SELECT count(*) FROM b WHERE b.status = 'cancelled'),
    'no_shows', (SELECT count(*) FROM b WHERE b.status = 'no_show'),
    'new_customers', (SELECT count(*) FROM customers c WHERE NOT c.returning),
    'returning_customers', (SELECT count(*) FROM customers c WHERE c.returning),
    'revenue', CASE WHEN p_money THEN pg_catalog.jsonb_build_object(
                 'received_minor', (SELECT minor FROM paid),
                 'refunded_minor', (SELECT minor FROM refunded),
                 'net_minor', (SELECT minor FROM paid) - (SELECT minor FROM refunded)) END));
END
$$;

COMMENT ON FUNCTION private.dashboard_figures(uuid, uuid, timestamptz, timestamptz, boolean) IS
'One period''s figures of get_dashboard_stats ([p_from, p_to), an organization, optionally one venue), as the
owner; revenue only when p_money. Internal: its callers have checked the caller.';

REVOKE ALL ON FUNCTION private.dashboard_figures(uuid, uuid, timestamptz, timestamptz, boolean) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.dashboard_stats(p_org_id uuid, p_days integer, p_venue_id uuid,
                                                   p_as_of timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  money boolean;
  period interval := pg_catalog.make_interval(days => p_days);
BEGIN
  PERFORM private.catalogue_may(p_org_id, 'staff', 'organization');
  IF p_venue_id IS NOT NULL
     AND NOT EXISTS (SELECT FROM app.venues v WHERE v.org_id = p_org_id AND v.id = p_venue_id) THEN
    RAISE EXCEPTION 'venue not found' USING ERRCODE = 'PT404', DETAIL = 'not_found',
      HINT = 'venue_id must be a venue of the organization';
  END IF;
  money := private.dashboard_money_may(p_org_id);
  RETURN pg_catalog.jsonb_build_object(
    'org_id', p_org_id,
    'venue_id', p_venue_id,
    'days', p_days,
    'currency', (SELECT st.currency FROM app.org_settings st WHERE st.org_id = p_org_id),
    'current', private.dashboard_figures(p_org_id, p_venue_id, p_as_of - period, p_as_of, money),
    'previous', private.dashboard_figures(p_org_id, p_venue_id, p_as_of - 2 * period, p_as_of - period, money));
END
$$;

COMMENT ON FUNCTION private.dashboard_stats(uuid, integer, uuid, timestamptz) IS
'get_dashboard_stats'' work, as the owner, after its own check: staff and up of the organization (PT404 anyone
else), and the venue of that organization (PT404); money for managers and up.';

REVOKE ALL ON FUNCTION private.dashboard_stats(uuid, integer, uuid, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.dashboard_stats(uuid, integer, uuid, timestamptz) TO authenticated;


CREATE OR REPLACE FUNCTION api.get_dashboard_stats(org_id uuid, days integer DEFAULT 30, venue_id uuid DEFAULT NULL,
                                                   as_of timestamptz DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
BEGIN
  PERFORM private.count_arg('days', days, 1, 366);
  PERFORM private.time_arg('as_of', as_of);
  RETURN private.dashboard_stats(get_dashboard_stats.org_id, coalesce(days, 30), get_dashboard_stats.venue_id,
                                 coalesce(as_of, pg_catalog.now()));
END
$$;

COMMENT ON FUNCTION api.get_dashboard_stats(uuid, integer, uuid, timestamptz) IS
$$An organization's figures for the last `days` days (1 to 366, default 30) up to as_of (default now), and for the
`days` before them, optionally for one venue: {"org_id", "venue_id", "days", "currency", "current": {...},
"previous": {...}}, each period {"from", "to", "bookings" (kept: confirmed, completed or no_show, by session start),
"places_booked", "average_party_size" (2 decimals, null without bookings), "places_offered" (the capacity of the
period's sessions, scheduled starts not yet booked included, closures excluded), "occupancy" (places_booked /
places_offered, 4 decimals, null without sessions), "cancellations", "no_shows", "new_customers" (no kept booking
before the period), "returning_customers", "revenue": {"received_minor" (payments received in the period),
"refunded_minor" (refunds that succeeded in it), "net_minor"}}, money in integer minor units of "currency" (the
organization's, null until it chooses one). For staff and up of the organization; "revenue" is null for staff
(money is for managers and up). Errors: PT400 naming days or as_of out of range; PT404 not a member, or a venue of another
organization.$$;

REVOKE ALL ON FUNCTION api.get_dashboard_stats(uuid, integer, uuid, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.get_dashboard_stats(uuid, integer, uuid, timestamptz) TO authenticated;


CREATE OR REPLACE FUNCTION private.dashboard_trends(p_org_id uuid, p_weeks integer, p_as_of timestamptz)
RETURNS TABLE (week_start date, bookings integer, places integer, cancellations integer, received_minor bigint,
               refunded_minor bigint, net_minor bigint, currency text)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  money boolean;
  org_currency text;
  this_week date;
  first_week date;
  one_zone text;
BEGIN
  PERFORM private.catalogue_may(p_org_id, 'staff', 'organization');
  money := private.dashboard_money_may(p_org_id);
  SELECT st.currency INTO org_currency FROM app.org_settings st WHERE st.org_id = p_org_id;
  -- Each venue's week starts on Monday at its own midnight; the newest week is listed as soon as one venue is in it.
  SELECT coalesce(max(pg_catalog.date_trunc('week', p_as_of AT TIME ZONE v.timezone)),
                  pg_catalog.date_trunc('week', p_as_of AT TIME ZONE 'UTC'))::date
    INTO this_week
    FROM app.venues v WHERE v.org_id = p_org_id;
  first_week := this_week - 7 * (p_weeks - 1);
  SELECT CASE WHEN count(DISTINCT v.timezone) = 1 THEN min(v.timezone) END INTO one_zone
    FROM app.venues v WHERE v.org_id = p_org_id;
  RETURN QUERY
  WITH weeks AS (
    SELECT (first_week + 7 * i) AS w FROM pg_catalog.generate_series(0, p_weeks - 1) i
  ), ranged AS MATERIALIZED (
    -- Every zone is within a day of UTC: the range of (org_id, starts_at) first, then each booking's own week.
    SELECT b.experience_id, b.starts_at, b.status, b.places
      FROM app.bookings b
     WHERE b.org_id = p_org_id
       AND b.starts_at >= first_week::timestamp AT TIME ZONE 'UTC' - interval '1 day'
       AND b.starts_at < (this_week + 7)::timestamp AT TIME ZONE 'UTC' + interval '1 day'
  ), b AS (
    SELECT pg_catalog.date_trunc('week', r.starts_at AT TIME ZONE v.timezone)::date AS w, r.status, r.places
      FROM ranged r
      JOIN app.experiences e ON e.org_id = p_org_id AND e.id = r.experience_id
      JOIN app.venues v ON v.org_id = e.org_id AND v.id = e.venue_id
  ), moneys AS MATERIALIZED (
    SELECT p.order_id, p.received_at AS at, p.amount_minor AS received, 0::bigint AS refunded
      FROM app.payments p
     WHERE p.org_id = p_org_id AND money AND p.currency = org_currency
       AND p.received_at >= first_week::timestamp AT TIME ZONE 'UTC' - interval '1 day'
       AND p.received_at < (this_week + 7)::timestamp AT TIME ZONE 'UTC' + interval '1 day'
    UNION ALL
    SELECT r.order_id, r.settled_at, 0, r.amount_minor
      FROM app.refunds r
     WHERE r.org_id = p_org_id AND money AND r.currency = org_currency AND r.status = 'succeeded'
       AND r.settled_at >= first_week::timestamp AT TIME ZONE 'UTC' - interval '1 day'
       AND r.settled_at < (this_week + 7)::timestamp AT TIME ZONE 'UTC' + interval '1 day'
  ), zones AS MATERIALIZED (
    SELECT e.id, v.timezone FROM app.experiences e JOIN app.venues v ON v.org_id = e.org_id AND v.id = e.venue_id
     WHERE e.org_id = p_org_id AND one_zone IS NULL
  ), money_in AS (
    -- Most organizations keep all their venues in one zone: then money needs no walk to its booking's venue.
    SELECT pg_catalog.date_trunc('week', m.at AT TIME ZONE one_zone)::date AS w, m.received, m.refunded
      FROM moneys m WHERE one_zone IS NOT NULL
    UNION ALL
    SELECT pg_catalog.date_trunc('week', m.at AT TIME ZONE z.timezone)::date, m.received, m.refunded
      FROM moneys m
      JOIN app.orders o ON o.org_id = p_org_id AND o.id = m.order_id
      JOIN app.bookings ob ON ob.org_id = p_org_id AND ob.id = o.booking_id
      JOIN zones z ON z.id = ob.experience_id
     WHERE one_zone IS NULL
  ), booked AS (
    SELECT b.w, count(*) FILTER (WHERE b.status IN ('confirmed', 'completed', 'no_show')) AS kept,
           coalesce(sum(b.places) FILTER (WHERE b.status IN ('confirmed', 'completed', 'no_show')), 0) AS places,
           count(*) FILTER (WHERE b.status = 'cancelled') AS cancelled
      FROM b GROUP BY b.w
  ), moved AS (
    SELECT m.w, sum(m.received) AS received, sum(m.refunded) AS refunded FROM money_in m GROUP BY m.w
  )
  SELECT weeks.w, coalesce(bk.kept, 0)::integer, coalesce(bk.places, 0)::integer,
         coalesce(bk.cancelled, 0)::integer,
         CASE WHEN money THEN coalesce(mv.received, 0)::bigint END,
         CASE WHEN money THEN coalesce(mv.refunded, 0)::bigint END,
         CASE WHEN money THEN coalesce(mv.received - mv.refunded, 0)::bigint END,
         org_currency
    FROM weeks
    LEFT JOIN booked bk ON bk.w = weeks.w
    LEFT JOIN moved mv ON mv.w = weeks.w
   ORDER BY weeks.w;
END
$$;

COMMENT ON FUNCTION private.dashboard_trends(uuid, integer, timestamptz) IS
'get_booking_trends'' work, as the owner, after its own check: staff and up of the organization (PT404 anyone
else); money for managers and up.';

REVOKE ALL ON FUNCTION private.dashboard_trends(uuid, integer, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.dashboard_trends(uuid, integer, timestamptz) TO authenticated;


CREATE OR REPLACE FUNCTION api.get_booking_trends(org_id uuid, weeks integer DEFAULT 8,
                                                  as_of timestamptz DEFAULT NULL)
RETURNS TABLE (week_start date, bookings integer, places integer, cancellations integer, received_minor bigint,
               refunded_minor bigint, net_minor bigint, currency text)
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
BEGIN
  PERFORM private.count_arg('weeks', weeks, 1, 104);
  PERFORM private.time_arg('as_of', as_of);
  RETURN QUERY SELECT * FROM private.dashboard_trends(get_booking_trends.org_id, coalesce(weeks, 8),
                                                      coalesce(as_of, pg_catalog.now()));
END
$$;

COMMENT ON FUNCTION api.get_booking_trends(uuid, integer, timestamptz) IS
$$An organization's last `weeks` weeks (1 to 104, default 8) up to the one holding as_of (default now), oldest
first, every week listed (zero-filled): week_start (the Monday), bookings and places (kept: confirmed, completed or
no_show, of sessions starting that week), cancellations, and money received_minor (payments received that week),
refunded_minor (refunds that succeeded that week), net_minor, in integer minor units of currency (the
organization's). A week starts on Monday at midnight in each venue's own time zone: a booking, payment or refund
falls in the week of its venue's local calendar, and the newest week is listed once any venue has reached it. For
staff and up of the organization; the three money columns are null for staff (money is for managers and up).
Errors: PT400 naming weeks or as_of out of range; PT404 not a member.$$;

REVOKE ALL ON FUNCTION api.get_booking_trends(uuid, integer, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.get_booking_trends(uuid, integer, timestamptz) TO authenticated;


CREATE OR REPLACE FUNCTION private.dashboard_hourly(p_org_id uuid, p_days integer, p_as_of timestamptz)
RETURNS TABLE (weekday integer, hour integer, bookings integer)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  PERFORM private.catalogue_may(p_org_id, 'staff', 'organization');
  RETURN QUERY
  WITH b AS (
    SELECT pg_catalog.date_part('isodow', b.starts_at AT TIME ZONE v.timezone)::integer AS d,
           pg_catalog.date_part('hour', b.starts_at AT TIME ZONE v.timezone)::integer AS h
      FROM app.bookings b
      JOIN app.experiences e ON e.org_id = b.org_id AND e.id = b.experience_id
      JOIN app.venues v ON v.org_id = e.org_id AND v.id = e.venue_id
     WHERE b.org_id = p_org_id AND b.status IN ('confirmed', 'completed', 'no_show')
       AND b.starts_at >= p_as_of - pg_catalog.make_interval(days => p_days) AND b.starts_at < p_as_of
  ), counted AS (
    SELECT b.d, b.h, count(*)::integer AS n FROM b GROUP BY b.d, b.h
  )
  SELECT wd.n, hr.n, coalesce(c.n, 0)
    FROM pg_catalog.generate_series(1, 7) wd(n)
   CROSS JOIN pg_catalog.generate_series(0, 23) hr(n)
    LEFT JOIN counted c ON c.d = wd.n AND c.h = hr.n
   ORDER BY wd.n, hr.n;
END
$$;

COMMENT ON FUNCTION private.dashboard_hourly(uuid, integer, timestamptz) IS
'get_hourly_distribution''s work, as the owner, after its own check: staff and up of the organization (PT404
anyone else).';

REVOKE ALL ON FUNCTION private.dashboard_hourly(uuid, integer, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.dashboard_hourly(uuid, integer, timestamptz) TO authenticated;


CREATE OR REPLACE FUNCTION api.get_hourly_distribution(org_id uuid, days integer DEFAULT 30,
                                                       as_of timestamptz DEFAULT NULL)
RETURNS TABLE (weekday integer, hour integer, bookings integer)
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
BEGIN
  PERFORM private.count_arg('days', days, 1, 366);
  PERFORM private.time_arg('as_of', as_of);
  RETURN QUERY SELECT * FROM private.dashboard_hourly(get_hourly_distribution.org_id, coalesce(days, 30),
                                                      coalesce(as_of, pg_catalog.now()));
END
$$;

COMMENT ON FUNCTION api.get_hourly_distribution(uuid, integer, timestamptz) IS
$$When an organization's sessions are booked: kept bookings (confirmed, completed or no_show) of sessions that
started in the last `days` days (1 to 366, default 30) up to as_of (default now), counted by the venue-local
weekday (ISO: 1 = Monday) and hour (0 to 23) of the session's start, in its venue's own time zone; all 168 cells,
Monday 0:00 first, zero-filled. For staff and up of the organization. Errors: PT400 naming days or as_of out of
range; PT404 not a member.$$;

REVOKE ALL ON FUNCTION api.get_hourly_distribution(uuid, integer, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.get_hourly_distribution(uuid, integer, timestamptz) TO authenticated;


CREATE OR REPLACE FUNCTION private.dashboard_upcoming(p_org_id uuid, p_page_size integer)
RETURNS TABLE (booking_id uuid, confirmation_code text, status app.booking_status, starts_at timestamptz,
               local_start timestamp, venue_id uuid, venue_name text, venue_timezone text, experience_id uuid,
               experience_name text, party_size integer, customer_name text)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  PERFORM private.catalogue_may(p_org_id, 'staff', 'organization');
  RETURN QUERY
  SELECT b.id, b.confirmation_code, b.status, b.starts_at, b.starts_at AT TIME ZONE v.timezone, v.id, v.name,
         v.timezone, e.id, e.name, b.party_size, CASE WHEN c.erased_at IS NULL THEN c.name END
    FROM app.bookings b
    JOIN app.experiences e ON e.org_id = b.org_id AND e.id = b.experience_id
    JOIN app.venues v ON v.org_id = e.org_id AND v.id = e.venue_id
    JOIN app.customers c ON c.org_id = b.org_id AND c.id = b.customer_id
   WHERE b.org_id = p_org_id AND b.starts_at >= pg_catalog.now()
     AND (b.status = 'confirmed' OR (b.status = 'pending' AND b.hold_expires_at > pg_catalog.now()))
   ORDER BY b.starts_at, b.id
   LIMIT p_page_size;
END
$$;

COMMENT ON FUNCTION private.dashboard_upcoming(uuid, integer) IS
'get_upcoming_bookings'' work, as the owner, after its own check: staff and up of the organization (PT404 anyone
else).';

REVOKE ALL ON FUNCTION private.dashboard_upcoming(uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.dashboard_upcoming(uuid, integer) TO authenticated;


CREATE OR REPLACE FUNCTION api.get_upcoming_bookings(org_id uuid, page_size integer DEFAULT 20)
RETURNS TABLE (booking_id uuid, confirmation_code text, status app.booking_status, starts_at timestamptz,
               local_start timestamp, venue_id uuid, venue_name text, venue_timezone text, experience_id uuid,
               experience_name text, party_size integer, customer_name text)
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
BEGIN
  PERFORM private.count_arg('page_size', page_size, 1, 500);
  RETURN QUERY SELECT * FROM private.dashboard_upcoming(get_upcoming_bookings.org_id, coalesce(page_size, 20));
END
$$;

COMMENT ON FUNCTION api.get_upcoming_bookings(uuid, integer) IS
$$The next page_size (1 to 500, default 20) bookings of an organization whose sessions have not started: confirmed
ones and pending ones whose hold has not run out, soonest first (then by id), each with its code, status, start
(and venue-local start, venue and its time zone), experience, party size and the customer's name (null once
erased). For staff and up of the organization. Errors: PT400 page_size out of range; PT404 not a member.$$;

REVOKE ALL ON FUNCTION api.get_upcoming_bookings(uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.get_upcoming_bookings(uuid, integer) TO authenticated;


-- The activity feed. ----------------------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION private.activity_amount(p_minor bigint, p_currency text)
RETURNS text
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  -- 4500 GBP reads 45.00 GBP: the currency's own minor digits.
  SELECT pg_catalog.to_char(p_minor::numeric / 10 ^ coalesce(c.minor_digits, 2),
                            'FM999999999990' || CASE WHEN coalesce(c.minor_digits, 2) > 0
                                                     THEN '.' || pg_catalog.repeat('0', coalesce(c.minor_digits, 2))
                                                     ELSE '' END) || ' ' || p_currency
    FROM (SELECT 1) one LEFT JOIN app.currencies c ON c.code = p_currency
$$;

COMMENT ON FUNCTION private.activity_amount(bigint, text) IS
'An amount in minor units as people write it, with its currency: 4500 GBP is ''45.00 GBP'' (the currency''s minor
digits; two when unknown).';

REVOKE ALL ON FUNCTION private.activity_amount(bigint, text) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.dashboard_activity(p_org_id uuid, p_page_size integer, p_before_at timestamptz,
                                                      p_before_id bigint)
RETURNS TABLE (id bigint, at timestamptz, actor_name text, action text, booking_id uuid, confirmation_code text,
               message text, cursor text)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  money boolean;
BEGIN
  PERFORM private.catalogue_may(p_org_id, 'staff', 'organization');
  money := private.dashboard_money_may(p_org_id);
  RETURN QUERY
  WITH page AS (
    SELECT l.* FROM audit.log l
     WHERE l.org_id = p_org_id
       AND l.table_name IN ('app.bookings', 'app.payments', 'app.refunds')
       AND (p_before_at IS NULL OR (l.at, l.id) < (p_before_at, coalesce(p_before_id, 0)))
       -- Only the writes the feed tells: a booking made, moved or rescheduled; money received or refunded.
       AND ((l.table_name = 'app.bookings'
             AND (l.operation = 'INSERT' OR l.new_values ? 'status' OR l.new_values ? 'starts_at'))
            OR (l.table_name = 'app.payments' AND l.operation = 'INSERT')
            OR (l.table_name = 'app.refunds' AND (l.operation = 'INSERT' OR l.new_values ->> 'status' = 'succeeded')))
     ORDER BY l.at DESC, l.id DESC
     LIMIT p_page_size
  ), told AS (
    SELECT p.*,
           -- The person: a member's display name; a signed-in non-member is a customer, as is the widget.
           coalesce(CASE WHEN m.user_id IS NOT NULL THEN coalesce(pr.display_name, 'A team member') END,
                    CASE WHEN p.actor_role IN ('anon', 'authenticated') THEN 'A customer' END,
                    'Tessera') AS who,
           -- An update's values hold only what changed: a refund's order is read from the refund itself.
           CASE p.table_name
             WHEN 'app.bookings' THEN (p.row_id)::uuid
             WHEN 'app.payments' THEN (SELECT o.booking_id FROM app.orders o
                                        WHERE o.org_id = p_org_id AND o.id = (p.new_values ->> 'order_id')::uuid)
             ELSE (SELECT o.booking_id FROM app.refunds r
                     JOIN app.orders o ON o.org_id = r.org_id AND o.id = r.order_id
                    WHERE r.org_id = p_org_id AND r.id = (p.row_id)::uuid) END AS bid,
           coalesce(p.new_values, '{}'::jsonb) AS nv
      FROM page p
      LEFT JOIN app.memberships m ON m.org_id = p_org_id AND m.user_id = p.actor
      LEFT JOIN app.profiles pr ON pr.user_id = m.user_id
  ), phrased AS (
    SELECT t.*, b.confirmation_code AS code,
           CASE
             WHEN t.table_name = 'app.bookings' AND t.operation = 'INSERT' THEN 'booked'
             WHEN t.table_name = 'app.bookings' AND t.nv ? 'status' THEN t.nv ->> 'status'
             WHEN t.table_name = 'app.bookings' THEN 'rescheduled'
             WHEN t.table_name = 'app.payments' THEN 'paid'
             WHEN t.operation = 'INSERT' THEN 'refund_requested'
             ELSE 'refunded'
           END AS act
      FROM told t
      LEFT JOIN app.bookings b ON b.org_id = p_org_id AND b.id = t.bid
  )
  SELECT p.id, p.at, p.who, p.act, p.bid, p.code,
         CASE p.act
           WHEN 'booked' THEN p.who || ' booked ' || coalesce(p.code, 'a session')
           WHEN 'confirmed' THEN p.who || ' confirmed booking ' || coalesce(p.code, '')
           WHEN 'cancelled' THEN p.who || ' cancelled booking ' || coalesce(p.code, '')
           WHEN 'rejected' THEN p.who || ' rejected booking ' || coalesce(p.code, '')
           WHEN 'completed' THEN p.who || ' marked booking ' || coalesce(p.code, '') || ' completed'
           WHEN 'no_show' THEN p.who || ' marked booking ' || coalesce(p.code, '') || ' as a no-show'
           WHEN 'expired' THEN 'The hold on booking ' || coalesce(p.code, '') || ' ran out'
           WHEN 'rescheduled' THEN p.who || ' rescheduled booking ' || coalesce(p.code, '')
           WHEN 'paid' THEN CASE WHEN money THEN private.activity_amount((p.nv ->> 'amount_minor')::bigint,
                                                                          p.nv ->> 'currency') || ' was paid'
                                 ELSE 'A payment was received' END || ' for booking ' || coalesce(p.code, '')
           WHEN 'refund_requested' THEN p.who || ' refunded '
                || CASE WHEN money THEN private.activity_amount((p.nv ->> 'amount_minor')::bigint,
                                                                p.nv ->> 'currency') || ' of ' ELSE '' END
                || 'booking ' || coalesce(p.code, '')
           ELSE 'The refund' || CASE WHEN money THEN ' of ' || (
                  SELECT private.activity_amount(r.amount_minor, r.currency::text) FROM app.refunds r
                   WHERE r.org_id = p_org_id AND r.id = p.row_id::uuid)
                  ELSE '' END || ' for booking ' || coalesce(p.code, '') || ' went through'
         END,
         pg_catalog.to_char(p.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '/' || p.id
    FROM phrased p
   ORDER BY p.at DESC, p.id DESC;
END
$$;

COMMENT ON FUNCTION private.dashboard_activity(uuid, integer, timestamptz, bigint) IS
'get_recent_activity''s work, as the owner (staff cannot read the audit log), after its own check: staff and up of
the organization (PT404 anyone else); amounts for managers and up. Reads only the organization''s own log rows.';

REVOKE ALL ON FUNCTION private.dashboard_activity(uuid, integer, timestamptz, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.dashboard_activity(uuid, integer, timestamptz, bigint) TO authenticated;


CREATE OR REPLACE FUNCTION api.get_recent_activity(org_id uuid, page_size integer DEFAULT 20,
                                                   before text DEFAULT NULL)
RETURNS TABLE (id bigint, at timestamptz, actor_name text, action text, booking_id uuid, confirmation_code text,
               message text, cursor text)
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
DECLARE
  before_at timestamptz;
  before_id bigint;
BEGIN
  PERFORM private.count_arg('page_size', page_size, 1, 100);
  PERFORM private.text_arg('before', before, 3, 60);
  IF before IS NOT NULL THEN
    BEGIN
      before_at := pg_catalog.split_part(before, '/', 1)::timestamptz;
      before_id := pg_catalog.split_part(before, '/', 2)::bigint;
    EXCEPTION WHEN data_exception THEN
      before_at := NULL;
    END;
    IF before_at IS NULL OR before_id IS NULL OR pg_catalog.split_part(before, '/', 3) <> '' THEN
      RAISE EXCEPTION 'before must be the cursor of an activity row, not %', before USING ERRCODE = 'PT400',
        DETAIL = 'invalid', HINT = 'pass the cursor of the last row of the page you have';
    END IF;
    PERFORM private.time_arg('before', before_at);
  END IF;
  RETURN QUERY SELECT * FROM private.dashboard_activity(get_recent_activity.org_id, coalesce(page_size, 20),
                                                        before_at, before_id);
END
$$;

COMMENT ON FUNCTION api.get_recent_activity(uuid, integer, text) IS
$$What happened lately in an organization, newest first, told for people from the audit log: bookings made,
confirmed, cancelled, rejected, completed, marked no-show, expired or rescheduled, payments received and refunds
made and settled, e.g. {"actor_name": "Sara", "action": "cancelled", "confirmation_code": "K7QM2P4X", "message":
"Sara cancelled booking K7QM2P4X"}. Each row: the log id, at, actor_name (a member's display name, "A customer"
for the widget or a signed-in customer, "Tessera" for the service), action (booked, confirmed, cancelled,
rejected, completed, no_show, expired, rescheduled, paid, refund_requested, refunded), booking_id,
confirmation_code, message, and cursor. page_size 1 to 100 (default 20); the next page: before => the last row's
cursor (keyset on the log's time and id). For staff and up of the organization, only its own rows; amounts are in
the messages for managers and up. Errors: PT400 page_size out of range or before not a cursor; PT404 not a
member.$$;

REVOKE ALL ON FUNCTION api.get_recent_activity(uuid, integer, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.get_recent_activity(uuid, integer, text) TO authenticated;
