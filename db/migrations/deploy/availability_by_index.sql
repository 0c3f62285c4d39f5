-- Deploy tessera:availability_by_index to pg
-- requires: bookable_slot
--
-- Availability and hold release look bookings up through their organization's slot index instead of scanning.

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.availability(p_experience_id uuid, p_from date, p_to date, p_party_size integer)
 RETURNS TABLE(starts_at timestamp with time zone, ends_at timestamp with time zone, local_start timestamp without time zone, remaining integer, price_minor bigint, currency text)
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  WITH exp AS (
    SELECT e.*, v.timezone
      FROM app.experiences e JOIN app.venues v ON v.org_id = e.org_id AND v.id = e.venue_id
     WHERE e.id = p_experience_id AND e.active
       AND (e.kind = 'ticketed_event' OR p_party_size BETWEEN e.min_party AND e.max_party)
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
REVOKE ALL ON FUNCTION private.availability(uuid,date,date,integer) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.availability(uuid,date,date,integer) TO authenticated;
GRANT EXECUTE ON FUNCTION private.availability(uuid,date,date,integer) TO service_role;
COMMENT ON FUNCTION private.availability(uuid,date,date,integer) IS 'Bookable starts of an experience between two venue-local dates for a party: remaining capacity (groups for a
private session, places for a ticketed event) and the price for that party. Reads through the caller''s RLS.';
REVOKE ALL ON FUNCTION private.bookable_slot(app.experiences,timestamp with time zone) FROM PUBLIC;
COMMENT ON FUNCTION private.bookable_slot(app.experiences,timestamp with time zone) IS 'The slot a booking may take at a start: a scheduled (or existing) session, within the notice and advance windows,
outside closures, inside opening hours; created on first use, with run-out holds on it and its rooms marked
expired. PT400 says which rule refuses. Used by place_booking and reschedule, which run it with their rights.';

COMMIT;
