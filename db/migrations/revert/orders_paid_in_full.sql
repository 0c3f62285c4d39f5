-- Revert tessera:orders_paid_in_full from pg
--
-- Drops the check that a paid order received its total.

BEGIN;

ALTER TABLE app.orders DROP CONSTRAINT orders_paid_in_full;

COMMIT;
