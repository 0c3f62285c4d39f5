-- Deploy tessera:payments to pg
-- requires: orders
--
-- Money that moved, and what follows from it, kept so that no delivery order, retry or race can count it twice:
--   checkouts             provider plumbing: a Stripe Checkout Session or Moyasar invoice opened for an order;
--                         mutable forward only (open -> complete | expired)
--   payments              money received, insert-only: one row per provider payment (UNIQUE provider and its id,
--                         so the same money is never recorded twice) or offline payment (UNIQUE reference per
--                         organization)
--   refunds               money given back, one row per refund of one payment: its amount, kind and reason never
--                         change; status moves forward only (requested -> submitted -> succeeded | failed) and the
--                         provider's refund id is set once (UNIQUE per provider)
--   provider_events       the inbox: every webhook delivery and reconcile finding, PRIMARY KEY (provider, event id),
--                         so a duplicate is refused by the index itself
--   loyalty_accounts      a customer's points balance per organization, CHECK (balance >= 0)
--   loyalty_ledger        every change of a balance, insert-only; earn, redeem and release once per order, a
--                         reversal once per refund
--   notifications_outbox  messages to send (delivery is a later change), deduplicated by key
-- On app.orders: refund_requested_minor counts refunds requested or better (failed ones give their amount back),
-- with CHECK (0 <= refund_requested_minor <= paid_minor): over-refunding is impossible under any concurrency;
-- last_payment_failure keeps the provider's last word on a failed attempt. On app.customers: the lifetime value
-- (money paid for orders, net of refunds) and how many paid orders. Only SECURITY DEFINER functions of the payments
-- area write these tables; no API role holds a privilege on them.

BEGIN;

ALTER TABLE app.orders
  ADD COLUMN refund_requested_minor bigint NOT NULL DEFAULT 0,
  ADD COLUMN last_payment_failure text CHECK (length(last_payment_failure) <= 1000),
  ADD CONSTRAINT orders_refunds_within_paid CHECK (refund_requested_minor BETWEEN 0 AND paid_minor);
COMMENT ON COLUMN app.orders.refund_requested_minor IS
  'Refunds requested, submitted or succeeded (failed ones give their amount back); never above paid_minor.';
COMMENT ON COLUMN app.orders.last_payment_failure IS
  'The provider''s message for the last failed payment attempt (the order stays pending: checkout lets the '
  'customer try again).';

ALTER TABLE app.customers
  ADD COLUMN lifetime_value_minor bigint NOT NULL DEFAULT 0 CHECK (lifetime_value_minor >= 0),
  ADD COLUMN paid_orders integer NOT NULL DEFAULT 0 CHECK (paid_orders >= 0);
COMMENT ON COLUMN app.customers.lifetime_value_minor IS
  'Money paid for this customer''s paid orders, net of their refunds, in minor units of the organization''s currency.';
COMMENT ON COLUMN app.customers.paid_orders IS 'Orders of this customer that were paid and not refunded in full.';

CREATE TABLE app.checkouts (
  org_id        uuid        NOT NULL,
  id            uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  order_id      uuid        NOT NULL,
  provider      text        NOT NULL CHECK (provider IN ('stripe', 'moyasar')),
  provider_ref  text        NOT NULL CHECK (length(provider_ref) BETWEEN 1 AND 255),
  url           text        CHECK (length(url) <= 2048),
  expires_at    timestamptz,
  status        text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'complete', 'expired')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (provider, provider_ref),
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, order_id) REFERENCES app.orders (org_id, id)
);
COMMENT ON TABLE app.checkouts IS
  'A payment page opened at a provider for an order (Stripe Checkout Session, Moyasar invoice): open -> complete | '
  'expired, forward only.';
CREATE INDEX checkouts_order_idx ON app.checkouts (org_id, order_id);
CREATE INDEX checkouts_open_idx ON app.checkouts (order_id) WHERE status = 'open';

CREATE TABLE app.payments (
  org_id        uuid        NOT NULL,
  id            uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  order_id      uuid        NOT NULL,
  provider      text        NOT NULL CHECK (provider IN ('stripe', 'moyasar', 'offline')),
  provider_ref  text        NOT NULL CHECK (length(provider_ref) BETWEEN 1 AND 255),
  method        text        NOT NULL CHECK (method ~ '^[a-z][a-z0-9_]{0,49}$'),
  amount_minor  bigint      NOT NULL CHECK (amount_minor > 0),
  currency      char(3)     NOT NULL REFERENCES app.currencies (code),
  recorded_by   uuid,
  received_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, order_id) REFERENCES app.orders (org_id, id)
);
COMMENT ON TABLE app.payments IS
  'Money received for an order, insert-only. provider_ref: the Stripe payment intent, the Moyasar payment id, or '
  'the offline reference (receipt, terminal slip); the same provider payment is recorded once.';
