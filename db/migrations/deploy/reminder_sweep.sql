-- Deploy tessera:reminder_sweep to pg
-- requires: one_role_check
--
-- Reminders are queued by the worker when their time comes (private.queue_due_reminders, no watermark), not written at confirmation, which halves what the outbox costs a booking; a reminder of a booking confirmed or moved at or after its reminder time is skipped (told_after_due)

BEGIN;

drop function if exists "private"."queue_session_messages"(p_booking app.bookings, p_message jsonb);

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.queue_due_reminders(p_at timestamp with time zone DEFAULT NULL::timestamp with time zone, p_limit integer DEFAULT 1000)
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  at     timestamptz := coalesce(p_at, pg_catalog.now());
  queued integer := 0;
  r      record;
BEGIN
  PERFORM private.require_service_role('queue due reminders');
  IF pg_catalog.abs(EXTRACT(epoch FROM at - pg_catalog.now())) > 366 * 86400 THEN
    RAISE EXCEPTION 'at is within a year of now' USING ERRCODE = 'PT400', DETAIL = 'out_of_range';
  END IF;
  IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 10000 THEN
    RAISE EXCEPTION 'limit is 1 to 10000 bookings' USING ERRCODE = 'PT400', DETAIL = 'out_of_range';
  END IF;
  -- One sweep at a time: a second worker asking meanwhile has nothing to add.
  IF NOT pg_catalog.pg_try_advisory_xact_lock(pg_catalog.hashtext('tessera.queue_due_reminders')) THEN
    RETURN 0;
  END IF;
  -- Every confirmed booking whose session is still ahead and whose reminder time has come, without a reminder for
  -- its start yet: no watermark to fall behind, so a worker that was down, a transaction that committed late or a
  -- longer reminder_lead are all caught up by the next sweep. The start is looked for up to three hours past the
  -- lead, as far as a change of the clocks can move the wall-clock lead (reminder_due says exactly). Each booking
  -- and start gets one row, ever: whether it still goes is private.message_wanted's to say when it is due.
  FOR r IN
    SELECT b, v.timezone, due
      FROM app.organizations g
      LEFT JOIN app.org_settings s ON s.org_id = g.id
     CROSS JOIN LATERAL (SELECT coalesce(s.reminder_lead, interval '24 hours') AS lead) l
      JOIN app.bookings b
        ON b.org_id = g.id AND b.status = 'confirmed'
       AND b.starts_at > at AND b.starts_at <= at + l.lead + interval '3 hours'
      JOIN app.experiences e ON e.org_id = b.org_id AND e.id = b.experience_id
      JOIN app.venues v ON v.org_id = e.org_id AND v.id = e.venue_id
     CROSS JOIN LATERAL (SELECT private.reminder_due(b.starts_at, v.timezone, l.lead) AS due) d
     WHERE d.due <= at
       AND NOT EXISTS (SELECT 1 FROM app.notifications_outbox o
                        WHERE o.dedupe_key = 'session_reminder:' || b.id || ':'
                                             || (EXTRACT(epoch FROM b.starts_at))::bigint)
     ORDER BY d.due
     LIMIT p_limit
  LOOP
    queued := queued + private.queue_session_messages(r.b, r.due);
  END LOOP;
  RETURN queued;
END
$function$
;

CREATE OR REPLACE FUNCTION private.queue_session_messages(p_booking app.bookings, p_due timestamp with time zone)
 RETURNS integer
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  message jsonb := private.booking_message(p_booking);
  start   text := (EXTRACT(epoch FROM p_booking.starts_at))::bigint::text;
  waiver  text;
BEGIN
  IF message -> 'customer' ->> 'email' IS NULL THEN
    RETURN 0;  -- nobody to write to
  END IF;
  PERFORM private.enqueue_notification(p_booking.org_id, 'session_reminder', message -> 'customer' ->> 'email',
                                       message, 'session_reminder:' || p_booking.id || ':' || start,
                                       p_due_at => p_due, p_customer_id => p_booking.customer_id);
  SELECT t.name INTO waiver
    FROM app.experiences e JOIN app.waiver_templates t ON t.id = e.waiver_template_id
   WHERE e.id = p_booking.experience_id;
  IF waiver IS NOT NULL THEN
    PERFORM private.enqueue_notification(p_booking.org_id, 'waiver_missing', message -> 'customer' ->> 'email',
                                         message || pg_catalog.jsonb_build_object(
                                           'waiver', pg_catalog.jsonb_build_object('name', waiver)),
                                         'waiver_missing:' || p_booking.id || ':' || start,
                                         p_due_at => p_due, p_customer_id => p_booking.customer_id);
  END IF;
  RETURN 1;
