-- Verify tessera:orders_pricing on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that fn_org_joins changed are retired; its verify checks them now.

-- Checks of functions that fn_org_routing_payments changed are retired; its verify checks them now.

-- Checks of functions that plpgsql_check_clean changed are retired; its verify checks them now.

-- Checks of functions that catalogue_manage changed are retired; its verify checks them now.

-- Checks of functions that loyalty_redemption changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'api.cancel_order(uuid,text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'api.cancel_order(uuid,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'api.cancel_order(uuid,text,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.cancel_order(uuid,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.cancel_order(uuid,text,text)';
  END IF;
  PERFORM 'api.create_price_rule(uuid,text,text,uuid,interval,timestamp with time zone,smallint[],time without time zone,time without time zone,integer,bigint,bigint)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.create_price_rule(uuid,text,text,uuid,interval,timestamp with time zone,smallint[],time without time zone,time without time zone,integer,bigint,bigint)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.create_price_rule(uuid,text,text,uuid,interval,timestamp with time zone,smallint[],time without time zone,time without time zone,integer,bigint,bigint)';
  END IF;
  PERFORM 'api.create_promo_code(uuid,text,integer,bigint,text,timestamp with time zone,timestamp with time zone,integer,integer,uuid[])'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.create_promo_code(uuid,text,integer,bigint,text,timestamp with time zone,timestamp with time zone,integer,integer,uuid[])', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.create_promo_code(uuid,text,integer,bigint,text,timestamp with time zone,timestamp with time zone,integer,integer,uuid[])';
  END IF;
  PERFORM 'api.deactivate_price_rule(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.deactivate_price_rule(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.deactivate_price_rule(uuid)';
  END IF;
  PERFORM 'api.deactivate_promo_code(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.deactivate_promo_code(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.deactivate_promo_code(uuid)';
  END IF;
  PERFORM 'api.get_org_settings(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.get_org_settings(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.get_org_settings(uuid)';
  END IF;
  PERFORM 'api.list_currencies()'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'api.list_currencies()', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'api.list_currencies()';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.list_currencies()', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.list_currencies()';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.list_currencies()', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.list_currencies()';
  END IF;
  PERFORM 'api.list_price_rules(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.list_price_rules(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.list_price_rules(uuid)';
  END IF;
  PERFORM 'api.list_promo_codes(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.list_promo_codes(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.list_promo_codes(uuid)';
  END IF;
  PERFORM 'api.update_org_settings(uuid,text,integer,boolean,text,integer,integer,interval,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.update_org_settings(uuid,text,integer,boolean,text,integer,integer,interval,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.update_org_settings(uuid,text,integer,boolean,text,integer,integer,interval,integer)';
  END IF;
  PERFORM 'private.amount_arg(text,bigint,bigint,bigint)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.amount_arg(text,bigint,bigint,bigint)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.amount_arg(text,bigint,bigint,bigint)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.amount_arg(text,bigint,bigint,bigint)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.amount_arg(text,bigint,bigint,bigint)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.amount_arg(text,bigint,bigint,bigint)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.amount_arg(text,bigint,bigint,bigint)';
  END IF;
  PERFORM 'private.create_price_rule(uuid,text,text,uuid,interval,timestamp with time zone,smallint[],time without time zone,time without time zone,integer,bigint,bigint)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.create_price_rule(uuid,text,text,uuid,interval,timestamp with time zone,smallint[],time without time zone,time without time zone,integer,bigint,bigint)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.create_price_rule(uuid,text,text,uuid,interval,timestamp with time zone,smallint[],time without time zone,time without time zone,integer,bigint,bigint)';
  END IF;
  PERFORM 'private.create_promo_code(uuid,text,integer,bigint,character,timestamp with time zone,timestamp with time zone,integer,integer,uuid[])'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.create_promo_code(uuid,text,integer,bigint,character,timestamp with time zone,timestamp with time zone,integer,integer,uuid[])', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.create_promo_code(uuid,text,integer,bigint,character,timestamp with time zone,timestamp with time zone,integer,integer,uuid[])';
  END IF;
  PERFORM 'private.currency_arg(text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.currency_arg(text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.currency_arg(text,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.currency_arg(text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.currency_arg(text,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.currency_arg(text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.currency_arg(text,text)';
  END IF;
  PERFORM 'private.deactivate_promo_code(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.deactivate_promo_code(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.deactivate_promo_code(uuid)';
  END IF;
  PERFORM 'private.discount_vat(bigint,bigint,integer,boolean)'::pg_catalog.regprocedure;
  PERFORM 'private.div_round(numeric,numeric)'::pg_catalog.regprocedure;
  PERFORM 'private.experiences_currency()'::pg_catalog.regprocedure;
  PERFORM 'private.get_org_settings(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.get_org_settings(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.get_org_settings(uuid)';
  END IF;
  PERFORM 'private.list_currencies()'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.list_currencies()', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.list_currencies()';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.list_currencies()', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.list_currencies()';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.list_currencies()', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.list_currencies()';
  END IF;
  PERFORM 'private.list_price_rules(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.list_price_rules(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.list_price_rules(uuid)';
  END IF;
  PERFORM 'private.list_promo_codes(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.list_promo_codes(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.list_promo_codes(uuid)';
  END IF;
  PERFORM 'private.org_settings_answer(app.org_settings)'::pg_catalog.regprocedure;
  PERFORM 'private.price_rule_answer(app.price_rules)'::pg_catalog.regprocedure;
  PERFORM 'private.promo_check(uuid,text,uuid,character,uuid,timestamp with time zone)'::pg_catalog.regprocedure;
  PERFORM 'private.promo_code_answer(app.promo_codes)'::pg_catalog.regprocedure;
  PERFORM 'private.promo_message(text)'::pg_catalog.regprocedure;
  PERFORM 'private.refund_due(app.bookings,timestamp with time zone)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.refund_due(app.bookings,timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.refund_due(app.bookings,timestamp with time zone)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.refund_due(app.bookings,timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.refund_due(app.bookings,timestamp with time zone)';
  END IF;
  PERFORM 'private.set_price_rule_active(uuid,boolean)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.set_price_rule_active(uuid,boolean)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.set_price_rule_active(uuid,boolean)';
  END IF;
  PERFORM 'private.update_org_settings(uuid,character,integer,boolean,text,integer,integer,interval,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.update_org_settings(uuid,character,integer,boolean,text,integer,integer,interval,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.update_org_settings(uuid,character,integer,boolean,text,integer,integer,interval,integer)';
  END IF;
  PERFORM 'private.vat_of(bigint,integer,boolean)'::pg_catalog.regprocedure;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.price_rules' AND policyname = 'price_rules_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'price_rules_select', 'app.price_rules';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.promo_code_experiences' AND policyname = 'promo_code_experiences_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'promo_code_experiences_select', 'app.promo_code_experiences';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.promo_codes' AND policyname = 'promo_codes_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'promo_codes_select', 'app.promo_codes';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.promo_customer_uses' AND policyname = 'promo_customer_uses_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'promo_customer_uses_select', 'app.promo_customer_uses';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.promo_redemptions' AND policyname = 'promo_redemptions_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'promo_redemptions_select', 'app.promo_redemptions';
  END IF;
END
$verify$;

ROLLBACK;
