-- Revert tessera:orders_privileges from pg
--
-- Takes the orders area's table privileges back from the API roles.

BEGIN;

REVOKE SELECT ON app.currencies FROM anon, authenticated, service_role;
REVOKE SELECT (org_id, full_refund_before, late_refund_percent) ON app.org_settings FROM authenticated, service_role;

COMMIT;
