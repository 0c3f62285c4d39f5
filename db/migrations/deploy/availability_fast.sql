-- Deploy tessera:availability_fast to pg
-- requires: availability_definer
--
-- Availability in one pass: opening hours and room claims read once per request, starts converted a day at a time, plans kept

BEGIN;

drop function if exists "private"."within_opening_hours"(p_venue_id uuid, p_local_start timestamp without time zone, p_local_end timestamp without time zone);

SET LOCAL check_function_bodies = off;

-- Pending bookings of an experience, for the run-out holds availability subtracts in one pass.
CREATE INDEX bookings_pending_idx ON app.bookings (org_id, experience_id) WHERE status = 'pending';

CREATE OR REPLACE FUNCTION private.local_to_instants(tz text, local_times timestamp without time zone[])
 RETURNS TABLE(local_time timestamp without time zone, instant timestamp with time zone)
 LANGUAGE plpgsql
 STABLE PARALLEL SAFE
 SET search_path TO ''
AS $function$
BEGIN
  -- Many at once: availability converts every scheduled start of its window with one call, and zone lookups are
  -- what costs. So they are done per day, not per time: on a day of exactly 24 hours whose midnights both
  -- exist, nothing changes offset, and a time is that midnight plus its time of day. Other days (a clock change)
  -- take the careful reading: `plain` is PostgreSQL's own, right unless the time is skipped or happens twice;
  -- `earlier` uses the offset in force a day before, the first of the two when it happens twice (a zone changes
  -- offset at most once in a day). A time whose reading does not show it is skipped.
  RETURN QUERY
  WITH t AS (
    SELECT l.local_time, l.local_time::date AS day FROM pg_catalog.unnest(local_times) AS l(local_time)
  ), d AS MATERIALIZED (  -- once per day, not once per time
    SELECT m.day, m.midnight,
           (m.midnight AT TIME ZONE tz) = m.day AND (m.next_midnight AT TIME ZONE tz) = m.day + 1
             AND m.next_midnight - m.midnight = interval '24 hours' AS steady
      FROM (SELECT t.day, t.day::timestamp AT TIME ZONE tz AS midnight,
                   (t.day + 1)::timestamp AT TIME ZONE tz AS next_midnight
              FROM (SELECT DISTINCT t.day FROM t) t) m
  )
  SELECT t.local_time,
         CASE WHEN d.steady THEN d.midnight + (t.local_time - t.day)
              WHEN e.earlier < p.plain AND (e.earlier AT TIME ZONE tz) = t.local_time THEN e.earlier
              WHEN (p.plain AT TIME ZONE tz) = t.local_time THEN p.plain END
    FROM t JOIN d ON d.day = t.day
   CROSS JOIN LATERAL (SELECT t.local_time AT TIME ZONE tz AS plain) p
   CROSS JOIN LATERAL (SELECT (t.local_time - (((p.plain - interval '1 day') AT TIME ZONE tz)
                                               - ((p.plain - interval '1 day') AT TIME ZONE 'UTC')))
                              AT TIME ZONE 'UTC' AS earlier) e;
END
$function$
;

CREATE OR REPLACE FUNCTION private.opening_hours(p_venue_id uuid, p_from date, p_to date)
 RETURNS tsmultirange
 LANGUAGE plpgsql
 STABLE
 SET search_path TO ''
AS $function$
BEGIN
  -- One multirange for a whole window, so that a caller tests each start with one containment (@>) instead of
  -- a query per start. Intervals of consecutive days that meet at midnight merge, so a session may run past
  -- midnight when the venue is open on both sides of it.
  RETURN (
    SELECT CASE WHEN pg_catalog.count(h.id) > 0
                THEN coalesce(pg_catalog.range_agg(pg_catalog.tsrange(d.day + h.opens, d.day + h.closes))
                                FILTER (WHERE pg_catalog.date_part('isodow', d.day) = h.weekday),
                              '{}'::tsmultirange) END
      FROM app.venue_hours h
     CROSS JOIN pg_catalog.generate_series(p_from::timestamp, p_to::timestamp, interval '1 day') AS d(day)
     WHERE h.venue_id = p_venue_id);
END
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
              THEN e.org_id = ANY (private.org_ids('staff')) OR auth.role() = 'service_role'
              ELSE v.embed_key = p_embed_key END;
  IF NOT FOUND THEN
    RETURN;
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
                  JOIN app.bookings b ON b.id = br.booking_id
                 WHERE er.experience_id = exp.id
                   AND NOT (b.status = 'pending' AND b.hold_expires_at <= pg_catalog.now()));
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

