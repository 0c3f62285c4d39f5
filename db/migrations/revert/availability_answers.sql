-- Revert tessera:availability_answers from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop function if exists "private"."availability_window"(p_from date, p_to date, p_max_days integer);

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION api.check_availability(experience_id uuid, from_date date, to_date date, party_size integer DEFAULT 1)
 RETURNS TABLE(starts_at timestamp with time zone, ends_at timestamp with time zone, local_start timestamp without time zone, remaining integer, price_minor bigint, currency text)
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  SELECT * FROM private.availability(experience_id, private.time_arg('from_date', from_date),
                                     private.time_arg('to_date', to_date), private.party_size_arg(party_size), NULL)
$function$
;

CREATE OR REPLACE FUNCTION api.widget_availability(embed_key text, experience_id uuid, from_date date, to_date date, party_size integer DEFAULT 1)
 RETURNS TABLE(starts_at timestamp with time zone, local_start timestamp without time zone, remaining integer, price_minor bigint, currency text)
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  SELECT * FROM private.widget_availability(embed_key, experience_id, private.time_arg('from_date', from_date),
                                            private.time_arg('to_date', to_date), private.party_size_arg(party_size))
$function$
;

CREATE OR REPLACE FUNCTION private.availability(p_experience_id uuid, p_from date, p_to date, p_party_size integer, p_embed_key text)
 RETURNS TABLE(starts_at timestamp with time zone, ends_at timestamp with time zone, local_start timestamp without time zone, remaining integer, price_minor bigint, currency text)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
-- Built for a busy calendar: everything that does not depend on the start (caller, price, closures, opening
-- hours, room claims over the window) is read once, so each start costs a few index probes and range tests.
-- PL/pgSQL keeps the plans between calls, and one generic plan serves every call: the plan does not depend on
-- the arguments, and planning anew would cost more than the rest.
DECLARE
  exp      record;
  amount   bigint;
  reach    tstzrange;
  closed   tstzmultirange;
  open     tsmultirange;
  claimed  tstzmultirange;
