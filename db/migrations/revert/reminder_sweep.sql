-- Revert tessera:reminder_sweep from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop function if exists "private"."queue_due_reminders"(p_at timestamp with time zone, p_limit integer);

drop function if exists "private"."queue_session_messages"(p_booking app.bookings, p_due timestamp with time zone);

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.queue_session_messages(p_booking app.bookings, p_message jsonb)
 RETURNS void
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  due    timestamptz := private.reminder_due(
           p_booking.starts_at, p_message ->> 'timezone',
           coalesce((SELECT s.reminder_lead FROM app.org_settings s WHERE s.org_id = p_booking.org_id),
                    interval '24 hours'));
  start  text := (EXTRACT(epoch FROM p_booking.starts_at))::bigint::text;
  waiver text;
BEGIN
  IF p_booking.starts_at <= pg_catalog.now() THEN
    RETURN;  -- nothing is coming to remind of
  END IF;
  -- A booking made after its reminder time needs none: its confirmation has just said it all.
  IF due > pg_catalog.now() THEN
    PERFORM private.enqueue_notification(p_booking.org_id, 'session_reminder', p_message -> 'customer' ->> 'email',
                                         p_message, 'session_reminder:' || p_booking.id || ':' || start,
                                         p_due_at => due, p_customer_id => p_booking.customer_id);
  END IF;
  SELECT t.name INTO waiver
    FROM app.experiences e JOIN app.waiver_templates t ON t.id = e.waiver_template_id
   WHERE e.id = p_booking.experience_id;
  IF waiver IS NOT NULL THEN
    -- Due with the reminder, or at once when that time has passed: a missing waiver still matters until the start.
    PERFORM private.enqueue_notification(p_booking.org_id, 'waiver_missing', p_message -> 'customer' ->> 'email',
                                         p_message || pg_catalog.jsonb_build_object(
                                           'waiver', pg_catalog.jsonb_build_object('name', waiver)),
                                         'waiver_missing:' || p_booking.id || ':' || start,
                                         p_due_at => greatest(due, pg_catalog.now()),
                                         p_customer_id => p_booking.customer_id);
  END IF;
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
    PERFORM private.queue_session_messages(NEW, message);
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
    PERFORM private.queue_session_messages(NEW, message);
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
  -- was down) still goes while its session has not started, and is skipped once it has.
  SELECT CASE
           WHEN p_message.kind = 'waitlist_offer' THEN private.waitlist_offer_unwanted(p_message)
           WHEN p_message.kind NOT IN ('session_reminder', 'waiver_missing') THEN NULL
           WHEN b.id IS NULL THEN 'booking_gone'
           WHEN b.status <> 'confirmed' THEN 'booking_' || b.status::text
           WHEN b.starts_at IS DISTINCT FROM (p_message.data -> 'booking' ->> 'starts_at')::timestamptz
             THEN 'session_moved'
           WHEN b.starts_at <= pg_catalog.now() THEN 'session_started'
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
booking_confirmed with the session''s reminder and waiver messages, booking_cancelled (with the reason and the refund
due), booking_expired (a hold that ran out), booking_rescheduled (a confirmed booking''s start moved, with the
previous times) with the new start''s reminder. Nothing for a session that is over, nor for the end of a waitlist
offer''s hold not taken (the waitlist announces its offers). A definer: it writes the outbox, which nobody else may.';
REVOKE ALL ON FUNCTION private.message_wanted(app.notifications_outbox) FROM PUBLIC, service_role;
GRANT EXECUTE ON FUNCTION private.message_wanted(app.notifications_outbox) TO service_role;
COMMENT ON FUNCTION private.message_wanted(app.notifications_outbox) IS 'NULL when a due message should still go out, else the reason it is skipped instead. A session_reminder or
waiver_missing message is skipped when its booking is gone (booking_gone) or no longer confirmed (booking_cancelled,
booking_completed, booking_no_show, …), when the booking''s start is no longer the one it was queued for
(session_moved: the new start has its own), when the session has started (session_started: a reminder found late
still goes until then, never after), and a waiver_missing message when every participant has signed
(waiver_signed). A waitlist_offer message is skipped once its offer is no longer open (offer_ended,
private.waitlist_offer_unwanted). Other kinds always go. Asked by the delivery worker for each message it takes, at the moment it
takes it; a definer, since it reads the booking whoever asks.';
REVOKE ALL ON FUNCTION private.queue_session_messages(app.bookings,jsonb) FROM PUBLIC;
COMMENT ON FUNCTION private.queue_session_messages(app.bookings,jsonb) IS 'Queues what a confirmed booking''s coming session needs, for its start as it is now: the session_reminder e-mail due
the organization''s reminder_lead before it on the venue''s wall clock (none when that time has passed already), and
waiver_missing, when the experience asks for a waiver, due then or at once. Once per booking and start (dedupe
keys). p_message is the booking''s private.booking_message. For private.bookings_notify.';

COMMIT;
