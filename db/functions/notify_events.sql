-- Functions of the `notifications` area, its events: what a booking's change tells its customer. Triggers on
-- app.bookings queue the message in the transaction of the change (a rollback leaves none, a commit always one),
-- each under a dedupe key, so a repeated event or a retried transaction never queues it twice:
--
--   booking_confirmed    booking_confirmed:<booking>                 created confirmed, or pending/expired -> confirmed
--   booking_cancelled    booking_cancelled:<booking>                 pending or confirmed -> cancelled
--   booking_expired      booking_expired:<booking>                   a hold that ran out: pending -> expired
--   booking_rescheduled  booking_rescheduled:<booking>:<from>:<to>:<statement>   a confirmed booking's start moved
--   session_reminder     session_reminder:<booking>:<start>          its time came (private.queue_due_reminders)
--   waiver_missing       waiver_missing:<booking>:<start>            the same, when the experience asks for a waiver
--
-- (<from>, <to>, <start>: Unix seconds; <statement>: when the statement that moved it began, in microseconds, so
-- that moving back and forth again is news each time while the same move seen twice is not; a move to the start a
-- booking has is no move and fires nothing.) Messages go by e-mail to the customer's address: SMS and in-app are
-- channels the templates have, but no booking event uses them yet (customers have no accounts, and a phone number
-- is no consent to texts). A pending booking that moves hears nothing: its confirmation will carry the new time.
-- The hold of a waitlist offer (private.is_waitlist_hold) is the waitlist's to announce until it is accepted.
--
-- Reminders are not written when a booking is confirmed, which would double the outbox's cost on the booking path:
-- the delivery worker asks private.queue_due_reminders on each pass for every confirmed booking whose reminder
-- time has come and that has no reminder for its start yet. It keeps no watermark that could fall behind unseen:
-- a worker that was down finds on its first pass what came due meanwhile, and private.message_wanted decides, when
-- the message is taken, whether it still makes sense (the catch-up rule, and no reminder for a booking made or
-- moved after its reminder time: the confirmation has just said it all).


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


DROP FUNCTION IF EXISTS private.queue_session_messages(app.bookings, jsonb);

CREATE OR REPLACE FUNCTION private.queue_session_messages(p_booking app.bookings, p_due timestamptz)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
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
    FROM app.experiences e JOIN app.waiver_templates t ON t.org_id = e.org_id AND t.id = e.waiver_template_id
   WHERE e.org_id = p_booking.org_id AND e.id = p_booking.experience_id;
  IF waiver IS NOT NULL THEN
    PERFORM private.enqueue_notification(p_booking.org_id, 'waiver_missing', message -> 'customer' ->> 'email',
                                         message || pg_catalog.jsonb_build_object(
                                           'waiver', pg_catalog.jsonb_build_object('name', waiver)),
                                         'waiver_missing:' || p_booking.id || ':' || start,
                                         p_due_at => p_due, p_customer_id => p_booking.customer_id);
  END IF;
  RETURN 1;
END
$$;

COMMENT ON FUNCTION private.queue_session_messages(app.bookings, timestamptz) IS
'Queues what booking p_booking''s coming session needs when its reminder time p_due has come, for its start as it
is now: the session_reminder e-mail, and waiver_missing when the experience asks for a waiver, both due at p_due;
once per booking and start (dedupe keys). Answers 1, or 0 when the customer has no e-mail address. For
private.queue_due_reminders.';

REVOKE ALL ON FUNCTION private.queue_session_messages(app.bookings, timestamptz) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.queue_due_reminders(p_at timestamptz DEFAULT NULL, p_limit integer DEFAULT 1000)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  at     timestamptz := coalesce(p_at, pg_catalog.now());
  queued integer := 0;
  r      record;
BEGIN
  PERFORM private.require_service_role('queue due reminders');
  IF at NOT BETWEEN pg_catalog.now() - interval '366 days' AND pg_catalog.now() + interval '366 days' THEN
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
$$;

COMMENT ON FUNCTION private.queue_due_reminders(timestamptz, integer) IS
'Queues the session_reminder e-mail (and waiver_missing, when the experience asks for a waiver) of every confirmed
booking whose session has not started by p_at (NULL: now; within a year of now) and whose reminder time, the
organization''s reminder_lead before the start on the venue''s wall clock (private.reminder_due), has come, once
per booking and start (dedupe keys), due at that time; at most p_limit (1 to 10000) bookings a call, the earliest
due first. Answers how many bookings it queued for; 0 also when another sweep is running. Whether each message
still goes is decided when the worker takes it (private.message_wanted). Called by the delivery worker on each
pass (and by tests with p_at); for service_role or the database owner. Errors: PT400 an argument out of range;
PT403 anyone else.';

REVOKE ALL ON FUNCTION private.queue_due_reminders(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.queue_due_reminders(timestamptz, integer) TO service_role;


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
$$;

COMMENT ON FUNCTION private.bookings_notify() IS
'Trigger: queues the customer''s e-mail of a booking''s change in its transaction, once per event (dedupe keys):
booking_confirmed, booking_cancelled (with the reason and the refund
due), booking_expired (a hold that ran out), booking_rescheduled (a confirmed booking''s start moved, with the
previous times). Reminders come later, from private.queue_due_reminders. Nothing for a session that is over, nor for the end of a waitlist
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
