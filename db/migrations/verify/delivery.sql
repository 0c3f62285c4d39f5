-- Verify tessera:delivery on pg
--
-- Raises unless the outbox has its claim time and rendered in-app columns; changes nothing.

BEGIN;

SELECT claimed_at, rendered_subject, rendered_body FROM app.notifications_outbox WHERE false;

DO $$
BEGIN
  PERFORM FROM pg_catalog.pg_constraint WHERE conname = 'notifications_outbox_rendered_check'
     AND conrelid = 'app.notifications_outbox'::regclass;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'app.notifications_outbox has no notifications_outbox_rendered_check';
  END IF;
END
$$;

ROLLBACK;
