-- Verify tessera:reminder_bounds on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'private.queue_due_reminders(timestamp with time zone,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.queue_due_reminders(timestamp with time zone,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.queue_due_reminders(timestamp with time zone,integer)';
  END IF;
END
$verify$;

ROLLBACK;
