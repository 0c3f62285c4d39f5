-- Deploy tessera:webhook_endpoints to pg
-- requires: delivery_rules
-- requires: waitlist_rules
--
-- Outgoing webhooks. An organization registers endpoints: a public http(s) URL (checked again when saved by the
-- webhook functions, and at send time by the sender), the event types it wants (a fixed list, the events the
-- database records), and a signing secret in the Standard Webhooks form (`whsec_` and 32 random bytes in base64,
-- made in the database; a column named `secret`, which the audit log leaves out). An endpoint that keeps failing
-- is disabled (enabled false, with when and why) after counting its consecutive failures since failing_since.
-- Each event writes one delivery per subscribed endpoint, in the transaction that recorded it, once per endpoint
-- and event key (UNIQUE (endpoint_id, event_key)); its webhook_id (`msg_…`, the `webhook-id` header) stays the same
-- for every attempt, so receivers deduplicate on it. A delivery is leased and retried like the notifications
-- outbox (queued -> sending under claimed_until -> delivered, or queued again after a backoff, or dead), and every
-- attempt is a row with the HTTP status, the error and the duration. org_id is in every key and every foreign key.
-- Nobody reads or writes these tables but the webhook functions (SECURITY DEFINER, with their own checks): RLS is
-- enabled and forced with no policy, and no API role holds a privilege on them.

BEGIN;

CREATE TABLE app.webhook_endpoints (
  org_id               uuid        NOT NULL REFERENCES app.organizations (id) ON DELETE CASCADE,
  id                   uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  url                  text        NOT NULL CONSTRAINT webhook_endpoints_url_check
                                   CHECK (length(url) BETWEEN 10 AND 2000 AND url ~* '^https?://[^\s]+$'),
  description          text        CONSTRAINT webhook_endpoints_description_check CHECK (length(description) <= 500),
  event_types          text[]      NOT NULL CONSTRAINT webhook_endpoints_event_types_check
                                   CHECK (cardinality(event_types) BETWEEN 1 AND 20
                                          AND array_position(event_types, NULL) IS NULL
                                          AND event_types <@ ARRAY['booking.created', 'booking.confirmed',
                                                                   'booking.cancelled', 'booking.rescheduled',
                                                                   'payment.succeeded', 'refund.created',
                                                                   'checkin.created', 'waitlist.offered']),
  secret               text        NOT NULL CONSTRAINT webhook_endpoints_secret_check
                                   CHECK (secret ~ '^whsec_[A-Za-z0-9+/]{43}=$'),
  enabled              boolean     NOT NULL DEFAULT true,
  disabled_at          timestamptz,
  disabled_reason      text        CONSTRAINT webhook_endpoints_disabled_reason_check
                                   CHECK (length(disabled_reason) <= 500),
  consecutive_failures integer     NOT NULL DEFAULT 0 CONSTRAINT webhook_endpoints_consecutive_failures_check
                                   CHECK (consecutive_failures >= 0),
  failing_since        timestamptz,
  created_by           uuid        REFERENCES auth.users (id) ON DELETE SET NULL,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id),
  CONSTRAINT webhook_endpoints_disabled_check CHECK (enabled = (disabled_at IS NULL)),
  CONSTRAINT webhook_endpoints_failing_check CHECK ((consecutive_failures = 0) = (failing_since IS NULL))
);
COMMENT ON TABLE app.webhook_endpoints IS
  'An organization''s outgoing webhook endpoints: a public http(s) URL, the event types it receives, the Standard '
  'Webhooks signing secret (whsec_…), and whether it is enabled (disabled with disabled_at and disabled_reason '
  'after failing consecutive_failures times since failing_since).';
CREATE INDEX webhook_endpoints_org_idx ON app.webhook_endpoints (org_id) WHERE enabled;
CREATE INDEX webhook_endpoints_created_by_idx ON app.webhook_endpoints (created_by);

