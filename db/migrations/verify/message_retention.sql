-- Verify tessera:message_retention on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'private.purge_finished_messages(interval,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.purge_finished_messages(interval,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.purge_finished_messages(interval,integer)';
  END IF;
END
$verify$;

ROLLBACK;
