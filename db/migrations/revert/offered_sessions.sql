-- Revert tessera:offered_sessions from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop function if exists "private"."offered_sessions"(p_org_id uuid, p_venue_id uuid, p_from timestamp with time zone, p_to timestamp with time zone);

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.dashboard_activity(p_org_id uuid, p_page_size integer, p_before_at timestamp with time zone, p_before_id bigint)
 RETURNS TABLE(id bigint, at timestamp with time zone, actor_name text, action text, booking_id uuid, confirmation_code text, message text, cursor text)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
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
           ELSE 'The refund' || CASE WHEN money THEN ' of ' || private.activity_amount(
                  (SELECT r.amount_minor FROM app.refunds r WHERE r.org_id = p_org_id AND r.id = p.row_id::uuid),
                  (SELECT r.currency::text FROM app.refunds r WHERE r.org_id = p_org_id AND r.id = p.row_id::uuid))
                  ELSE '' END || ' for booking ' || coalesce(p.code, '') || ' went through'
         END,
         pg_catalog.to_char(p.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '/' || p.id
    FROM phrased p
   ORDER BY p.at DESC, p.id DESC;
END
$function$
;

CREATE OR REPLACE FUNCTION private.dashboard_figures(p_org_id uuid, p_venue_id uuid, p_from timestamp with time zone, p_to timestamp with time zone, p_money boolean)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE
 SET search_path TO ''
AS $function$
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
    -- The period's sessions: those that exist, and the scheduled starts nobody has booked yet (a private session's
    -- slot is made on its first booking), less those inside a closure. Capacity in the slot's unit: groups for a
    -- private session (one), places for a ticketed event.
    SELECT s.capacity FROM app.slots s
     WHERE s.org_id = p_org_id AND s.experience_id IN (SELECT x.id FROM exps x)
       AND s.starts_at >= p_from AND s.starts_at < p_to
    UNION ALL
    SELECT coalesce(x.capacity, 1)
      FROM exps x
     CROSS JOIN LATERAL private.schedule_occurrences(x.id, (p_from AT TIME ZONE x.timezone)::date,
                                                     (p_to AT TIME ZONE x.timezone)::date) o
     WHERE o.starts_at >= p_from AND o.starts_at < p_to
       AND NOT EXISTS (SELECT FROM app.slots s WHERE s.experience_id = x.id AND s.starts_at = o.starts_at)
       AND NOT EXISTS (SELECT FROM app.venue_closures c
                        WHERE c.org_id = p_org_id AND c.venue_id = x.venue_id AND c.during @> o.starts_at)
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
$function$
;

CREATE OR REPLACE FUNCTION private.report_performance(p_org_id uuid, p_from date, p_to date, p_venue_id uuid)
 RETURNS TABLE(venue_id uuid, venue_name text, experience_id uuid, experience_name text, sessions integer, sessions_sold integer, places_offered integer, places_sold integer, occupancy numeric, revenue_minor bigint, revenue_per_session_minor bigint, currency text)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
BEGIN
  PERFORM private.report_scope(p_org_id, p_from, p_to, p_venue_id);
  RETURN QUERY
  WITH exp AS (
    SELECT e.id, e.name, e.capacity, e.currency, v.id AS venue_id, v.name AS venue_name,
           (p_from::timestamp AT TIME ZONE v.timezone) AS starts, ((p_to + 1)::timestamp AT TIME ZONE v.timezone) AS ends
      FROM app.experiences e JOIN app.venues v ON v.id = e.venue_id
     WHERE e.org_id = p_org_id AND (p_venue_id IS NULL OR v.id = p_venue_id)
  ),
  -- The sessions offered: every scheduled start, and every session that exists (dated sessions, and starts that
  -- were sold before the schedule changed), once each; an unsold scheduled start has no row yet and offers the
  -- experience's capacity (a private session: one), unless the venue is closed then.
  offered AS (
    SELECT x.id AS experience_id, o.starts_at, coalesce(s.capacity, coalesce(x.capacity, 1)) AS capacity,
           coalesce(s.taken, 0) AS taken
      FROM exp x
     CROSS JOIN LATERAL private.schedule_occurrences(x.id, p_from, p_to) o
      LEFT JOIN app.slots s ON s.experience_id = x.id AND s.starts_at = o.starts_at
     WHERE s.id IS NOT NULL
        OR NOT EXISTS (SELECT FROM app.venue_closures c
                        WHERE c.venue_id = x.venue_id AND c.during && pg_catalog.tstzrange(o.starts_at, o.ends_at))
    UNION
    SELECT x.id, s.starts_at, s.capacity, s.taken
      FROM exp x JOIN app.slots s ON s.experience_id = x.id AND s.org_id = p_org_id
     WHERE s.starts_at >= x.starts AND s.starts_at < x.ends
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
$function$
;
REVOKE ALL ON FUNCTION private.dashboard_activity(uuid,integer,timestamp with time zone,bigint) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.dashboard_activity(uuid,integer,timestamp with time zone,bigint) TO authenticated;
COMMENT ON FUNCTION private.dashboard_activity(uuid,integer,timestamp with time zone,bigint) IS 'get_recent_activity''s work, as the owner (staff cannot read the audit log), after its own check: staff and up of
the organization (PT404 anyone else); amounts for managers and up. Reads only the organization''s own log rows.';
REVOKE ALL ON FUNCTION private.dashboard_figures(uuid,uuid,timestamp with time zone,timestamp with time zone,boolean) FROM PUBLIC;
COMMENT ON FUNCTION private.dashboard_figures(uuid,uuid,timestamp with time zone,timestamp with time zone,boolean) IS 'One period''s figures of get_dashboard_stats ([p_from, p_to), an organization, optionally one venue), as the
owner; revenue only when p_money. Internal: its callers have checked the caller.';
REVOKE ALL ON FUNCTION private.report_performance(uuid,date,date,uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.report_performance(uuid,date,date,uuid) TO authenticated;
COMMENT ON FUNCTION private.report_performance(uuid,date,date,uuid) IS 'Per-experience performance for api.report_experience_performance and api.report_venue_performance, after
private.report_scope.';

COMMIT;