CREATE TABLE app.webhook_deliveries (
  org_id           uuid        NOT NULL,
  id               uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  endpoint_id      uuid        NOT NULL,
  event_type       text        NOT NULL CONSTRAINT webhook_deliveries_event_type_check
                               CHECK (event_type ~ '^[a-z]+\.[a-z_]+$' AND length(event_type) <= 50),
  event_key        text        NOT NULL CONSTRAINT webhook_deliveries_event_key_check
                               CHECK (length(event_key) BETWEEN 1 AND 300),
  payload          jsonb       NOT NULL CONSTRAINT webhook_deliveries_payload_check
                               CHECK (jsonb_typeof(payload) = 'object'),
  webhook_id       text        NOT NULL GENERATED ALWAYS AS ('msg_' || replace(id::text, '-', '')) STORED,
  status           text        NOT NULL DEFAULT 'queued' CONSTRAINT webhook_deliveries_status_check
                               CHECK (status IN ('queued', 'sending', 'delivered', 'dead')),
  attempts         smallint    NOT NULL DEFAULT 0 CONSTRAINT webhook_deliveries_attempts_check CHECK (attempts >= 0),
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  claimed_by       text        CONSTRAINT webhook_deliveries_claimed_by_check CHECK (length(claimed_by) <= 200),
  claimed_at       timestamptz,
  claimed_until    timestamptz,
  delivered_at     timestamptz,
  last_status_code smallint,
  last_error       text        CONSTRAINT webhook_deliveries_last_error_check CHECK (length(last_error) <= 2000),
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id),
  CONSTRAINT webhook_deliveries_once UNIQUE (endpoint_id, event_key),
  FOREIGN KEY (org_id, endpoint_id) REFERENCES app.webhook_endpoints (org_id, id) ON DELETE CASCADE,
  CONSTRAINT webhook_deliveries_lease_check CHECK ((status = 'sending') = (claimed_until IS NOT NULL)),
  CONSTRAINT webhook_deliveries_delivered_check CHECK ((status = 'delivered') = (delivered_at IS NOT NULL))
);
COMMENT ON TABLE app.webhook_deliveries IS
  'One event for one endpoint, written in the transaction that recorded the event, once per endpoint and '
  'event_key; webhook_id is the Standard Webhooks message id (the webhook-id header) of every attempt. status: '
  'queued (due at next_attempt_at), sending (leased until claimed_until), delivered, dead.';
CREATE INDEX webhook_deliveries_due_idx ON app.webhook_deliveries (next_attempt_at) WHERE status = 'queued';
CREATE INDEX webhook_deliveries_lease_idx ON app.webhook_deliveries (claimed_until) WHERE status = 'sending';
CREATE INDEX webhook_deliveries_endpoint_idx ON app.webhook_deliveries (org_id, endpoint_id, created_at DESC, id);

CREATE TABLE app.webhook_attempts (
  org_id      uuid        NOT NULL,
  delivery_id uuid        NOT NULL,
  attempt     smallint    NOT NULL CONSTRAINT webhook_attempts_attempt_check CHECK (attempt >= 1),
  worker      text        NOT NULL CONSTRAINT webhook_attempts_worker_check CHECK (length(worker) BETWEEN 1 AND 200),
  started_at  timestamptz NOT NULL,
  finished_at timestamptz NOT NULL DEFAULT now(),
  outcome     text        NOT NULL CONSTRAINT webhook_attempts_outcome_check
                          CHECK (outcome IN ('delivered', 'retry', 'dead')),
  status_code smallint    CONSTRAINT webhook_attempts_status_code_check CHECK (status_code BETWEEN 100 AND 599),
  error       text        CONSTRAINT webhook_attempts_error_check CHECK (length(error) <= 2000),
  duration_ms integer     CONSTRAINT webhook_attempts_duration_ms_check CHECK (duration_ms >= 0),
  PRIMARY KEY (org_id, delivery_id, attempt),
  FOREIGN KEY (org_id, delivery_id) REFERENCES app.webhook_deliveries (org_id, id) ON DELETE CASCADE,
  CONSTRAINT webhook_attempts_check CHECK (finished_at >= started_at)
);
COMMENT ON TABLE app.webhook_attempts IS
  'One row per attempt at a webhook delivery: the worker, when, the outcome, the HTTP status code (none when no '
  'answer came), the error and how long it took.';

ALTER TABLE app.webhook_endpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.webhook_endpoints FORCE ROW LEVEL SECURITY;
ALTER TABLE app.webhook_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.webhook_deliveries FORCE ROW LEVEL SECURITY;
ALTER TABLE app.webhook_attempts ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.webhook_attempts FORCE ROW LEVEL SECURITY;

COMMIT;
