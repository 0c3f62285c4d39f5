-- Verify tessera:orders_privileges on pg
--
-- Raises unless anon reads the currency list and service_role the refund defaults, and nobody may read orders.

BEGIN;

DO $$
BEGIN
  IF NOT has_table_privilege('anon', 'app.currencies', 'SELECT') THEN
    RAISE EXCEPTION 'anon cannot read app.currencies';
  END IF;
  IF NOT has_column_privilege('service_role', 'app.org_settings', 'late_refund_percent', 'SELECT') THEN
    RAISE EXCEPTION 'service_role cannot read the refund defaults';
  END IF;
  IF has_table_privilege('authenticated', 'app.orders', 'SELECT') THEN
    RAISE EXCEPTION 'authenticated reads app.orders directly';
  END IF;
END
$$;

ROLLBACK;
