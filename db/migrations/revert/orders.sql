-- Revert tessera:orders from pg
--
-- Drops the order tables (lines first), the status type, the settings and the currency list.

BEGIN;

DROP TABLE app.order_lines;
DROP TABLE app.orders;
DROP TYPE app.order_status;
DROP TABLE app.org_settings;
DROP TABLE app.currencies;

COMMIT;
