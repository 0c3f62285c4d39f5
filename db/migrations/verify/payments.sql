-- Verify tessera:payments on pg
--
-- Raises unless the payments tables exist with RLS enabled and forced, a refund can never exceed what was paid, a
-- loyalty balance can never go below zero, and the same provider payment cannot be recorded twice.

BEGIN;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['checkouts', 'payments', 'refunds', 'provider_events', 'loyalty_accounts',
                           'loyalty_ledger', 'notifications_outbox'] LOOP
    IF NOT (SELECT relrowsecurity AND relforcerowsecurity FROM pg_catalog.pg_class
             WHERE oid = format('app.%I', t)::regclass) THEN
      RAISE EXCEPTION 'row-level security is not enabled and forced on app.%', t;
    END IF;
  END LOOP;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_constraint WHERE conrelid = 'app.orders'::regclass
                  AND conname = 'orders_refunds_within_paid') THEN
    RAISE EXCEPTION 'app.orders does not keep refunds within what was paid';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_constraint WHERE conrelid = 'app.loyalty_accounts'::regclass
                  AND conname = 'loyalty_accounts_balance_never_negative') THEN
    RAISE EXCEPTION 'app.loyalty_accounts allows a negative balance';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_indexes WHERE schemaname = 'app' AND indexname = 'payments_provider_ref')
  THEN
    RAISE EXCEPTION 'app.payments allows the same provider payment twice';
  END IF;
  PERFORM lifetime_value_minor, paid_orders FROM app.customers LIMIT 0;
  PERFORM refund_requested_minor, last_payment_failure FROM app.orders LIMIT 0;
END
$$;

ROLLBACK;
