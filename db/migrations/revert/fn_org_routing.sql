-- Revert tessera:fn_org_routing from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION api.move_lead(lead_id uuid, status text, reason text DEFAULT NULL::text)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  lead app.leads;
BEGIN
  PERFORM private.enum_arg('status', ARRAY[status], 'app.lead_status'),
          private.text_arg('reason', reason, 0, 1000);
  IF reason IS NOT NULL AND status IS DISTINCT FROM 'lost' THEN
    RAISE EXCEPTION 'reason is given only when a lead is lost' USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
  SELECT l.* INTO lead FROM app.leads l WHERE l.id = lead_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'lead not found' USING ERRCODE = 'PT404';
  ELSIF lead.status = status::app.lead_status THEN
    -- A move to where it is would answer 200 and write nothing, or overwrite a lost reason: refused as elsewhere.
    RAISE EXCEPTION 'the lead is % already', lead.status USING ERRCODE = 'PT409', DETAIL = 'illegal_transition';
  END IF;
  UPDATE app.leads l
     SET status = move_lead.status::app.lead_status, lost_reason = move_lead.reason
   WHERE l.id = lead_id
  RETURNING * INTO lead;
  RETURN pg_catalog.to_jsonb(lead);
END
$function$
;

CREATE OR REPLACE FUNCTION api.unassign_session_staff(experience_id uuid, starts_at timestamp with time zone, user_id uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  slot    app.slots;
  removed app.session_staff;
BEGIN
  PERFORM private.time_arg('starts_at', starts_at);
  IF unassign_session_staff.experience_id IS NULL OR starts_at IS NULL OR unassign_session_staff.user_id IS NULL THEN
    RAISE EXCEPTION 'experience_id, starts_at and user_id are required' USING ERRCODE = 'PT400',
      DETAIL = 'required';
  END IF;
  slot := private.staffed_session(unassign_session_staff.experience_id, starts_at);
  DELETE FROM app.session_staff a WHERE a.slot_id = slot.id AND a.user_id = unassign_session_staff.user_id
  RETURNING a.* INTO removed;
  IF removed.slot_id IS NULL THEN
    RAISE EXCEPTION 'that person is not assigned to this session' USING ERRCODE = 'PT404';
  END IF;
  RETURN private.session_staff_answer(removed, slot);
END
$function$
;

CREATE OR REPLACE FUNCTION private.booking_problems(p_experience_ids uuid[])
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  found jsonb;
BEGIN
  PERFORM private.impact_scope(p_experience_ids);
  WITH live AS (
    -- Future bookings that hold places: confirmed, or pending with a hold still running.
    -- A session runs until its slot ends: the experience's duration now (the booking keeps the times it was sold
    -- with, and its tickets), or the old end where a longer one collided.
    SELECT b.id, b.experience_id, b.slot_id, b.starts_at, sl.ends_at AS session_ends, b.party_size, e.kind,
           e.capacity AS exp_capacity, e.max_party, e.duration_minutes, e.buffer_minutes,
           e.archived_at AS exp_archived, e.active AS exp_active, e.venue_id, v.timezone, v.archived_at AS venue_archived
      FROM app.bookings b
      JOIN app.slots sl ON sl.id = b.slot_id
      JOIN app.experiences e ON e.id = b.experience_id
      JOIN app.venues v ON v.id = e.venue_id
     WHERE b.experience_id = ANY (p_experience_ids) AND b.starts_at > pg_catalog.now()
       AND (b.status = 'confirmed' OR (b.status = 'pending' AND b.hold_expires_at > pg_catalog.now()))
  ), problem AS (
    SELECT l.id, 'archived' AS problem FROM live l
     WHERE l.exp_archived IS NOT NULL OR NOT l.exp_active OR l.venue_archived IS NOT NULL
        OR (l.kind = 'private_session' AND EXISTS (
              SELECT FROM app.experience_resources er JOIN app.resources r ON r.id = er.resource_id
               WHERE er.experience_id = l.experience_id AND NOT r.active))
        OR EXISTS (SELECT FROM app.booking_tickets bt JOIN app.ticket_types tt ON tt.id = bt.ticket_type_id
                    WHERE bt.booking_id = l.id AND NOT tt.active)
    UNION ALL
    SELECT l.id, 'over_capacity' FROM live l JOIN app.slots s ON s.id = l.slot_id
     WHERE (l.kind = 'ticketed_event' AND s.taken > l.exp_capacity)
        OR (l.kind = 'private_session' AND l.party_size > l.max_party)
    UNION ALL
    SELECT l.id, 'over_quota' FROM live l
     WHERE EXISTS (SELECT FROM app.booking_tickets bt
                     JOIN app.ticket_types tt ON tt.id = bt.ticket_type_id AND tt.quota IS NOT NULL
                     JOIN app.slot_ticket_counts c ON c.slot_id = l.slot_id AND c.ticket_type_id = tt.id
                    WHERE bt.booking_id = l.id AND c.taken > tt.quota)
    UNION ALL
    -- A session runs on every room of its experience for its duration and buffer: a booking whose claims are
    -- not exactly that kept its old ones because the new ones collided.
    SELECT l.id, 'room_conflict' FROM live l
     WHERE l.kind = 'private_session' AND (
           EXISTS (
             (SELECT er.resource_id, pg_catalog.tstzrange(l.starts_at, l.starts_at
                       + pg_catalog.make_interval(mins => l.duration_minutes + l.buffer_minutes))
                FROM app.experience_resources er WHERE er.experience_id = l.experience_id)
             EXCEPT
             (SELECT br.resource_id, br.during FROM app.booking_resources br WHERE br.booking_id = l.id))
        OR EXISTS (
             (SELECT br.resource_id FROM app.booking_resources br WHERE br.booking_id = l.id)
             EXCEPT
             (SELECT er.resource_id FROM app.experience_resources er WHERE er.experience_id = l.experience_id)))
    UNION ALL
    SELECT l.id, 'off_schedule' FROM live l
     WHERE NOT EXISTS (SELECT FROM private.schedule_occurrences(l.experience_id,
                                     (l.starts_at AT TIME ZONE l.timezone)::date,
                                     (l.starts_at AT TIME ZONE l.timezone)::date) o
                        WHERE o.starts_at = l.starts_at)
    UNION ALL
    SELECT l.id, 'outside_hours' FROM live l
     WHERE NOT coalesce(private.opening_hours(l.venue_id, (l.starts_at AT TIME ZONE l.timezone)::date,
                                              (l.session_ends AT TIME ZONE l.timezone)::date)
                        @> pg_catalog.tsrange(l.starts_at AT TIME ZONE l.timezone,
                                              l.session_ends AT TIME ZONE l.timezone),
                        true)
    UNION ALL
    SELECT l.id, 'closed' FROM live l
     WHERE EXISTS (SELECT FROM app.venue_closures c
                    WHERE c.venue_id = l.venue_id AND c.during && pg_catalog.tstzrange(l.starts_at, l.session_ends))
  )
  SELECT coalesce(pg_catalog.jsonb_agg(DISTINCT pg_catalog.jsonb_build_object('booking_id', p.id,
                                                                              'problem', p.problem)), '[]')
    INTO found FROM problem p;
  RETURN found;
