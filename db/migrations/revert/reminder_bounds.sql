-- Revert tessera:reminder_bounds from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

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

COMMIT;
