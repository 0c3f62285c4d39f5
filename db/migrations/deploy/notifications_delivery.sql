-- Deploy tessera:notifications_delivery to pg
-- requires: payments_rules
-- requires: crm
--
-- What the delivery worker needs from the outbox, and where templates live. A message is due at `due_at` (now,
-- or later for a reminder), taken by a worker under a lease (`sending` until `claimed_until`, so a worker killed
-- mid-send gives the message back instead of losing it), and ends `sent`, `skipped` (nothing to send: the
-- recipient opted out) or `dead` (attempts exhausted; staff may retry it). Every attempt is a row of its own. A
-- message is transactional or marketing, which decides whether a preference can switch it off; its kind is one of
-- app.notification_kinds, the reference list the templates and the preview's sample data hang on. Templates are
-- Tessera's defaults (app.default_templates, a reference table) overridden per organization
-- (app.notification_templates), per kind, channel and locale. In-app messages are outbox rows of channel
-- `in_app` addressed to an account, read where they were sent. RLS is enabled and forced on every new table with
-- no policy: the notification functions (SECURITY DEFINER, with their own checks) are the only way in.

BEGIN;

CREATE TABLE app.notification_kinds (
  kind        text PRIMARY KEY CONSTRAINT notification_kinds_kind_check CHECK (kind ~ '^[a-z][a-z0-9_]{0,49}$'),
  category    text NOT NULL CONSTRAINT notification_kinds_category_check
              CHECK (category IN ('transactional', 'marketing')),
  description text NOT NULL CHECK (length(description) BETWEEN 1 AND 300),
  sample_data jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(sample_data) = 'object')
);
COMMENT ON TABLE app.notification_kinds IS
  'What Tessera tells people about, whether it is transactional (cannot be switched off) or marketing, and the '
  'data a message of the kind carries (sample_data, for previews and for checking templates when saved).';
INSERT INTO app.notification_kinds (kind, category, description) VALUES
  ('booking_confirmed',          'transactional', 'A booking was confirmed (paid, or confirmed by staff).'),
  ('booking_cancelled',          'transactional', 'A booking was cancelled.'),
  ('booking_rescheduled',        'transactional', 'A booking moved to another session.'),
  ('booking_expired',            'transactional', 'A held booking expired unpaid.'),
  ('payment_received',           'transactional', 'A payment was received for an order.'),
  ('refund_issued',              'transactional', 'A refund was issued.'),
  ('late_payment_refund',        'transactional', 'A payment arrived after its booking expired and was refunded.'),
  ('session_reminder',           'transactional', 'A booked session starts soon.'),
  ('waiver_missing',             'transactional', 'A participant of a coming session has not signed the waiver.'),
  ('waitlist_offer',             'transactional', 'Places freed up for a waitlist entry and are held for it.'),
  ('invitation',                 'transactional', 'Someone was invited to join an organization.'),
  ('webhook_endpoint_disabled',  'transactional', 'An outgoing webhook endpoint kept failing and was disabled.'),
  ('marketing',                  'marketing',     'A marketing message from the organization.');

ALTER TABLE app.notifications_outbox
  DROP CONSTRAINT notifications_outbox_channel_check,
  ADD CONSTRAINT notifications_outbox_channel_check CHECK (channel IN ('email', 'sms', 'in_app')),
  ADD COLUMN category text NOT NULL DEFAULT 'transactional'
    CONSTRAINT notifications_outbox_category_check CHECK (category IN ('transactional', 'marketing')),
  ADD COLUMN user_id uuid REFERENCES auth.users (id) ON DELETE SET NULL,
  ADD COLUMN customer_id uuid,
  ADD COLUMN due_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN attempts smallint NOT NULL DEFAULT 0 CONSTRAINT notifications_outbox_attempts_check CHECK (attempts >= 0),
  ADD COLUMN claimed_by text CONSTRAINT notifications_outbox_claimed_by_check CHECK (length(claimed_by) <= 200),
  ADD COLUMN claimed_until timestamptz,
  ADD COLUMN sent_at timestamptz,
  ADD COLUMN provider_message_id text
    CONSTRAINT notifications_outbox_provider_message_id_check CHECK (length(provider_message_id) <= 300),
  ADD COLUMN last_error text CONSTRAINT notifications_outbox_last_error_check CHECK (length(last_error) <= 2000),
  ADD COLUMN read_at timestamptz,
  ADD CONSTRAINT notifications_outbox_customer_fkey FOREIGN KEY (org_id, customer_id)
    REFERENCES app.customers (org_id, id) ON DELETE SET NULL (customer_id),
  ADD CONSTRAINT notifications_outbox_kind_fkey FOREIGN KEY (kind) REFERENCES app.notification_kinds (kind);

UPDATE app.notifications_outbox SET status = 'dead' WHERE status = 'failed';
UPDATE app.notifications_outbox SET sent_at = created_at WHERE status = 'sent';
UPDATE app.notifications_outbox SET status = 'queued' WHERE status = 'sending';

ALTER TABLE app.notifications_outbox
  DROP CONSTRAINT notifications_outbox_status_check,
  ADD CONSTRAINT notifications_outbox_status_check
    CHECK (status IN ('queued', 'sending', 'sent', 'skipped', 'dead')),
  ADD CONSTRAINT notifications_outbox_lease_check CHECK ((status = 'sending') = (claimed_until IS NOT NULL)),
  ADD CONSTRAINT notifications_outbox_sent_check CHECK ((status = 'sent') = (sent_at IS NOT NULL)),
  ADD CONSTRAINT notifications_outbox_in_app_check CHECK (channel <> 'in_app' OR user_id IS NOT NULL),
  ADD CONSTRAINT notifications_outbox_read_check CHECK (read_at IS NULL OR (channel = 'in_app' AND status = 'sent'));
