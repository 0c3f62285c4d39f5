-- Deploy tessera:orders_privileges to pg
-- requires: promo_codes
--
-- The table privileges the orders area's SECURITY INVOKER functions need, and no more (everything else in the area
-- is reached through definer functions that check their callers): api.list_currencies reads the currency list, for
-- everyone; private.refund_due, run by the bookings trigger as whoever cancels (staff, service_role), reads the
-- organization's refund policy defaults.

BEGIN;

GRANT SELECT ON app.currencies TO anon, authenticated, service_role;
GRANT SELECT (org_id, full_refund_before, late_refund_percent) ON app.org_settings TO authenticated, service_role;

COMMIT;
