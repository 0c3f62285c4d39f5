-- Verify tessera:enqueue_planned on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'private.enqueue_notification(uuid,text,text,jsonb,text,text,text,timestamp with time zone,uuid,uuid)'::pg_catalog.regprocedure;
END
$verify$;

ROLLBACK;
