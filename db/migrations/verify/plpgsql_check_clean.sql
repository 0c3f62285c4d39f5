-- Verify tessera:plpgsql_check_clean on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that fn_org_joins changed are retired; its verify checks them now.

-- Checks of functions that webhook_secret_overlap_rules changed are retired; its verify checks them now.

-- Checks of functions that erasure_reasons changed are retired; its verify checks them now.

-- Checks of functions that fn_org_routing_payments changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'private.apply_payment(uuid,text,text,text,bigint,text,uuid)'::pg_catalog.regprocedure;
  PERFORM 'private.apply_refund_settlement(uuid,text)'::pg_catalog.regprocedure;
  PERFORM 'private.claim_messages(text,integer,interval,text[])'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.claim_messages(text,integer,interval,text[])', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.claim_messages(text,integer,interval,text[])';
  END IF;
  PERFORM 'private.price_cart(jsonb,integer,boolean,integer,bigint,text,bigint,text)'::pg_catalog.regprocedure;
  PERFORM 'private.waiver_signed_versions(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.waiver_signed_versions(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.waiver_signed_versions(uuid)';
  END IF;
END
$verify$;

ROLLBACK;