END
$function$
;

CREATE OR REPLACE FUNCTION private.bookings_notify()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  message   jsonb := private.booking_message(NEW);
  recipient text := message -> 'customer' ->> 'email';
  id        text := NEW.id::text;
BEGIN
  -- A session that is over is no news (a booking written for the past: an import, the demo data).
  IF recipient IS NULL OR NEW.ends_at <= pg_catalog.now() THEN
    RETURN NULL;
  END IF;
  -- The hold of a waitlist offer not taken ends with the offer, which the waitlist announces (waitlist_offer);
  -- once accepted it is the customer's booking, announced as any other.
  IF NEW.status IN ('cancelled', 'expired') AND private.is_waitlist_hold(NEW.id) THEN
    RETURN NULL;
  END IF;
  IF NEW.status = 'confirmed' AND (TG_OP = 'INSERT' OR OLD.status <> 'confirmed') THEN
    PERFORM private.enqueue_notification(NEW.org_id, 'booking_confirmed', recipient, message,
                                         'booking_confirmed:' || id, p_customer_id => NEW.customer_id);
  ELSIF TG_OP = 'INSERT' THEN
    RETURN NULL;
  ELSIF NEW.status = 'cancelled' AND OLD.status <> 'cancelled' THEN
    PERFORM private.enqueue_notification(
      NEW.org_id, 'booking_cancelled', recipient,
      message || pg_catalog.jsonb_build_object('cancellation', pg_catalog.jsonb_build_object(
                   'reason', NEW.cancel_reason, 'refund_due_minor', NEW.refund_due_minor)),
      'booking_cancelled:' || id, p_customer_id => NEW.customer_id);
  ELSIF NEW.status = 'expired' AND OLD.status = 'pending' THEN
    PERFORM private.enqueue_notification(NEW.org_id, 'booking_expired', recipient, message,
                                         'booking_expired:' || id, p_customer_id => NEW.customer_id);
  ELSIF NEW.status = 'confirmed' AND OLD.status = 'confirmed' AND NEW.starts_at <> OLD.starts_at THEN
    PERFORM private.enqueue_notification(
      NEW.org_id, 'booking_rescheduled', recipient,
      message || pg_catalog.jsonb_build_object('previous', pg_catalog.jsonb_build_object(
                   'starts_at', OLD.starts_at, 'ends_at', OLD.ends_at)),
      'booking_rescheduled:' || id || ':' || (EXTRACT(epoch FROM OLD.starts_at))::bigint || ':'
        || (EXTRACT(epoch FROM NEW.starts_at))::bigint || ':'
        || (EXTRACT(epoch FROM pg_catalog.statement_timestamp()) * 1000000)::bigint,
      p_customer_id => NEW.customer_id);
  END IF;
  RETURN NULL;
END
$function$
;

CREATE OR REPLACE FUNCTION private.message_wanted(p_message app.notifications_outbox)
 RETURNS text
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  -- Each kind whose message can stop making sense before it goes adds its rule here; a recipient's preferences
  -- are checked where they are kept. A session's reminder and its waiver message are for the booking and start
  -- they were queued for: skipped when the booking is no longer confirmed, its start moved (the new start has a
  -- message of its own) or the session has begun. That is the catch-up rule: a reminder found late (the worker
  -- was down) still goes while its session has not started, and is skipped once it has. A reminder is also
  -- skipped when its booking was confirmed or moved at or after the reminder's time: that message said it all.
  SELECT CASE
           WHEN p_message.kind = 'waitlist_offer' THEN private.waitlist_offer_unwanted(p_message)
           WHEN p_message.kind NOT IN ('session_reminder', 'waiver_missing') THEN NULL
           WHEN b.id IS NULL THEN 'booking_gone'
           WHEN b.status <> 'confirmed' THEN 'booking_' || b.status::text
           WHEN b.starts_at IS DISTINCT FROM (p_message.data -> 'booking' ->> 'starts_at')::timestamptz
             THEN 'session_moved'
           WHEN b.starts_at <= pg_catalog.now() THEN 'session_started'
           WHEN p_message.kind = 'session_reminder' AND EXISTS (
                  SELECT 1 FROM app.notifications_outbox n
                   WHERE n.org_id = p_message.org_id AND n.customer_id = p_message.customer_id
                     AND n.kind IN ('booking_confirmed', 'booking_rescheduled')
                     AND n.data -> 'booking' ->> 'id' = b.id::text
                     AND n.created_at >= p_message.due_at)
             THEN 'told_after_due'
           WHEN p_message.kind = 'waiver_missing' AND (private.waiver_counts(b) ->> 'missing')::integer = 0
             THEN 'waiver_signed'
         END
    FROM (SELECT) AS one
    LEFT JOIN app.bookings b
      ON b.org_id = p_message.org_id
     AND b.id = CASE WHEN p_message.kind IN ('session_reminder', 'waiver_missing')
                     THEN (p_message.data -> 'booking' ->> 'id')::uuid END