BEGIN
  -- Its own check, once, instead of row-level security on every table for every start: the caller is staff of
  -- the experience's organization (or service_role), or presents the embed key of its venue. Otherwise: no rows.
  SELECT e.*, v.timezone INTO exp
    FROM app.experiences e JOIN app.venues v ON v.org_id = e.org_id AND v.id = e.venue_id
   WHERE e.id = p_experience_id AND e.active
     AND (e.kind = 'ticketed_event' OR p_party_size BETWEEN e.min_party AND e.max_party)
     AND CASE WHEN p_embed_key IS NULL
              THEN e.org_id = ANY (private.org_ids('staff')) OR (SELECT auth.role()) = 'service_role'
              ELSE v.embed_key = p_embed_key END;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  IF p_to - p_from > 366 THEN
    RAISE EXCEPTION 'at most 367 days of availability per request' USING ERRCODE = 'PT400',
      HINT = 'ask for a shorter window, a page at a time';
  END IF;

  amount := CASE WHEN exp.kind = 'ticketed_event'
                 THEN (SELECT pg_catalog.min(tt.price_minor) FROM app.ticket_types tt
                        WHERE tt.experience_id = exp.id AND tt.active
                          AND (tt.sales_start IS NULL OR tt.sales_start <= pg_catalog.now())
                          AND (tt.sales_end IS NULL OR pg_catalog.now() < tt.sales_end)) * p_party_size
                 ELSE (SELECT CASE WHEN exp.pricing_mode = 'per_person' THEN t.price_minor * p_party_size
                                   ELSE t.price_minor END
                         FROM app.price_tiers t
                        WHERE t.experience_id = exp.id AND p_party_size BETWEEN t.min_party AND t.max_party) END;

  -- Every instant a session starting on these local dates can touch, with a day to spare for any offset.
  reach := pg_catalog.tstzrange(((p_from - 1)::timestamp) AT TIME ZONE exp.timezone,
                                ((p_to + 2)::timestamp) AT TIME ZONE exp.timezone
                                  + pg_catalog.make_interval(mins => exp.duration_minutes + exp.buffer_minutes));
  closed := (SELECT pg_catalog.range_agg(c.during) FROM app.venue_closures c
              WHERE c.venue_id = exp.venue_id AND c.during && reach);
  open := private.opening_hours(exp.venue_id, p_from, p_to + 2);
  -- Rooms held by live bookings of any experience. A slot's own booking is among them, which changes nothing:
  -- a private session holds one group, so that slot is already full.
  IF exp.kind = 'private_session' THEN
    claimed := (SELECT pg_catalog.range_agg(br.during)
                  FROM app.experience_resources er
                  JOIN app.booking_resources br ON br.resource_id = er.resource_id AND br.during && reach
                 WHERE er.experience_id = exp.id
                   AND (br.held_until IS NULL OR br.held_until > pg_catalog.now()));
  END IF;

  RETURN QUERY
  WITH occurrence AS (
    SELECT o.starts_at, o.ends_at, o.local_start FROM private.schedule_occurrences(exp.id, p_from, p_to) o
  ), slot AS (
    -- Slots counted with the places their run-out holds still show as taken.
    SELECT s.id, s.starts_at, s.ends_at, s.capacity, s.taken - coalesce(l.places, 0) AS taken
      FROM app.slots s
      LEFT JOIN (SELECT b.slot_id, pg_catalog.sum(b.places)::integer AS places FROM app.bookings b
                  WHERE b.org_id = exp.org_id AND b.experience_id = exp.id
                    AND b.status = 'pending' AND b.hold_expires_at <= pg_catalog.now()
                  GROUP BY b.slot_id) l ON l.slot_id = s.id
     WHERE s.experience_id = exp.id AND s.starts_at >= pg_catalog.lower(reach) AND s.starts_at < pg_catalog.upper(reach)
  ), start AS MATERIALIZED (
    -- Scheduled starts and sessions that exist (dated sessions of ticketed events), each once, with their
    -- wall-clock times worked out once.
    SELECT j.starts_at, j.ends_at, coalesce(j.local_start, j.starts_at AT TIME ZONE exp.timezone) AS local_start,
           j.ends_at AT TIME ZONE exp.timezone AS local_end, j.capacity, j.taken
      FROM (SELECT coalesce(o.starts_at, s.starts_at) AS starts_at, coalesce(s.ends_at, o.ends_at) AS ends_at,
                   o.local_start, s.capacity, s.taken
              FROM occurrence o FULL JOIN slot s ON s.starts_at = o.starts_at) j
  )
  SELECT st.starts_at, st.ends_at, st.local_start,
         GREATEST(0, coalesce(st.capacity, exp.capacity, 1) - coalesce(st.taken, 0)
                     - CASE WHEN coalesce(claimed && pg_catalog.tstzrange(st.starts_at,
                                    st.ends_at + pg_catalog.make_interval(mins => exp.buffer_minutes)), false)
                            THEN 1 ELSE 0 END)::integer,
         amount,
         exp.currency::text
    FROM start st
   WHERE st.local_start::date BETWEEN p_from AND p_to
     AND st.starts_at >= pg_catalog.now() + exp.min_notice
     AND st.starts_at <= pg_catalog.now() + exp.max_advance
     AND NOT coalesce(closed && pg_catalog.tstzrange(st.starts_at, st.ends_at), false)
     AND coalesce(open @> pg_catalog.tsrange(st.local_start, st.local_end), true)
   ORDER BY st.starts_at;
END
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
private session''s size limits gets no rows. At most 367 days per request (PT400 beyond). For staff of the
experience''s organization. Errors: PT400 a date outside 2000-01-01 to five years from now, or a party_size
outside 1 to 1000.';
REVOKE ALL ON FUNCTION api.widget_availability(text,uuid,date,date,integer) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION api.widget_availability(text,uuid,date,date,integer) TO anon;
GRANT EXECUTE ON FUNCTION api.widget_availability(text,uuid,date,date,integer) TO authenticated;
COMMENT ON FUNCTION api.widget_availability(text,uuid,date,date,integer) IS 'The public variant of check_availability: bookable starts of one of the venue''s experiences between two dates of
the venue''s calendar (at most 63 days), with what remains and the price for the party, and nothing else. For
anyone with the venue''s embed key (anon). Errors: PT404 for an unknown or rotated key; PT400 a date outside
2000-01-01 to five years from now, or a party_size outside 1 to 1000.';
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