CREATE OR REPLACE FUNCTION private.bookable_slot(p_experience app.experiences, p_starts_at timestamp with time zone)
 RETURNS app.slots
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  tz       text;
  ends     timestamptz;
  local_ts timestamp;
  slot     app.slots;
BEGIN
  SELECT v.timezone INTO tz FROM app.venues v WHERE v.id = p_experience.venue_id;
  ends := p_starts_at + pg_catalog.make_interval(mins => p_experience.duration_minutes);
  local_ts := p_starts_at AT TIME ZONE tz;
  -- A scheduled start, or a session that already exists (dated sessions of ticketed events).
  SELECT s.* INTO slot FROM app.slots s WHERE s.experience_id = p_experience.id AND s.starts_at = p_starts_at;
  IF slot.id IS NULL AND NOT EXISTS (
       SELECT FROM private.schedule_occurrences(p_experience.id, local_ts::date, local_ts::date) o
        WHERE o.starts_at = p_starts_at) THEN
    RAISE EXCEPTION 'no session of % starts at %', p_experience.name, p_starts_at USING ERRCODE = 'PT400',
      HINT = 'pick a start from check_availability';
  END IF;
  IF p_starts_at < pg_catalog.now() + p_experience.min_notice THEN
    RAISE EXCEPTION 'too late to book this session' USING ERRCODE = 'PT400';
  END IF;
  IF p_starts_at > pg_catalog.now() + p_experience.max_advance THEN
    RAISE EXCEPTION 'this session is not open for booking yet' USING ERRCODE = 'PT400';
  END IF;
  IF EXISTS (SELECT FROM app.venue_closures c
              WHERE c.venue_id = p_experience.venue_id AND c.during && pg_catalog.tstzrange(p_starts_at, ends)) THEN
    RAISE EXCEPTION 'the venue is closed then' USING ERRCODE = 'PT400';
  END IF;
  IF NOT coalesce(private.opening_hours(p_experience.venue_id, local_ts::date, (ends AT TIME ZONE tz)::date)
                  @> pg_catalog.tsrange(local_ts, ends AT TIME ZONE tz), true) THEN
    RAISE EXCEPTION 'the venue is not open for the whole session' USING ERRCODE = 'PT400';
  END IF;
  IF slot.id IS NULL THEN
    INSERT INTO app.slots (org_id, experience_id, starts_at, ends_at, capacity)
    VALUES (p_experience.org_id, p_experience.id, p_starts_at, ends, coalesce(p_experience.capacity, 1))
    ON CONFLICT (experience_id, starts_at) DO NOTHING;
    SELECT s.* INTO slot FROM app.slots s WHERE s.experience_id = p_experience.id AND s.starts_at = p_starts_at;
  END IF;
  -- Holds that have run out give their places (and rooms) back before anyone asks for them.
  UPDATE app.bookings b SET status = 'expired'
   WHERE b.org_id = p_experience.org_id AND b.slot_id = slot.id
     AND b.status = 'pending' AND b.hold_expires_at <= pg_catalog.now();
  UPDATE app.bookings b SET status = 'expired'
   WHERE b.status = 'pending' AND b.hold_expires_at <= pg_catalog.now()
     AND b.id IN (SELECT br.booking_id FROM app.booking_resources br
                    JOIN app.experience_resources er ON er.resource_id = br.resource_id
                   WHERE er.experience_id = p_experience.id
                     AND br.during && pg_catalog.tstzrange(slot.starts_at, slot.ends_at
                                        + pg_catalog.make_interval(mins => p_experience.buffer_minutes)));
  RETURN slot;
END
$function$
;

CREATE OR REPLACE FUNCTION private.local_to_instant(local_time timestamp without time zone, tz text)
 RETURNS timestamp with time zone
 LANGUAGE plpgsql
 STABLE PARALLEL SAFE
 SET search_path TO ''
AS $function$
BEGIN
  RETURN (SELECT i.instant FROM private.local_to_instants(tz, ARRAY[local_time]) i);
END
$function$
;

CREATE OR REPLACE FUNCTION private.schedule_occurrences(p_experience_id uuid, p_from date, p_to date)
 RETURNS TABLE(starts_at timestamp with time zone, ends_at timestamp with time zone, local_start timestamp without time zone)
 LANGUAGE plpgsql
 STABLE
 SET search_path TO ''
