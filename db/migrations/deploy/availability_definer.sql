-- Deploy tessera:availability_definer to pg
-- requires: availability_by_index
--
-- Availability checks its caller once (staff, service_role or the venue's embed key) and then reads without row-level security per start.

BEGIN;

drop function if exists "private"."availability"(p_experience_id uuid, p_from date, p_to date, p_party_size integer);

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.availability(p_experience_id uuid, p_from date, p_to date, p_party_size integer, p_embed_key text)
 RETURNS TABLE(starts_at timestamp with time zone, ends_at timestamp with time zone, local_start timestamp without time zone, remaining integer, price_minor bigint, currency text)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  -- Its own check, once, instead of row-level security on every table for every start: the caller is staff of
  -- the experience's organization (or service_role), or presents the embed key of its venue. Otherwise: no rows.
  WITH exp AS (
    SELECT e.*, v.timezone
      FROM app.experiences e JOIN app.venues v ON v.org_id = e.org_id AND v.id = e.venue_id
     WHERE e.id = p_experience_id AND e.active
       AND (e.kind = 'ticketed_event' OR p_party_size BETWEEN e.min_party AND e.max_party)
       AND CASE WHEN p_embed_key IS NULL
                THEN e.org_id = ANY (private.org_ids('staff')) OR auth.role() = 'service_role'
                ELSE v.embed_key = p_embed_key END
  ), starts AS (
    SELECT o.starts_at, o.ends_at, o.local_start
      FROM private.schedule_occurrences(p_experience_id, p_from, p_to) o
    UNION
    SELECT s.starts_at, s.ends_at, s.starts_at AT TIME ZONE exp.timezone
      FROM app.slots s, exp
     WHERE s.experience_id = exp.id
       AND (s.starts_at AT TIME ZONE exp.timezone)::date BETWEEN p_from AND p_to
  ), price AS (
    SELECT CASE WHEN exp.kind = 'ticketed_event'
                THEN (SELECT pg_catalog.min(tt.price_minor) FROM app.ticket_types tt
                       WHERE tt.experience_id = exp.id AND tt.active
                         AND (tt.sales_start IS NULL OR tt.sales_start <= pg_catalog.now())
                         AND (tt.sales_end IS NULL OR pg_catalog.now() < tt.sales_end)) * p_party_size
                WHEN exp.pricing_mode = 'per_person' THEN t.price_minor * p_party_size
                ELSE t.price_minor END AS amount
      FROM exp LEFT JOIN app.price_tiers t
        ON t.experience_id = exp.id AND p_party_size BETWEEN t.min_party AND t.max_party
  )
  SELECT st.starts_at, st.ends_at, st.local_start,
         GREATEST(0, coalesce(s.capacity, exp.capacity, 1)
                     - coalesce(s.taken - (SELECT coalesce(pg_catalog.sum(b.places), 0)::integer FROM app.bookings b
                                            WHERE b.org_id = exp.org_id AND b.slot_id = s.id
                                              AND b.status = 'pending' AND b.hold_expires_at <= pg_catalog.now()), 0)
                     - CASE WHEN exp.kind = 'private_session' AND EXISTS (
                              SELECT FROM app.booking_resources br
                                JOIN app.experience_resources er ON er.resource_id = br.resource_id
                                JOIN app.bookings b ON b.id = br.booking_id
                               WHERE er.experience_id = exp.id
                                 AND br.during && pg_catalog.tstzrange(st.starts_at,
                                                   st.ends_at + pg_catalog.make_interval(mins => exp.buffer_minutes))
                                 AND (b.slot_id IS DISTINCT FROM s.id)
                                 AND NOT (b.status = 'pending' AND b.hold_expires_at <= pg_catalog.now()))
                            THEN 1 ELSE 0 END)::integer,
         price.amount,
         exp.currency::text
    FROM exp
    CROSS JOIN price
    JOIN starts st ON true
    LEFT JOIN app.slots s ON s.experience_id = exp.id AND s.starts_at = st.starts_at
   WHERE st.starts_at >= pg_catalog.now() + exp.min_notice
     AND st.starts_at <= pg_catalog.now() + exp.max_advance
     AND NOT EXISTS (SELECT FROM app.venue_closures c
                      WHERE c.venue_id = exp.venue_id AND c.during && pg_catalog.tstzrange(st.starts_at, st.ends_at))
     AND private.within_opening_hours(exp.venue_id, st.local_start, st.ends_at AT TIME ZONE exp.timezone)
   ORDER BY st.starts_at
$function$
;

CREATE OR REPLACE FUNCTION api.check_availability(experience_id uuid, from_date date, to_date date, party_size integer DEFAULT 1)
 RETURNS TABLE(starts_at timestamp with time zone, ends_at timestamp with time zone, local_start timestamp without time zone, remaining integer, price_minor bigint, currency text)
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  SELECT * FROM private.availability(experience_id, from_date, to_date, party_size, NULL)
$function$
;

CREATE OR REPLACE FUNCTION private.widget_availability(p_embed_key text, p_experience_id uuid, p_from date, p_to date, p_party_size integer)
 RETURNS TABLE(starts_at timestamp with time zone, local_start timestamp without time zone, remaining integer, price_minor bigint, currency text)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  SELECT a.starts_at, a.local_start, a.remaining, a.price_minor, a.currency
    FROM private.availability(p_experience_id, p_from, LEAST(p_to, p_from + 62), p_party_size, p_embed_key) a
   WHERE private.widget_venue(p_embed_key) IS NOT NULL
$function$
;
REVOKE ALL ON FUNCTION api.check_availability(uuid,date,date,integer) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION api.check_availability(uuid,date,date,integer) TO authenticated;
GRANT EXECUTE ON FUNCTION api.check_availability(uuid,date,date,integer) TO service_role;
COMMENT ON FUNCTION api.check_availability(uuid,date,date,integer) IS 'Every start of an experience between two dates of the venue''s calendar (inclusive) that can still be booked now
(within the notice and advance windows, while the venue is open, outside closures), with UTC start and end, the
venue-local start, what remains (groups for a private session: 1 or 0; places for a ticketed event), and the price
for the party in minor units. Existing bookings and unexpired holds count; run-out holds do not. A party outside a
private session''s size limits gets no rows. For staff of the experience''s organization.';
REVOKE ALL ON FUNCTION private.availability(uuid,date,date,integer,text) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.availability(uuid,date,date,integer,text) TO authenticated;
GRANT EXECUTE ON FUNCTION private.availability(uuid,date,date,integer,text) TO service_role;
COMMENT ON FUNCTION private.availability(uuid,date,date,integer,text) IS 'Bookable starts of an experience between two venue-local dates for a party: remaining capacity (groups for a
private session, places for a ticketed event) and the price for that party. Its own check: staff of the
experience''s organization (or service_role) without a key, or the venue''s embed key; anyone else gets no rows.';
REVOKE ALL ON FUNCTION private.widget_availability(text,uuid,date,date,integer) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION private.widget_availability(text,uuid,date,date,integer) TO anon;
GRANT EXECUTE ON FUNCTION private.widget_availability(text,uuid,date,date,integer) TO authenticated;
COMMENT ON FUNCTION private.widget_availability(text,uuid,date,date,integer) IS 'Availability for the widget: only starts, what remains and prices, for an experience of the key''s venue; at
most 63 days per request.';

COMMIT;
