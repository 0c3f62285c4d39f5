-- Functions of the `notifications` area, its events: what a booking's change tells its customer. Triggers on
-- app.bookings queue the message in the transaction of the change (a rollback leaves none, a commit always one),
-- each under a dedupe key, so a repeated event or a retried transaction never queues it twice:
--
--   booking_confirmed    booking_confirmed:<booking>                 created confirmed, or pending/expired -> confirmed
--   booking_cancelled    booking_cancelled:<booking>                 pending or confirmed -> cancelled
--   booking_expired      booking_expired:<booking>                   a hold that ran out: pending -> expired
--   booking_rescheduled  booking_rescheduled:<booking>:<from>:<to>:<statement>   a confirmed booking's start moved
--   session_reminder     session_reminder:<booking>:<start>          at confirmation and at each new start
--   waiver_missing       waiver_missing:<booking>:<start>            the same, when the experience asks for a waiver
--
-- (<from>, <to>, <start>: Unix seconds; <statement>: when the statement that moved it began, in microseconds, so
-- that moving back and forth again is news each time while the same move seen twice is not; a move to the start a
-- booking has is no move and fires nothing.) Messages go by e-mail to the customer's address: SMS and in-app are
-- channels the templates have, but no booking event uses them yet (customers have no accounts, and a phone number
-- is no consent to texts). A pending booking that moves hears nothing: its confirmation will carry the new time.
-- The hold of a waitlist offer (private.is_waitlist_hold) is the waitlist's to announce until it is accepted.
--
-- Reminders are rows of the outbox due later (due_at), so nothing needs a job that could fall behind unseen: the
-- delivery worker takes them when due and asks private.message_wanted whether they still make sense.


-- When a reminder is due. -------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.reminder_due(p_starts_at timestamptz, p_timezone text, p_lead interval)
RETURNS timestamptz
LANGUAGE sql
STABLE
PARALLEL SAFE
SET search_path = ''
AS $$
  -- On the venue's wall clock: the start's local time less the lead, read back in the zone (a local time the
  -- clocks skip is read with the offset before the change, as PostgreSQL reads it).
  SELECT coalesce(private.local_to_instant((p_starts_at AT TIME ZONE p_timezone) - p_lead, p_timezone),
                  ((p_starts_at AT TIME ZONE p_timezone) - p_lead) AT TIME ZONE p_timezone)
$$;

COMMENT ON FUNCTION private.reminder_due(timestamptz, text, interval) IS
'When the reminder of a session starting at p_starts_at at a venue in zone p_timezone is due, p_lead before it on
the venue''s wall clock: 24 hours before a 10:00 session is 10:00 the day before, 25 real hours when the clocks went
back overnight.';

REVOKE ALL ON FUNCTION private.reminder_due(timestamptz, text, interval) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.queue_session_messages(p_booking app.bookings, p_message jsonb)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
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
$$;

COMMENT ON FUNCTION private.queue_session_messages(app.bookings, jsonb) IS
'Queues what a confirmed booking''s coming session needs, for its start as it is now: the session_reminder e-mail due
the organization''s reminder_lead before it on the venue''s wall clock (none when that time has passed already), and
waiver_missing, when the experience asks for a waiver, due then or at once. Once per booking and start (dedupe
keys). p_message is the booking''s private.booking_message. For private.bookings_notify.';

REVOKE ALL ON FUNCTION private.queue_session_messages(app.bookings, jsonb) FROM PUBLIC;


-- The trigger. ------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.bookings_notify()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
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
$$;

COMMENT ON FUNCTION private.bookings_notify() IS
'Trigger: queues the customer''s e-mail of a booking''s change in its transaction, once per event (dedupe keys):
booking_confirmed with the session''s reminder and waiver messages, booking_cancelled (with the reason and the refund
due), booking_expired (a hold that ran out), booking_rescheduled (a confirmed booking''s start moved, with the
previous times) with the new start''s reminder. Nothing for a session that is over, nor for the end of a waitlist
offer''s hold not taken (the waitlist announces its offers). A definer: it writes the outbox, which nobody else may.';

REVOKE ALL ON FUNCTION private.bookings_notify() FROM PUBLIC;

DROP TRIGGER IF EXISTS bookings_notify_insert ON app.bookings;
CREATE TRIGGER bookings_notify_insert
  AFTER INSERT ON app.bookings
  FOR EACH ROW WHEN (NEW.status = 'confirmed') EXECUTE FUNCTION private.bookings_notify();

DROP TRIGGER IF EXISTS bookings_notify_update ON app.bookings;
CREATE TRIGGER bookings_notify_update
  AFTER UPDATE OF status, starts_at ON app.bookings
  FOR EACH ROW WHEN (NEW.status IN ('confirmed', 'cancelled', 'expired')
                     AND (OLD.status IS DISTINCT FROM NEW.status OR OLD.starts_at IS DISTINCT FROM NEW.starts_at))
  EXECUTE FUNCTION private.bookings_notify();