AS $function$
-- PL/pgSQL so that its queries are planned once per session, not on every call: availability runs this for
-- every request.
DECLARE
  tz       text;
  duration interval;
BEGIN
  SELECT v.timezone, pg_catalog.make_interval(mins => e.duration_minutes) INTO tz, duration
    FROM app.experiences e JOIN app.venues v ON v.org_id = e.org_id AND v.id = e.venue_id
   WHERE e.id = p_experience_id;
  RETURN QUERY
  SELECT i.instant, i.instant + duration, i.local_time
    FROM private.local_to_instants(tz, ARRAY(
           -- Each rule's weekdays only: from its first matching date, a week at a time.
           SELECT DISTINCT d.day + s.start_time
             FROM app.schedules s
            CROSS JOIN LATERAL (SELECT GREATEST(p_from, s.valid_from) AS first) f
            CROSS JOIN LATERAL pg_catalog.generate_series(
                    (f.first + (s.weekday - pg_catalog.date_part('isodow', f.first)::integer + 7) % 7)::timestamp,
                    LEAST(p_to, coalesce(s.valid_until, p_to))::timestamp,
                    interval '7 days') AS d(day)
            WHERE s.experience_id = p_experience_id)) i
   WHERE i.instant IS NOT NULL
   ORDER BY 1;
END
$function$
;
REVOKE ALL ON FUNCTION private.availability(uuid,date,date,integer,text) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.availability(uuid,date,date,integer,text) TO authenticated;
GRANT EXECUTE ON FUNCTION private.availability(uuid,date,date,integer,text) TO service_role;
COMMENT ON FUNCTION private.availability(uuid,date,date,integer,text) IS 'Bookable starts of an experience between two venue-local dates for a party: remaining capacity (groups for a
private session, places for a ticketed event) and the price for that party. Its own check: staff of the
experience''s organization (or service_role) without a key, or the venue''s embed key; anyone else gets no rows.';
REVOKE ALL ON FUNCTION private.bookable_slot(app.experiences,timestamp with time zone) FROM PUBLIC;
COMMENT ON FUNCTION private.bookable_slot(app.experiences,timestamp with time zone) IS 'The slot a booking may take at a start: a scheduled (or existing) session, within the notice and advance windows,
outside closures, inside opening hours; created on first use, with run-out holds on it and its rooms marked
expired. PT400 says which rule refuses. Used by place_booking and reschedule, which run it with their rights.';
REVOKE ALL ON FUNCTION private.local_to_instant(timestamp without time zone,text) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.local_to_instant(timestamp without time zone,text) TO authenticated;
GRANT EXECUTE ON FUNCTION private.local_to_instant(timestamp without time zone,text) TO service_role;
COMMENT ON FUNCTION private.local_to_instant(timestamp without time zone,text) IS 'The instant a wall-clock time happens in an IANA zone: NULL when the clocks skip it (spring forward), the first
of the two when it happens twice (fall back). One at a time; see local_to_instants.';
REVOKE ALL ON FUNCTION private.local_to_instants(text,timestamp without time zone[]) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.local_to_instants(text,timestamp without time zone[]) TO authenticated;
GRANT EXECUTE ON FUNCTION private.local_to_instants(text,timestamp without time zone[]) TO service_role;
COMMENT ON FUNCTION private.local_to_instants(text,timestamp without time zone[]) IS 'The instants wall-clock times happen in an IANA zone, in the order given: NULL for a time the clocks skip (spring
forward), the first of the two for a time that happens twice (fall back).';
REVOKE ALL ON FUNCTION private.opening_hours(uuid,date,date) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.opening_hours(uuid,date,date) TO authenticated;
GRANT EXECUTE ON FUNCTION private.opening_hours(uuid,date,date) TO service_role;
COMMENT ON FUNCTION private.opening_hours(uuid,date,date) IS 'When a venue is open between two of its local dates (inclusive), as a multirange of its wall-clock time; NULL
when the venue has no hours at all, which means open whenever it has sessions. A session fits when its local
start-to-end range is contained (@>).';
REVOKE ALL ON FUNCTION private.schedule_occurrences(uuid,date,date) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.schedule_occurrences(uuid,date,date) TO authenticated;
GRANT EXECUTE ON FUNCTION private.schedule_occurrences(uuid,date,date) TO service_role;
COMMENT ON FUNCTION private.schedule_occurrences(uuid,date,date) IS 'Every scheduled start of an experience between two venue-local dates (inclusive): UTC start and end, and the
venue-local start. Reads through the caller''s row-level security.';

COMMIT;