END
$function$
;

CREATE OR REPLACE FUNCTION private.booking_tickets_types()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
BEGIN
  -- A booking confirmed at once gets its tickets before its lines exist: each line names the next untyped seats.
  UPDATE app.tickets t SET ticket_type_id = NEW.ticket_type_id
   WHERE t.id IN (SELECT u.id FROM app.tickets u
                   WHERE u.booking_id = NEW.booking_id AND u.status = 'valid' AND u.ticket_type_id IS NULL
                   ORDER BY u.seat_no LIMIT NEW.quantity);
  RETURN NULL;
END
$function$
;

CREATE OR REPLACE FUNCTION private.booking_waiver_status(p_booking_id uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  b app.bookings := private.staff_booking(p_booking_id);
BEGIN
  RETURN (
    SELECT pg_catalog.jsonb_build_object(
             'booking_id', b.id, 'required', e.waiver_template_id IS NOT NULL, 'at_check_in', e.waiver_at_check_in,
             'template_id', e.waiver_template_id,
             'version', (SELECT max(v.version) FROM app.waiver_versions v WHERE v.template_id = e.waiver_template_id),
             'signed', coalesce((
               SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                        'signature_id', s.id, 'participant_name', s.participant_name, 'minor', s.minor,
                        'signed_at', s.signed_at, 'signed_via', s.signed_via, 'version', v.version)
                      ORDER BY s.signed_at, s.id)
                 FROM app.waiver_signatures s JOIN app.waiver_versions v ON v.id = s.version_id
                WHERE s.booking_id = b.id AND v.template_id = e.waiver_template_id), '[]'::jsonb))
           || (private.waiver_counts(b) - 'signed')
      FROM app.experiences e WHERE e.id = b.experience_id);
