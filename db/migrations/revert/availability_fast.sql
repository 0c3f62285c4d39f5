-- Revert tessera:availability_fast from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop function if exists "private"."local_to_instants"(tz text, local_times timestamp without time zone[]);

drop function if exists "private"."opening_hours"(p_venue_id uuid, p_from date, p_to date);

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.within_opening_hours(p_venue_id uuid, p_local_start timestamp without time zone, p_local_end timestamp without time zone)
 RETURNS boolean
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  -- A venue without hours is open whenever it has sessions; otherwise one interval must hold the whole session.
  SELECT NOT EXISTS (SELECT FROM app.venue_hours h WHERE h.venue_id = p_venue_id)
      OR EXISTS (SELECT FROM app.venue_hours h
                  WHERE h.venue_id = p_venue_id
                    AND h.weekday = pg_catalog.date_part('isodow', p_local_start)
                    AND h.opens <= p_local_start::time
                    AND CASE WHEN p_local_end::date = p_local_start::date THEN p_local_end::time <= h.closes
                             WHEN p_local_end = p_local_start::date + 1 THEN h.closes = '24:00'
                             ELSE false END)
$function$
;

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
  IF NOT private.within_opening_hours(p_experience.venue_id, local_ts, ends AT TIME ZONE tz) THEN
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
 LANGUAGE sql
 STABLE PARALLEL SAFE
 SET search_path TO ''
AS $function$
  -- Try the UTC offsets in force a day either side (a zone changes offset at most once around here); keep the
  -- instants that really show this wall-clock time in the zone, and take the earliest.
  SELECT pg_catalog.min(candidate)
    FROM (SELECT (local_time - o.utc_offset) AT TIME ZONE 'UTC' AS candidate
            FROM (SELECT (i AT TIME ZONE tz) - (i AT TIME ZONE 'UTC') AS utc_offset
                    FROM (SELECT local_time AT TIME ZONE tz AS guess) g,
                         LATERAL (VALUES (g.guess - interval '1 day'), (g.guess), (g.guess + interval '1 day')) AS t(i)
                 ) o
         ) c
   WHERE (c.candidate AT TIME ZONE tz) = local_time
$function$
;

CREATE OR REPLACE FUNCTION private.schedule_occurrences(p_experience_id uuid, p_from date, p_to date)
 RETURNS TABLE(starts_at timestamp with time zone, ends_at timestamp with time zone, local_start timestamp without time zone)
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  SELECT DISTINCT i.instant,
         i.instant + pg_catalog.make_interval(mins => e.duration_minutes),
         l.local_start
    FROM app.experiences e
    JOIN app.venues v ON v.org_id = e.org_id AND v.id = e.venue_id
    JOIN app.schedules s ON s.org_id = e.org_id AND s.experience_id = e.id
   CROSS JOIN LATERAL pg_catalog.generate_series(
           GREATEST(p_from, s.valid_from)::timestamp,
           LEAST(p_to, coalesce(s.valid_until, p_to))::timestamp,
           interval '1 day') AS d(day)
   CROSS JOIN LATERAL (SELECT d.day + s.start_time AS local_start) l
   CROSS JOIN LATERAL (SELECT private.local_to_instant(l.local_start, v.timezone) AS instant) i
   WHERE e.id = p_experience_id
     AND pg_catalog.date_part('isodow', d.day) = s.weekday
     AND i.instant IS NOT NULL
   ORDER BY 1
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
of the two when it happens twice (fall back).';
REVOKE ALL ON FUNCTION private.schedule_occurrences(uuid,date,date) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.schedule_occurrences(uuid,date,date) TO authenticated;
GRANT EXECUTE ON FUNCTION private.schedule_occurrences(uuid,date,date) TO service_role;
COMMENT ON FUNCTION private.schedule_occurrences(uuid,date,date) IS 'Every scheduled start of an experience between two venue-local dates (inclusive): UTC start and end, and the
venue-local start. Reads through the caller''s row-level security.';
REVOKE ALL ON FUNCTION private.within_opening_hours(uuid,timestamp without time zone,timestamp without time zone) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.within_opening_hours(uuid,timestamp without time zone,timestamp without time zone) TO authenticated;
GRANT EXECUTE ON FUNCTION private.within_opening_hours(uuid,timestamp without time zone,timestamp without time zone) TO service_role;
COMMENT ON FUNCTION private.within_opening_hours(uuid,timestamp without time zone,timestamp without time zone) IS 'True when the venue is open for the whole of a session given in its wall clock.';

DROP INDEX app.bookings_pending_idx;

COMMIT;
