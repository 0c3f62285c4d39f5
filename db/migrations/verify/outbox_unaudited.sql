-- Verify tessera:outbox_unaudited on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  IF EXISTS (SELECT FROM pg_catalog.pg_trigger
              WHERE tgrelid = 'app.notifications_outbox'::regclass AND tgname = 'audit_log') THEN
    RAISE EXCEPTION 'app.notifications_outbox is still audited';
  END IF;
END
$verify$;

ROLLBACK;
