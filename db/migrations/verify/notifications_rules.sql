-- Verify tessera:notifications_rules on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that enqueue_planned changed are retired; its verify checks them now.

-- Checks of functions that notify_events changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'private.message_template(uuid,text,text,text)'::pg_catalog.regprocedure;
  IF pg_catalog.to_regprocedure('private.enqueue_notification(uuid,text,text,jsonb,text)') IS NOT NULL THEN
    RAISE EXCEPTION '% should be gone', 'private.enqueue_notification(uuid,text,text,jsonb,text)';
  END IF;
END
$verify$;

ROLLBACK;
