-- Revert tessera:notifications_delivery from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it: messages of a channel or
-- status the old outbox did not know are removed with their columns' meaning (in-app rows, skipped rows), dead
-- ones read as failed again.

BEGIN;

ALTER TABLE app.org_settings DROP COLUMN locale;
DROP TABLE app.notification_templates;
DROP TABLE app.default_templates;
DROP TABLE app.notification_attempts;

DROP INDEX app.notifications_outbox_due_idx, app.notifications_outbox_lease_idx, app.notifications_outbox_dead_idx,
           app.notifications_outbox_inbox_idx, app.notifications_outbox_customer_idx,
           app.notifications_outbox_kind_idx, app.notifications_outbox_user_idx;
ALTER TABLE app.notifications_outbox
  DROP CONSTRAINT notifications_outbox_status_check,
  DROP CONSTRAINT notifications_outbox_lease_check,
  DROP CONSTRAINT notifications_outbox_sent_check,
  DROP CONSTRAINT notifications_outbox_in_app_check,
  DROP CONSTRAINT notifications_outbox_read_check,
  DROP CONSTRAINT notifications_outbox_kind_fkey,
  DROP CONSTRAINT notifications_outbox_customer_fkey;
DELETE FROM app.notifications_outbox WHERE channel = 'in_app';
UPDATE app.notifications_outbox SET status = 'failed' WHERE status = 'dead';
UPDATE app.notifications_outbox SET status = 'sent' WHERE status = 'skipped';
ALTER TABLE app.notifications_outbox
  DROP CONSTRAINT notifications_outbox_channel_check,
  ADD CONSTRAINT notifications_outbox_channel_check CHECK (channel IN ('email', 'sms')),
  ADD CONSTRAINT notifications_outbox_status_check CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
  DROP COLUMN category, DROP COLUMN user_id, DROP COLUMN customer_id, DROP COLUMN due_at,
  DROP COLUMN next_attempt_at, DROP COLUMN attempts, DROP COLUMN claimed_by, DROP COLUMN claimed_until,
  DROP COLUMN sent_at, DROP COLUMN provider_message_id, DROP COLUMN last_error, DROP COLUMN read_at;
CREATE INDEX notifications_outbox_queued_idx ON app.notifications_outbox (created_at) WHERE status = 'queued';
COMMENT ON TABLE app.notifications_outbox IS
  'Messages to send, written in the transaction of what they announce; dedupe_key makes each one once. Delivery '
  'is a later change: rows wait as queued.';

DROP TABLE app.notification_kinds;

COMMIT;
