-- Verify tessera:orders_rules on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'private.insert_only()'::pg_catalog.regprocedure;
  PERFORM 'private.orders_guard()'::pg_catalog.regprocedure;
  PERFORM 'private.org_settings_create()'::pg_catalog.regprocedure;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.currencies' AND policyname = 'currencies_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'currencies_select', 'app.currencies';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.order_lines' AND policyname = 'order_lines_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'order_lines_select', 'app.order_lines';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.orders' AND policyname = 'orders_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'orders_select', 'app.orders';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.org_settings' AND policyname = 'org_settings_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'org_settings_select', 'app.org_settings';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.org_settings' AND policyname = 'org_settings_update') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'org_settings_update', 'app.org_settings';
  END IF;
END
$verify$;

ROLLBACK;