END
$function$
;

CREATE OR REPLACE FUNCTION private.bookings_tickets()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.status IN ('cancelled', 'rejected', 'expired')
     AND OLD.status NOT IN ('cancelled', 'rejected', 'expired') THEN
    UPDATE app.tickets t SET status = 'revoked', revoked_at = pg_catalog.now()
     WHERE t.booking_id = NEW.id AND t.status = 'valid';
  ELSIF NEW.status = 'confirmed' AND TG_OP = 'UPDATE' AND OLD.status = 'confirmed'
        AND (OLD.slot_id, OLD.starts_at, OLD.ends_at, OLD.party_size)
            IS DISTINCT FROM (NEW.slot_id, NEW.starts_at, NEW.ends_at, NEW.party_size) THEN
    -- Rescheduled: the old tickets name the old session, so they go and new ones come.
    UPDATE app.tickets t SET status = 'revoked', revoked_at = pg_catalog.now()
     WHERE t.booking_id = NEW.id AND t.status = 'valid';
    PERFORM private.issue_tickets(NEW);
  ELSIF NEW.status = 'confirmed' AND (TG_OP = 'INSERT' OR OLD.status <> 'confirmed') THEN
    PERFORM private.issue_tickets(NEW);
  END IF;
  RETURN NULL;
END
$function$
;

CREATE OR REPLACE FUNCTION private.check_in_answer(p_ticket app.tickets, p_check_in app.check_ins)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
BEGIN
  RETURN (SELECT pg_catalog.jsonb_build_object(
           'outcome', 'checked_in', 'ticket_id', p_ticket.id, 'seat_no', p_ticket.seat_no, 'ticket_type', tt.name,
           'checked_in_at', p_check_in.checked_in_at, 'scanner_nonce', p_check_in.scanner_nonce,
           'booking', pg_catalog.jsonb_build_object(
             'id', b.id, 'confirmation_code', b.confirmation_code, 'party_size', b.party_size,
             'customer_name', c.name, 'experience', e.name, 'starts_at', b.starts_at))
    FROM app.bookings b
    JOIN app.customers c ON c.id = b.customer_id
    JOIN app.experiences e ON e.id = b.experience_id
    LEFT JOIN app.ticket_types tt ON tt.id = p_ticket.ticket_type_id
   WHERE b.id = p_ticket.booking_id);
END
$function$
;

CREATE OR REPLACE FUNCTION private.check_in_waiver(p_ticket app.tickets)
 RETURNS void
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  template uuid;
  signed integer;
  let_in integer;
BEGIN
  SELECT e.waiver_template_id INTO template
    FROM app.bookings b JOIN app.experiences e ON e.id = b.experience_id
   WHERE b.id = p_ticket.booking_id AND e.waiver_at_check_in;
  IF template IS NULL THEN
    RETURN;
  END IF;
  -- Signatures are per participant, not per ticket: the next person in needs one more signature than people let
  -- in. Scans and signatures of one booking take turns on its row, so two scans cannot share one signature.
  PERFORM FROM app.bookings b WHERE b.id = p_ticket.booking_id FOR NO KEY UPDATE;
  SELECT pg_catalog.count(*) INTO signed
    FROM app.waiver_signatures s JOIN app.waiver_versions v ON v.id = s.version_id
   WHERE s.booking_id = p_ticket.booking_id AND v.template_id = template;
  SELECT pg_catalog.count(*) INTO let_in
    FROM app.check_ins c JOIN app.tickets t ON t.id = c.ticket_id
   WHERE t.booking_id = p_ticket.booking_id AND t.status = 'valid';
  IF signed <= let_in THEN
    RAISE EXCEPTION 'a waiver is missing: % signed for this booking and % already let in', signed, let_in
      USING ERRCODE = 'PT409', DETAIL = 'waiver_missing',
            HINT = 'the participant signs first (online, or at the venue: sign_waiver_at_venue)';
  END IF;
END
$function$
;

CREATE OR REPLACE FUNCTION private.email_arg(p_name text, p_value text)
 RETURNS text
 LANGUAGE plpgsql
 IMMUTABLE PARALLEL SAFE
 SET search_path TO ''
