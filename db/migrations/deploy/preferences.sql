-- Deploy tessera:preferences to pg
-- requires: delivery_rules
--
-- Per-channel message preferences. A row belongs to one organization and one subject: a customer of it (the
-- composite key carries org_id, and the row goes with the customer) or a staff account (user_id; it goes with the
-- account), and says, for one channel (email, sms, in_app) and category, whether messages are wanted (enabled),
-- since when (changed_at), how it was said (source: unsubscribe_link, api, staff) and by whom (changed_by, NULL for
-- the unsubscribe link). Transactional messages (confirmations, receipts, reminders) cannot be switched off: a
-- transactional row is never off. Marketing needs an explicit opt-in (GDPR, ePrivacy): with no row, a marketing
-- message is not sent unless the customer consented to marketing (app.customers.marketing_consent); the newer of
-- the row and that consent decides (db/functions/preferences.sql). One row per subject, channel and category.
-- Nobody reads or writes the rows but the preference functions (SECURITY DEFINER, with their own checks): RLS is
-- enabled and forced with no policy, and no API role holds a privilege on the table.

BEGIN;

CREATE TABLE app.message_preferences (
  org_id      uuid        NOT NULL REFERENCES app.organizations (id) ON DELETE CASCADE,
  id          uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  customer_id uuid,
  user_id     uuid        REFERENCES auth.users (id) ON DELETE CASCADE,
  channel     text        NOT NULL CONSTRAINT message_preferences_channel_check
                          CHECK (channel IN ('email', 'sms', 'in_app')),
  category    text        NOT NULL CONSTRAINT message_preferences_category_check
                          CHECK (category IN ('transactional', 'marketing')),
  enabled     boolean     NOT NULL,
  source      text        NOT NULL CONSTRAINT message_preferences_source_check
                          CHECK (source IN ('unsubscribe_link', 'api', 'staff')),
  changed_at  timestamptz NOT NULL DEFAULT now(),
  changed_by  uuid        REFERENCES auth.users (id) ON DELETE SET NULL,
  FOREIGN KEY (org_id, customer_id) REFERENCES app.customers (org_id, id) ON DELETE CASCADE,
  CONSTRAINT message_preferences_subject_check CHECK ((customer_id IS NULL) <> (user_id IS NULL)),
  CONSTRAINT message_preferences_transactional_check CHECK (category = 'marketing' OR enabled)
);
COMMENT ON TABLE app.message_preferences IS
  'Whether a customer or a staff account of an organization wants messages of a category on a channel, since '
  'changed_at, said through source (unsubscribe_link, api, staff) by changed_by. Transactional rows are never '
  'off; marketing without a row is not sent unless the customer consented (explicit opt-in).';
COMMENT ON CONSTRAINT message_preferences_transactional_check ON app.message_preferences IS
  'Transactional messages cannot be switched off.';
CREATE UNIQUE INDEX message_preferences_customer_key ON app.message_preferences (org_id, customer_id, channel, category)
  WHERE customer_id IS NOT NULL;
CREATE UNIQUE INDEX message_preferences_user_key ON app.message_preferences (org_id, user_id, channel, category)
  WHERE user_id IS NOT NULL;
CREATE INDEX message_preferences_user_idx ON app.message_preferences (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX message_preferences_changed_by_idx ON app.message_preferences (changed_by) WHERE changed_by IS NOT NULL;

ALTER TABLE app.message_preferences ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.message_preferences FORCE ROW LEVEL SECURITY;

COMMIT;
