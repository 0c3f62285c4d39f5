-- Deploy tessera:notify_past_sessions to pg
-- requires: template_rules
--
-- A change to a booking whose session is over queues no message (an import, the demo data); the demo's seeded messages are marked skipped

BEGIN;

SET LOCAL check_function_bodies = off;

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
REVOKE ALL ON FUNCTION private.bookings_notify() FROM PUBLIC;
COMMENT ON FUNCTION private.bookings_notify() IS 'Trigger: queues the customer''s e-mail of a booking''s change in its transaction, once per event (dedupe keys):
booking_confirmed with the session''s reminder and waiver messages, booking_cancelled (with the reason and the refund
due), booking_expired (a hold that ran out), booking_rescheduled (a confirmed booking''s start moved, with the
previous times) with the new start''s reminder. Nothing for a session that is over. A definer: it writes the outbox, which nobody else may.';

COMMIT;
