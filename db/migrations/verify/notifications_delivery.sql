-- Verify tessera:notifications_delivery on pg
--
-- Raises unless the outbox has its delivery columns and lease rule, the attempts, kinds and template tables exist
-- with RLS enabled and forced, and organizations have a locale.

BEGIN;

SELECT category, user_id, customer_id, due_at, next_attempt_at, attempts, claimed_by, claimed_until, sent_at,
       provider_message_id, last_error, read_at
  FROM app.notifications_outbox WHERE false;
SELECT org_id, message_id, attempt, worker, started_at, finished_at, outcome, provider_message_id, error
  FROM app.notification_attempts WHERE false;
SELECT kind, category, description, sample_data FROM app.notification_kinds WHERE false;
SELECT kind, channel, locale, subject, html, body FROM app.default_templates WHERE false;
SELECT org_id, kind, channel, locale, subject, html, body, updated_at, updated_by
  FROM app.notification_templates WHERE false;
SELECT locale FROM app.org_settings WHERE false;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['notification_kinds', 'notification_attempts', 'default_templates',
                           'notification_templates'] LOOP
    IF NOT (SELECT relrowsecurity AND relforcerowsecurity FROM pg_catalog.pg_class
             WHERE oid = format('app.%I', t)::regclass) THEN
      RAISE EXCEPTION 'row-level security is not enabled and forced on app.%', t;
    END IF;
  END LOOP;
  PERFORM FROM pg_catalog.pg_constraint WHERE conname = 'notifications_outbox_lease_check'
                                          AND conrelid = 'app.notifications_outbox'::regclass;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'app.notifications_outbox lacks its lease rule';
  END IF;
  IF to_regclass('app.notifications_outbox_due_idx') IS NULL THEN
    RAISE EXCEPTION 'app.notifications_outbox lacks its due index';
  END IF;
END
$$;

ROLLBACK;
