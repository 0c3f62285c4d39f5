-- Verify tessera:orders on pg
--
-- Raises unless the order tables exist with RLS enabled and forced, every organization has its settings row, the
-- currency list knows SAR with 2 minor digits, and an order refuses a total that breaks the identity.

BEGIN;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['currencies', 'org_settings', 'orders', 'order_lines'] LOOP
    IF NOT (SELECT relrowsecurity AND relforcerowsecurity FROM pg_catalog.pg_class
             WHERE oid = format('app.%I', t)::regclass) THEN
      RAISE EXCEPTION 'row-level security is not enabled and forced on app.%', t;
    END IF;
  END LOOP;
  IF NOT EXISTS (SELECT FROM app.currencies WHERE code = 'SAR' AND minor_digits = 2) THEN
    RAISE EXCEPTION 'app.currencies does not list SAR with 2 minor digits';
  END IF;
  IF EXISTS (SELECT FROM app.organizations o WHERE NOT EXISTS (SELECT FROM app.org_settings s WHERE s.org_id = o.id))
  THEN
    RAISE EXCEPTION 'an organization has no app.org_settings row';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_constraint WHERE conrelid = 'app.orders'::regclass
                  AND conname = 'orders_total_identity') THEN
    RAISE EXCEPTION 'app.orders does not check its total';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_indexes WHERE schemaname = 'app' AND indexname = 'orders_one_live_per_booking')
  THEN
    RAISE EXCEPTION 'app.orders allows two live orders per booking';
  END IF;
END
$$;

ROLLBACK;
