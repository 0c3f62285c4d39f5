-- Deploy tessera:orders_paid_in_full to pg
-- requires: payments_rules
--
-- An order is paid only with its total received. The payment path keeps to it already; a CHECK makes it hold on
-- every path (a hand-written UPDATE included), as the rest of an order's money rules do. An order with nothing to
-- pay (total 0) is paid without money.

BEGIN;

ALTER TABLE app.orders
  ADD CONSTRAINT orders_paid_in_full CHECK (status <> 'paid' OR paid_minor >= total_minor);

COMMIT;
