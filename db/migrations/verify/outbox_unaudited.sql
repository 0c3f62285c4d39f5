-- Verify tessera:outbox_unaudited on pg
--
-- Raises when app.notifications_outbox still has its audit trigger.

BEGIN;

DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_catalog.pg_trigger WHERE tgname = 'audit_log'
                                               AND tgrelid = 'app.notifications_outbox'::regclass) THEN
    RAISE EXCEPTION 'app.notifications_outbox is still audited';
  END IF;
END
$$;

ROLLBACK;