AS $function$
BEGIN
  -- The same rule as app.customers' CHECK, said in words.
  PERFORM private.text_arg(p_name, p_value, 3, 320);
  IF pg_catalog.btrim(p_value) !~ '^[^@\s]+@[^@\s]+$' THEN
    RAISE EXCEPTION '% must be an e-mail address, like name@example.com', p_name
      USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
  RETURN p_value;
END
$function$
;

CREATE OR REPLACE FUNCTION private.get_waiver(p_code text, p_email text)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  subjects text[] := private.lookup_subjects(p_code, p_email);
  b app.bookings := private.booking_by_pair(p_code, p_email);
BEGIN
  IF b.id IS NULL THEN
    RETURN private.lookup_failed(subjects);
  END IF;
  RETURN (
    SELECT pg_catalog.jsonb_build_object(
             'booking_id', b.id, 'confirmation_code', b.confirmation_code, 'status', b.status,
             'experience', e.name, 'venue', ve.name, 'venue_timezone', ve.timezone, 'starts_at', b.starts_at,
             'age_of_majority', ve.age_of_majority,
             'minor_if_born_after',
               ((b.starts_at AT TIME ZONE ve.timezone)::date - pg_catalog.make_interval(years => ve.age_of_majority))::date,
             'waiver', CASE WHEN cur.id IS NOT NULL THEN pg_catalog.jsonb_build_object(
                 'template_id', cur.template_id, 'version_id', cur.id, 'version', cur.version, 'title', cur.title,
                 'body', cur.body, 'body_sha256', cur.body_sha256) END)
           || private.waiver_counts(b)
      FROM app.experiences e
      JOIN app.venues ve ON ve.id = e.venue_id
      LEFT JOIN LATERAL (SELECT v.* FROM app.waiver_versions v WHERE v.template_id = e.waiver_template_id
                          ORDER BY v.version DESC LIMIT 1) cur ON true
     WHERE e.id = b.experience_id);
END
$function$
;

CREATE OR REPLACE FUNCTION private.leave_waitlist(p_embed_key text, p_token text)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  entry app.waitlist_entries;
  held  uuid;
BEGIN
  entry := private.waitlist_entry(p_embed_key, p_token);
  IF entry.status NOT IN ('waiting', 'offered') THEN
    RAISE EXCEPTION 'this waitlist entry is % already', entry.status USING ERRCODE = 'PT409',
      DETAIL = 'illegal_transition',
      HINT = CASE WHEN entry.status = 'booked' THEN 'it is a booking now: cancel the booking instead'
                  ELSE 'join the waitlist again to wait' END;
  END IF;
  held := CASE WHEN entry.status = 'offered' THEN entry.booking_id END;
  UPDATE app.waitlist_entries w SET status = 'left', offer_token_hash = NULL, ended_at = pg_catalog.now()
   WHERE w.id = entry.id
  RETURNING w.* INTO entry;
  -- An offer declined gives its places back, to the next entry (bookings_waitlist).
  IF held IS NOT NULL THEN
    UPDATE app.bookings b SET status = 'cancelled', cancel_reason = 'waitlist offer declined' WHERE b.id = held;
  END IF;
  RETURN private.waitlist_answer(entry);
END
$function$
;

CREATE OR REPLACE FUNCTION private.move_booking(p_booking_id uuid, p_status app.booking_status, p_reason text)
 RETURNS app.bookings
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  current app.bookings;
  moved   app.bookings;
BEGIN
  -- Runs as the caller: row-level security decides which bookings exist for them.
  SELECT b.* INTO current FROM app.bookings b WHERE b.id = p_booking_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'booking % not found', p_booking_id USING ERRCODE = 'PT404';
  END IF;
  -- A move to the status it has is no move: refused, so that a second cancellation cannot erase the first
  -- one's reason, and a client learns its retry was not needed.
  IF current.status = p_status THEN
    RAISE EXCEPTION 'booking % is already %', current.confirmation_code, current.status
      USING ERRCODE = 'PT409', DETAIL = 'illegal_transition';
  END IF;
  IF p_status = 'confirmed' AND current.status = 'pending' AND current.hold_expires_at <= pg_catalog.now() THEN
    RAISE EXCEPTION 'the hold on booking % ran out at %', current.confirmation_code, current.hold_expires_at
      USING ERRCODE = 'PT409', DETAIL = 'hold_expired', HINT = 'make a new booking';
  END IF;
  UPDATE app.bookings b
     SET status = p_status,
         cancel_reason = CASE WHEN p_status IN ('cancelled', 'rejected') THEN p_reason ELSE b.cancel_reason END
   WHERE b.id = p_booking_id
  RETURNING b.* INTO moved;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'booking % not found', p_booking_id USING ERRCODE = 'PT404';
  END IF;
  RETURN moved;
