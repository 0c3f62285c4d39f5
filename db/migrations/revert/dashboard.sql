-- Revert tessera:dashboard from pg

BEGIN;

DROP INDEX audit.log_activity_idx;
DROP INDEX app.refunds_org_settled_idx;
DROP INDEX app.payments_org_received_idx;

COMMIT;