-- The same money is never recorded twice: a provider's payment id is global, an offline reference the venue's own.
CREATE UNIQUE INDEX payments_provider_ref ON app.payments (provider, provider_ref) WHERE provider <> 'offline';
CREATE UNIQUE INDEX payments_offline_ref ON app.payments (org_id, provider_ref) WHERE provider = 'offline';
CREATE INDEX payments_order_idx ON app.payments (org_id, order_id);

CREATE TABLE app.refunds (
  org_id              uuid        NOT NULL,
  id                  uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  order_id            uuid        NOT NULL,
  payment_id          uuid        NOT NULL,
  amount_minor        bigint      NOT NULL CHECK (amount_minor > 0),
  currency            char(3)     NOT NULL REFERENCES app.currencies (code),
  reason              text        CHECK (length(reason) <= 1000),
  kind                text        NOT NULL CHECK (kind IN ('requested', 'cancellation', 'late_payment', 'external')),
  status              text        NOT NULL DEFAULT 'requested'
                                  CHECK (status IN ('requested', 'submitted', 'succeeded', 'failed')),
  provider            text        NOT NULL CHECK (provider IN ('stripe', 'moyasar', 'offline')),
  provider_refund_id  text        CHECK (length(provider_refund_id) BETWEEN 1 AND 255),
  failure             text        CHECK (length(failure) <= 1000),
  requested_by        uuid,
  claimed_until       timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  submitted_at        timestamptz,
  settled_at          timestamptz,
  CHECK ((status IN ('succeeded', 'failed')) = (settled_at IS NOT NULL)),
  UNIQUE (provider, provider_refund_id),
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, order_id) REFERENCES app.orders (org_id, id),
  FOREIGN KEY (org_id, payment_id) REFERENCES app.payments (org_id, id)
);
COMMENT ON TABLE app.refunds IS
  'Money given back from one payment. kind: requested (by staff), cancellation (a paid booking cancelled, under '
  'its policy), late_payment (money that arrived for places no longer held), external (made at the provider, '
  'learnt from its webhook). Amount, kind and reason never change; status moves forward only. claimed_until: an '
  'executor (api.due_refunds) is submitting it until then, so two executors never submit one refund.';
CREATE INDEX refunds_order_idx ON app.refunds (org_id, order_id);
CREATE INDEX refunds_payment_idx ON app.refunds (org_id, payment_id);
CREATE INDEX refunds_due_idx ON app.refunds (created_at) WHERE status = 'requested' AND provider <> 'offline';

CREATE TABLE app.provider_events (
  provider     text        NOT NULL CHECK (provider IN ('stripe', 'moyasar')),
  event_id     text        NOT NULL CHECK (length(event_id) BETWEEN 1 AND 255),
  type         text        NOT NULL CHECK (length(type) BETWEEN 1 AND 200),
  payload      jsonb       NOT NULL,
  org_id       uuid        REFERENCES app.organizations (id) ON DELETE CASCADE,
  order_id     uuid,
  received_at  timestamptz NOT NULL DEFAULT now(),
  outcome      text        CHECK (length(outcome) <= 1000),
  waiting_for  text        CHECK (length(waiting_for) BETWEEN 1 AND 255),
  PRIMARY KEY (provider, event_id),
  FOREIGN KEY (org_id, order_id) REFERENCES app.orders (org_id, id)
);
COMMENT ON TABLE app.provider_events IS
  'The inbox: each provider event once (webhook deliveries and reconcile findings), with the order it concerned '
  'and what applying it did (outcome). waiting_for: the provider payment an event is about that is not recorded '
  'yet; it is applied when that payment is. service_role only, through api.apply_payment_event.';
CREATE INDEX provider_events_order_idx ON app.provider_events (org_id, order_id);
-- Events about a payment not recorded yet (a refund delivered before its payment) wait for it here.
CREATE INDEX provider_events_waiting_idx ON app.provider_events (provider, waiting_for) WHERE waiting_for IS NOT NULL;