END
$function$
;

CREATE OR REPLACE FUNCTION private.slots_keep_staff()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  session text;
BEGIN
  SELECT u.session INTO session
    FROM (SELECT private.uncovered_session(ss.slot_id, ss.user_id) AS session
            FROM app.session_staff ss WHERE ss.slot_id = NEW.id) u
   WHERE u.session IS NOT NULL
   LIMIT 1;
  IF session IS NOT NULL THEN
    RAISE EXCEPTION 'the session % would run outside the shift of a person assigned to it', session
      USING ERRCODE = 'PT409', DETAIL = 'not_on_shift',
            HINT = 'extend their shift first, or unassign them (api.unassign_session_staff)';
  END IF;
  RETURN NULL;
END
$function$
;

CREATE OR REPLACE FUNCTION private.waitlist_answer(p_entry app.waitlist_entries)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  SELECT pg_catalog.jsonb_build_object('status', p_entry.status, 'experience_id', s.experience_id,
                                       'starts_at', s.starts_at, 'party_size', p_entry.party_size,
                                       'offer_expires_at', p_entry.offer_expires_at, 'created_at', p_entry.created_at)
    FROM app.slots s WHERE s.id = p_entry.slot_id
$function$
;

CREATE OR REPLACE FUNCTION private.waiver_counts(p_booking app.bookings)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  SELECT pg_catalog.jsonb_build_object(
    'places', p_booking.party_size, 'signed', n.signed, 'missing', greatest(p_booking.party_size - n.signed, 0))
    FROM app.experiences e
   CROSS JOIN LATERAL (
     SELECT pg_catalog.count(*)::integer AS signed
       FROM app.waiver_signatures s JOIN app.waiver_versions v ON v.id = s.version_id
      WHERE s.booking_id = p_booking.id AND v.template_id = e.waiver_template_id) n
   WHERE e.id = p_booking.experience_id
