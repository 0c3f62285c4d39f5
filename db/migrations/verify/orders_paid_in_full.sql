-- Verify tessera:orders_paid_in_full on pg
--
-- Raises unless app.orders checks that a paid order received its total.

BEGIN;

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_constraint
                  WHERE conrelid = 'app.orders'::regclass AND conname = 'orders_paid_in_full' AND contype = 'c') THEN
    RAISE EXCEPTION 'app.orders does not check that a paid order received its total';
  END IF;
END
$$;

ROLLBACK;