COMMENT ON TABLE app.notifications_outbox IS
  'Messages to send, written in the transaction of what they announce (dedupe_key makes each one once), due at '
  'due_at, taken by a worker under a lease, ending sent, skipped or dead; in-app messages are read where they '
  'were sent.';
COMMENT ON CONSTRAINT notifications_outbox_lease_check ON app.notifications_outbox IS
  'A message being sent has a lease (claimed_until), and only a message being sent.';

DROP INDEX app.notifications_outbox_queued_idx;
CREATE INDEX notifications_outbox_due_idx ON app.notifications_outbox (next_attempt_at) WHERE status = 'queued';
CREATE INDEX notifications_outbox_lease_idx ON app.notifications_outbox (claimed_until) WHERE status = 'sending';
CREATE INDEX notifications_outbox_dead_idx ON app.notifications_outbox (org_id, created_at) WHERE status = 'dead';
CREATE INDEX notifications_outbox_inbox_idx ON app.notifications_outbox (user_id, created_at DESC, id)
  WHERE channel = 'in_app' AND status = 'sent';
CREATE INDEX notifications_outbox_customer_idx ON app.notifications_outbox (org_id, customer_id)
  WHERE customer_id IS NOT NULL;
CREATE INDEX notifications_outbox_kind_idx ON app.notifications_outbox (kind);

CREATE TABLE app.notification_attempts (
  org_id              uuid        NOT NULL,
  message_id          uuid        NOT NULL,
  attempt             smallint    NOT NULL CHECK (attempt >= 1),
  worker              text        NOT NULL CHECK (length(worker) BETWEEN 1 AND 200),
  started_at          timestamptz NOT NULL,
  finished_at         timestamptz NOT NULL DEFAULT now(),
  outcome             text        NOT NULL CONSTRAINT notification_attempts_outcome_check
                                  CHECK (outcome IN ('sent', 'retry', 'dead', 'skipped')),
  provider_message_id text        CHECK (length(provider_message_id) <= 300),
  error               text        CHECK (length(error) <= 2000),
  PRIMARY KEY (org_id, message_id, attempt),
  FOREIGN KEY (org_id, message_id) REFERENCES app.notifications_outbox (org_id, id) ON DELETE CASCADE,
  CHECK (finished_at >= started_at)
);
COMMENT ON TABLE app.notification_attempts IS
  'One row per delivery attempt of an outbox message: who tried, when, the outcome and the provider''s answer.';

CREATE TABLE app.default_templates (
  kind       text NOT NULL REFERENCES app.notification_kinds (kind),
  channel    text NOT NULL CHECK (channel IN ('email', 'sms', 'in_app')),
  locale     text NOT NULL CHECK (locale ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$'),
  subject    text CHECK (length(subject) BETWEEN 1 AND 300),
  html       text CHECK (length(html) BETWEEN 1 AND 100000),
  body       text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
  PRIMARY KEY (kind, channel, locale),
  CONSTRAINT default_templates_parts_check CHECK (CASE channel
    WHEN 'email' THEN subject IS NOT NULL AND html IS NOT NULL
    WHEN 'sms' THEN subject IS NULL AND html IS NULL
    ELSE html IS NULL END)
);
COMMENT ON TABLE app.default_templates IS
  'Tessera''s templates, per kind, channel and locale: what an organization sends until it overrides one.';

CREATE TABLE app.notification_templates (
  org_id     uuid        NOT NULL REFERENCES app.organizations (id) ON DELETE CASCADE,
  kind       text        NOT NULL REFERENCES app.notification_kinds (kind),
  channel    text        NOT NULL CHECK (channel IN ('email', 'sms', 'in_app')),
  locale     text        NOT NULL CHECK (locale ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$'),
  subject    text        CHECK (length(subject) BETWEEN 1 AND 300),
  html       text        CHECK (length(html) BETWEEN 1 AND 100000),
  body       text        NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid        REFERENCES auth.users (id) ON DELETE SET NULL,
  PRIMARY KEY (org_id, kind, channel, locale),
  CONSTRAINT notification_templates_parts_check CHECK (CASE channel
    WHEN 'email' THEN subject IS NOT NULL AND html IS NOT NULL
    WHEN 'sms' THEN subject IS NULL AND html IS NULL
    ELSE html IS NULL END)
);
COMMENT ON TABLE app.notification_templates IS
  'An organization''s own templates, each replacing the default of its kind, channel and locale.';
COMMENT ON CONSTRAINT notification_templates_parts_check ON app.notification_templates IS
  'An e-mail template has a subject, an HTML and a text body; an SMS only a text; an in-app message a text and '
  'perhaps a title.';
CREATE INDEX notification_templates_kind_idx ON app.notification_templates (kind);
CREATE INDEX notification_templates_updated_by_idx ON app.notification_templates (updated_by);
CREATE INDEX notifications_outbox_user_idx ON app.notifications_outbox (user_id) WHERE user_id IS NOT NULL;

ALTER TABLE app.org_settings
  ADD COLUMN locale text NOT NULL DEFAULT 'en' CONSTRAINT org_settings_locale_check
    CHECK (locale ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$');
COMMENT ON COLUMN app.org_settings.locale IS
  'The locale an organization''s messages are written in when nothing says otherwise (a BCP 47 tag: en, ar, de-CH).';

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['notification_kinds', 'notification_attempts', 'default_templates',
                           'notification_templates'] LOOP
    EXECUTE format('ALTER TABLE app.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE app.%I FORCE ROW LEVEL SECURITY', t);
  END LOOP;
END
$$;

COMMIT;