$function$
;
REVOKE ALL ON FUNCTION api.move_lead(uuid,text,text) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.move_lead(uuid,text,text) TO authenticated;
COMMENT ON FUNCTION api.move_lead(uuid,text,text) IS 'Moves a lead along its pipeline and answers it: status one of new, contacted, proposal, won, lost, forward only
(new -> contacted -> proposal -> won, steps may be skipped; lost from any open state, with an optional reason up
to 1000 characters); won and lost are final. For staff of its organization. Errors: PT400 an unknown status, a
reason for another status than lost; PT404 no such lead for the caller; PT409 a move backwards, out of a final
state or to the status it has (detail illegal_transition).';
REVOKE ALL ON FUNCTION api.unassign_session_staff(uuid,timestamp with time zone,uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.unassign_session_staff(uuid,timestamp with time zone,uuid) TO authenticated;
COMMENT ON FUNCTION api.unassign_session_staff(uuid,timestamp with time zone,uuid) IS 'Removes a person from the session of an experience at starts_at and answers the assignment as it was (as
assign_session_staff answers). For managers, admins and the owner. Errors: PT400 naming the argument, or no
session starts then; PT403 staff; PT404 experience not found, or the person is not assigned.';
REVOKE ALL ON FUNCTION private.booking_problems(uuid[]) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.booking_problems(uuid[]) TO authenticated;
COMMENT ON FUNCTION private.booking_problems(uuid[]) IS 'The one checker of a catalogue change: every future live booking (confirmed, or pending with its hold running)
of the experiences listed that the catalogue as it is now no longer supports, as [{booking_id, problem}], problem
one of over_capacity (its ticketed session sold more than the capacity, or a party above max_party), over_quota,
room_conflict (its rooms or times are not what the experience now occupies: a claim kept because the new one
collided), off_schedule, outside_hours, closed, archived (the experience, its venue, a room or a ticket type).
Its own check: the caller manages every experience listed (PT403).';
REVOKE ALL ON FUNCTION private.booking_tickets_types() FROM PUBLIC;
COMMENT ON FUNCTION private.booking_tickets_types() IS 'Trigger: a ticketed booking''s line, added after its booking was confirmed, gives its ticket type to the next
seats that have none.';
REVOKE ALL ON FUNCTION private.booking_waiver_status(uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.booking_waiver_status(uuid) TO authenticated;
COMMENT ON FUNCTION private.booking_waiver_status(uuid) IS 'Who of a booking has signed its waiver and how many places are missing. Its own check: staff of the booking''s
organization.';
REVOKE ALL ON FUNCTION private.bookings_tickets() FROM PUBLIC;
COMMENT ON FUNCTION private.bookings_tickets() IS 'Trigger: a booking that becomes confirmed (any path) gets its tickets; one that becomes cancelled, rejected or
expired has them revoked; a confirmed booking moved to another session has them revoked and issued anew.';
REVOKE ALL ON FUNCTION private.check_in_answer(app.tickets,app.check_ins) FROM PUBLIC;
COMMENT ON FUNCTION private.check_in_answer(app.tickets,app.check_ins) IS 'What check_in answers for a ticket let in: built from the check-in row, so a retry gets it again unchanged.';
REVOKE ALL ON FUNCTION private.check_in_waiver(app.tickets) FROM PUBLIC;
COMMENT ON FUNCTION private.check_in_waiver(app.tickets) IS 'For check_in: when the ticket''s experience has waiver_at_check_in (and a waiver), PT409 waiver_missing unless its
booking has more signatures than its valid tickets already checked in.';
REVOKE ALL ON FUNCTION private.email_arg(text,text) FROM PUBLIC, anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.email_arg(text,text) TO anon;
GRANT EXECUTE ON FUNCTION private.email_arg(text,text) TO authenticated;
GRANT EXECUTE ON FUNCTION private.email_arg(text,text) TO service_role;
COMMENT ON FUNCTION private.email_arg(text,text) IS 'Returns an api function''s e-mail argument p_name unchanged (NULL too), or raises PT400 naming it when it is
longer than 320 characters or not an address (something@somewhere, no spaces).';
REVOKE ALL ON FUNCTION private.get_waiver(text,text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION private.get_waiver(text,text) TO anon;
GRANT EXECUTE ON FUNCTION private.get_waiver(text,text) TO authenticated;
COMMENT ON FUNCTION private.get_waiver(text,text) IS 'The waiver a booking''s participants sign, found by its confirmation code and e-mail; or the not-found answer,
counted for the rate limit shared with get_tickets. Its own check: the pair itself.';
REVOKE ALL ON FUNCTION private.leave_waitlist(text,text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION private.leave_waitlist(text,text) TO anon;
GRANT EXECUTE ON FUNCTION private.leave_waitlist(text,text) TO authenticated;
COMMENT ON FUNCTION private.leave_waitlist(text,text) IS 'Takes an entry off the waitlist for api.leave_waitlist; an offer it held is declined and its places offered on.
Its own check: the token names an entry at the venue of the embed key (private.waitlist_entry).';
REVOKE ALL ON FUNCTION private.move_booking(uuid,app.booking_status,text) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.move_booking(uuid,app.booking_status,text) TO authenticated;
GRANT EXECUTE ON FUNCTION private.move_booking(uuid,app.booking_status,text) TO service_role;
COMMENT ON FUNCTION private.move_booking(uuid,app.booking_status,text) IS 'Moves one booking to a status, as the caller (RLS applies). PT404 when the caller cannot see it, PT409 for an
illegal transition (a move to the status it already has included) or a confirmation after the hold ran out; a
refused move writes nothing.';
REVOKE ALL ON FUNCTION private.slots_keep_staff() FROM PUBLIC;
COMMENT ON FUNCTION private.slots_keep_staff() IS 'Trigger on app.slots (after its start or end changes): the people assigned to the session are still on shift for
all of it, or PT409 not_on_shift.';
REVOKE ALL ON FUNCTION private.waitlist_answer(app.waitlist_entries) FROM PUBLIC;
COMMENT ON FUNCTION private.waitlist_answer(app.waitlist_entries) IS 'An entry as its customer sees it: {status, experience_id, starts_at, party_size, offer_expires_at, created_at};
never a token, an id or anyone else''s data.';
REVOKE ALL ON FUNCTION private.waiver_counts(app.bookings) FROM PUBLIC;
COMMENT ON FUNCTION private.waiver_counts(app.bookings) IS '{places, signed, missing} of a booking: its participants (party_size, one ticket each), and its signatures of its experience''s current waiver
template (any version). For the definers of this area.';

COMMIT;