$function$
;
REVOKE ALL ON FUNCTION private.bookings_notify() FROM PUBLIC;
COMMENT ON FUNCTION private.bookings_notify() IS 'Trigger: queues the customer''s e-mail of a booking''s change in its transaction, once per event (dedupe keys):
booking_confirmed, booking_cancelled (with the reason and the refund
due), booking_expired (a hold that ran out), booking_rescheduled (a confirmed booking''s start moved, with the
previous times). Reminders come later, from private.queue_due_reminders. Nothing for a session that is over, nor for the end of a waitlist
offer''s hold not taken (the waitlist announces its offers). A definer: it writes the outbox, which nobody else may.';
REVOKE ALL ON FUNCTION private.message_wanted(app.notifications_outbox) FROM PUBLIC, service_role;
GRANT EXECUTE ON FUNCTION private.message_wanted(app.notifications_outbox) TO service_role;
COMMENT ON FUNCTION private.message_wanted(app.notifications_outbox) IS 'NULL when a due message should still go out, else the reason it is skipped instead. A session_reminder or
waiver_missing message is skipped when its booking is gone (booking_gone) or no longer confirmed (booking_cancelled,
booking_completed, booking_no_show, …), when the booking''s start is no longer the one it was queued for
(session_moved: the new start has its own), when the session has started (session_started: a reminder found late
still goes until then, never after), a session_reminder when its customer was told of the booking (confirmed or
rescheduled) at or after the reminder''s time (told_after_due: that message has just said it all), and a
waiver_missing message when every participant has signed
(waiver_signed). A waitlist_offer message is skipped once its offer is no longer open (offer_ended,
private.waitlist_offer_unwanted). Other kinds always go. Asked by the delivery worker for each message it takes, at the moment it
takes it; a definer, since it reads the booking whoever asks.';
REVOKE ALL ON FUNCTION private.queue_due_reminders(timestamp with time zone,integer) FROM PUBLIC, service_role;
GRANT EXECUTE ON FUNCTION private.queue_due_reminders(timestamp with time zone,integer) TO service_role;
COMMENT ON FUNCTION private.queue_due_reminders(timestamp with time zone,integer) IS 'Queues the session_reminder e-mail (and waiver_missing, when the experience asks for a waiver) of every confirmed
booking whose session has not started by p_at (NULL: now; within a year of now) and whose reminder time, the
organization''s reminder_lead before the start on the venue''s wall clock (private.reminder_due), has come, once
per booking and start (dedupe keys), due at that time; at most p_limit (1 to 10000) bookings a call, the earliest
due first. Answers how many bookings it queued for; 0 also when another sweep is running. Whether each message
still goes is decided when the worker takes it (private.message_wanted). Called by the delivery worker on each
pass (and by tests with p_at); for service_role or the database owner. Errors: PT400 an argument out of range;
PT403 anyone else.';
REVOKE ALL ON FUNCTION private.queue_session_messages(app.bookings,timestamp with time zone) FROM PUBLIC;
COMMENT ON FUNCTION private.queue_session_messages(app.bookings,timestamp with time zone) IS 'Queues what booking p_booking''s coming session needs when its reminder time p_due has come, for its start as it
is now: the session_reminder e-mail, and waiver_missing when the experience asks for a waiver, both due at p_due;
once per booking and start (dedupe keys). Answers 1, or 0 when the customer has no e-mail address. For
private.queue_due_reminders.';

COMMIT;
