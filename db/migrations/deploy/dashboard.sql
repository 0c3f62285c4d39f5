-- Deploy tessera:dashboard to pg
-- requires: payments
-- requires: audit
--
-- The dashboard (db/functions/dashboard.sql) reads a period's money and the newest activity of one organization on
-- every call, from the live tables, so that no figure is ever stale. Measured at `seed --scale 1000000` the plain
-- queries need no rollup table, only these indexes: payments by the time they were received, refunds by the time
-- they succeeded (the only ones counted), and the audit log's booking, payment and refund rows by (org, time, id)
-- for the feed's keyset (the log's own index is by id, which concurrent writers do not commit in time order).
-- Each is partial or narrow, so a booking's writes pay one small index entry at most.

BEGIN;

CREATE INDEX payments_org_received_idx ON app.payments (org_id, received_at);
CREATE INDEX refunds_org_settled_idx ON app.refunds (org_id, settled_at) WHERE status = 'succeeded';
CREATE INDEX log_activity_idx ON audit.log (org_id, at, id)
  WHERE table_name IN ('app.bookings', 'app.payments', 'app.refunds');

COMMIT;
