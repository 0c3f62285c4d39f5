-- Deploy tessera:booking_workflows to pg
-- requires: booking_rules
--
-- Atomic reschedule, all-or-nothing batch status updates, get_booking and keyset-paged list_bookings.

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION api.batch_update_booking_status(booking_ids uuid[], status app.booking_status)
 RETURNS SETOF app.bookings
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  one uuid;
  moved app.bookings;
BEGIN
  FOREACH one IN ARRAY booking_ids LOOP
    BEGIN
      moved := private.move_booking(one, batch_update_booking_status.status, NULL);
    EXCEPTION WHEN SQLSTATE 'PT404' OR SQLSTATE 'PT409' THEN
      -- The first booking that cannot move aborts the whole batch, naming it.
      RAISE EXCEPTION 'booking % cannot move to %: %', one, batch_update_booking_status.status, SQLERRM
        USING ERRCODE = CASE WHEN SQLSTATE = 'PT404' THEN 'PT404' ELSE 'PT409' END,
              DETAIL = one::text;
    END;
    RETURN NEXT moved;
  END LOOP;
END
$function$
;

CREATE OR REPLACE FUNCTION api.get_booking(booking_id uuid)
 RETURNS app.bookings
 LANGUAGE plpgsql
 STABLE
 SET search_path TO ''
AS $function$
DECLARE
  hit app.bookings;
BEGIN
  SELECT b.* INTO hit FROM app.bookings b WHERE b.id = get_booking.booking_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'booking % not found', booking_id USING ERRCODE = 'PT404';
  END IF;
  RETURN hit;
END
$function$
;

CREATE OR REPLACE FUNCTION api.list_bookings(org_id uuid, from_time timestamp with time zone DEFAULT NULL::timestamp with time zone, to_time timestamp with time zone DEFAULT NULL::timestamp with time zone, statuses app.booking_status[] DEFAULT NULL::app.booking_status[], experience_id uuid DEFAULT NULL::uuid, customer_email text DEFAULT NULL::text, after_starts_at timestamp with time zone DEFAULT NULL::timestamp with time zone, after_id uuid DEFAULT NULL::uuid, page_size integer DEFAULT 50)
 RETURNS SETOF app.bookings
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  SELECT b.*
    FROM app.bookings b
   WHERE b.org_id = list_bookings.org_id
     AND (from_time IS NULL OR b.starts_at >= from_time)
     AND (to_time IS NULL OR b.starts_at < to_time)
     AND (statuses IS NULL OR b.status = ANY (statuses))
     AND (list_bookings.experience_id IS NULL OR b.experience_id = list_bookings.experience_id)
     AND (customer_email IS NULL OR b.customer_id IN (
           SELECT c.id FROM app.customers c
            WHERE c.org_id = list_bookings.org_id AND c.email_key = pg_catalog.lower(pg_catalog.btrim(customer_email))))
     AND (after_starts_at IS NULL OR (b.starts_at, b.id) > (after_starts_at, coalesce(after_id, '00000000-0000-0000-0000-000000000000')))
   ORDER BY b.starts_at, b.id
   LIMIT LEAST(GREATEST(coalesce(page_size, 50), 1), 500)
$function$
;

CREATE OR REPLACE FUNCTION api.reschedule_booking(booking_id uuid, starts_at timestamp with time zone)
 RETURNS app.bookings
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  SELECT * FROM private.reschedule(booking_id, starts_at)
$function$
;

CREATE OR REPLACE FUNCTION private.reschedule(p_booking_id uuid, p_starts_at timestamp with time zone)
 RETURNS app.bookings
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  current app.bookings;
  exp     app.experiences;
  tz      text;
  slot    app.slots;
  ends    timestamptz;
  moved   app.bookings;
  local_ts timestamp;
  constraint_name text;
