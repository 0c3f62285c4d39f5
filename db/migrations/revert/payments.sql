-- Revert tessera:payments from pg
--
-- Drops the payments tables (dependents first) and the columns added to orders and customers.

BEGIN;

DROP TABLE app.notifications_outbox;
DROP TABLE app.loyalty_ledger;
DROP TABLE app.loyalty_accounts;
DROP TABLE app.provider_events;
DROP TABLE app.refunds;
DROP TABLE app.payments;
DROP TABLE app.checkouts;
ALTER TABLE app.customers DROP COLUMN paid_orders, DROP COLUMN lifetime_value_minor;
ALTER TABLE app.orders DROP CONSTRAINT orders_refunds_within_paid, DROP COLUMN last_payment_failure,
  DROP COLUMN refund_requested_minor;

COMMIT;