CREATE TABLE app.loyalty_accounts (
  org_id       uuid        NOT NULL,
  customer_id  uuid        NOT NULL,
  balance      integer     NOT NULL DEFAULT 0,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT loyalty_accounts_balance_never_negative CHECK (balance >= 0),
  PRIMARY KEY (org_id, customer_id),
  FOREIGN KEY (org_id, customer_id) REFERENCES app.customers (org_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE app.loyalty_accounts IS
  'A customer''s loyalty points with an organization: the sum of their ledger, never below zero (by CHECK, so '
  'concurrent redemptions cannot overdraw it).';

CREATE TABLE app.loyalty_ledger (
  org_id       uuid        NOT NULL,
  id           uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  customer_id  uuid        NOT NULL,
  order_id     uuid,
  refund_id    uuid,
  kind         text        NOT NULL CHECK (kind IN ('earn', 'reverse', 'redeem', 'release', 'adjust')),
  points       integer     NOT NULL,
  shortfall    integer     NOT NULL DEFAULT 0 CHECK (shortfall >= 0),
  created_at   timestamptz NOT NULL DEFAULT now(),
  -- Earning and releases add, redemptions take off, a reversal takes off what the balance allows and records the
  -- rest as its shortfall.
  CHECK (CASE kind WHEN 'earn' THEN points > 0 WHEN 'release' THEN points > 0 WHEN 'redeem' THEN points < 0
                   WHEN 'reverse' THEN points <= 0 AND refund_id IS NOT NULL ELSE points <> 0 END),
  CHECK (kind = 'reverse' OR shortfall = 0),
  CHECK (kind = 'adjust' OR order_id IS NOT NULL),
  FOREIGN KEY (org_id, customer_id) REFERENCES app.customers (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, order_id) REFERENCES app.orders (org_id, id),
  FOREIGN KEY (org_id, refund_id) REFERENCES app.refunds (org_id, id)
);
COMMENT ON TABLE app.loyalty_ledger IS
  'Every change of a loyalty balance, insert-only: earn (on payment), reverse (on refund, proportional; shortfall: '
  'what the balance could not give back), redeem (at order time), release (a redemption given back), adjust.';
CREATE UNIQUE INDEX loyalty_ledger_once_per_order ON app.loyalty_ledger (order_id, kind)
  WHERE kind IN ('earn', 'redeem', 'release');
CREATE UNIQUE INDEX loyalty_ledger_once_per_refund ON app.loyalty_ledger (refund_id) WHERE refund_id IS NOT NULL;
CREATE INDEX loyalty_ledger_customer_idx ON app.loyalty_ledger (org_id, customer_id, created_at);

CREATE TABLE app.notifications_outbox (
  org_id      uuid        NOT NULL REFERENCES app.organizations (id) ON DELETE CASCADE,
  id          uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  kind        text        NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]{0,49}$'),
  recipient   text        NOT NULL CHECK (length(recipient) BETWEEN 1 AND 320),
  channel     text        NOT NULL DEFAULT 'email' CHECK (channel IN ('email', 'sms')),
  template    text        NOT NULL CHECK (length(template) BETWEEN 1 AND 100),
  locale      text        NOT NULL DEFAULT 'en' CHECK (locale ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$'),
  data        jsonb       NOT NULL DEFAULT '{}',
  dedupe_key  text        NOT NULL UNIQUE CHECK (length(dedupe_key) BETWEEN 1 AND 300),
  created_at  timestamptz NOT NULL DEFAULT now(),
  status      text        NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
  UNIQUE (org_id, id)
);
COMMENT ON TABLE app.notifications_outbox IS
  'Messages to send, written in the transaction of what they announce; dedupe_key makes each one once. Delivery '
  'is a later change: rows wait as queued.';
CREATE INDEX notifications_outbox_queued_idx ON app.notifications_outbox (created_at) WHERE status = 'queued';
CREATE INDEX notifications_outbox_org_idx ON app.notifications_outbox (org_id, created_at);

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['checkouts', 'payments', 'refunds', 'provider_events', 'loyalty_accounts',
                           'loyalty_ledger', 'notifications_outbox'] LOOP
    EXECUTE format('ALTER TABLE app.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE app.%I FORCE ROW LEVEL SECURITY', t);
  END LOOP;
END
$$;

COMMIT;