BEGIN
  SELECT b.* INTO current FROM app.bookings b WHERE b.id = p_booking_id FOR UPDATE;
  -- Its own check: staff of the booking's organization; others are told it does not exist.
  IF NOT FOUND OR NOT current.org_id = ANY (private.org_ids('staff')) THEN
    RAISE EXCEPTION 'booking % not found', p_booking_id USING ERRCODE = 'PT404';
  END IF;
  IF current.status NOT IN ('pending', 'confirmed') THEN
    RAISE EXCEPTION 'booking % is % and cannot be rescheduled', current.confirmation_code, current.status
      USING ERRCODE = 'PT409', DETAIL = 'illegal_transition';
  END IF;
  SELECT e.* INTO exp FROM app.experiences e WHERE e.id = current.experience_id;
  SELECT v.timezone INTO tz FROM app.venues v WHERE v.id = exp.venue_id;
  ends := p_starts_at + pg_catalog.make_interval(mins => exp.duration_minutes);
  local_ts := p_starts_at AT TIME ZONE tz;
  SELECT s.* INTO slot FROM app.slots s WHERE s.experience_id = exp.id AND s.starts_at = p_starts_at;
  IF slot.id IS NULL AND NOT EXISTS (
       SELECT FROM private.schedule_occurrences(exp.id, local_ts::date, local_ts::date) o
        WHERE o.starts_at = p_starts_at) THEN
    RAISE EXCEPTION 'no session of % starts at %', exp.name, p_starts_at USING ERRCODE = 'PT400';
  END IF;
  IF p_starts_at < pg_catalog.now() + exp.min_notice OR p_starts_at > pg_catalog.now() + exp.max_advance THEN
    RAISE EXCEPTION 'that session is outside the booking window' USING ERRCODE = 'PT400';
  END IF;
  IF EXISTS (SELECT FROM app.venue_closures c
              WHERE c.venue_id = exp.venue_id AND c.during && pg_catalog.tstzrange(p_starts_at, ends))
     OR NOT private.within_opening_hours(exp.venue_id, local_ts, ends AT TIME ZONE tz) THEN
    RAISE EXCEPTION 'the venue is not open for that session' USING ERRCODE = 'PT400';
  END IF;
  IF slot.id IS NULL THEN
    INSERT INTO app.slots (org_id, experience_id, starts_at, ends_at, capacity)
    VALUES (exp.org_id, exp.id, p_starts_at, ends, coalesce(exp.capacity, 1))
    ON CONFLICT (experience_id, starts_at) DO NOTHING;
    SELECT s.* INTO slot FROM app.slots s WHERE s.experience_id = exp.id AND s.starts_at = p_starts_at;
  END IF;
  UPDATE app.bookings b SET status = 'expired'
   WHERE b.org_id = exp.org_id AND b.status = 'pending' AND b.hold_expires_at <= pg_catalog.now()
     AND b.id <> current.id AND b.slot_id = slot.id;
  BEGIN
    -- One statement moves the booking: the trigger frees the old places and takes the new ones, or fails whole.
    UPDATE app.bookings b SET slot_id = slot.id, starts_at = p_starts_at, ends_at = ends
     WHERE b.id = current.id
    RETURNING b.* INTO moved;
  EXCEPTION
    WHEN check_violation THEN
      GET STACKED DIAGNOSTICS constraint_name = CONSTRAINT_NAME;
      IF constraint_name IN ('slots_taken_within_capacity', 'slot_ticket_counts_taken_within_quota') THEN
        RAISE EXCEPTION 'sold out: the new session has no room for this booking' USING ERRCODE = 'PT409',
          DETAIL = 'sold_out';
      END IF;
      RAISE;
    WHEN exclusion_violation THEN
      RAISE EXCEPTION 'the new time is not available' USING ERRCODE = 'PT409', DETAIL = 'slot_taken';
  END;
  RETURN moved;
END
$function$
;
REVOKE ALL ON FUNCTION api.batch_update_booking_status(uuid[],app.booking_status) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.batch_update_booking_status(uuid[],app.booking_status) TO authenticated;
COMMENT ON FUNCTION api.batch_update_booking_status(uuid[],app.booking_status) IS 'Moves several bookings to one status, all or nothing: the first booking that cannot move (not found, or an
illegal transition) aborts the batch with an error naming it (its id is the error''s detail) and nothing is
written. Returns the moved bookings in the order given. For staff of their organization.';
REVOKE ALL ON FUNCTION api.get_booking(uuid) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION api.get_booking(uuid) TO authenticated;
GRANT EXECUTE ON FUNCTION api.get_booking(uuid) TO service_role;
COMMENT ON FUNCTION api.get_booking(uuid) IS 'One booking. For staff of its organization. Errors: PT404 when it does not exist or belongs to another
organization.';
REVOKE ALL ON FUNCTION api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,app.booking_status[],uuid,text,timestamp with time zone,uuid,integer) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,app.booking_status[],uuid,text,timestamp with time zone,uuid,integer) TO authenticated;
GRANT EXECUTE ON FUNCTION api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,app.booking_status[],uuid,text,timestamp with time zone,uuid,integer) TO service_role;
COMMENT ON FUNCTION api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,app.booking_status[],uuid,text,timestamp with time zone,uuid,integer) IS 'An organization''s bookings by start time, filtered (time range, statuses, experience, customer e-mail) and paged
by keyset: pass the last row''s starts_at and id as after_starts_at and after_id for the next page. page_size 1 to
500 (default 50). For staff of the organization; others see an empty list.';
REVOKE ALL ON FUNCTION api.reschedule_booking(uuid,timestamp with time zone) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.reschedule_booking(uuid,timestamp with time zone) TO authenticated;
COMMENT ON FUNCTION api.reschedule_booking(uuid,timestamp with time zone) IS 'Moves a pending or confirmed booking to another scheduled start of the same experience. Atomic: the old places
are freed only if the new ones are taken; on failure nothing changes. For staff of its organization. Errors: PT404
not found; PT400 not a bookable start; PT409 sold out or taken, or the booking is no longer live.';
REVOKE ALL ON FUNCTION private.reschedule(uuid,timestamp with time zone) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.reschedule(uuid,timestamp with time zone) TO authenticated;
COMMENT ON FUNCTION private.reschedule(uuid,timestamp with time zone) IS 'Moves a pending or confirmed booking to another start of its experience, atomically. Its own check: the caller is
staff of the booking''s organization.';

COMMIT;
