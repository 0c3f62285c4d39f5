-- Verify tessera:audit_platform_org on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that webhook_secret_overlap_rules changed are retired; its verify checks them now.

-- Checks of functions that erasure_reasons changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'api.verify_audit_chain(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.verify_audit_chain(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.verify_audit_chain(uuid)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.verify_audit_chain(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.verify_audit_chain(uuid)';
  END IF;
  PERFORM 'private.apply_payment_event(text,jsonb)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.apply_payment_event(text,jsonb)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.apply_payment_event(text,jsonb)';
  END IF;
  PERFORM 'private.audit_chain_hash(text,uuid,bigint,bigint)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.audit_chain_hash(text,uuid,bigint,bigint)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.audit_chain_hash(text,uuid,bigint,bigint)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.audit_chain_hash(text,uuid,bigint,bigint)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.audit_chain_hash(text,uuid,bigint,bigint)';
  END IF;
  PERFORM 'private.audit_row_digest(audit.log)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.audit_row_digest(audit.log)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.audit_row_digest(audit.log)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.audit_row_digest(audit.log)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.audit_row_digest(audit.log)';
  END IF;
  PERFORM 'private.purge_audit_log(timestamp with time zone)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.purge_audit_log(timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.purge_audit_log(timestamp with time zone)';
  END IF;
  PERFORM 'private.replay_waiting(app.payments)'::pg_catalog.regprocedure;
  PERFORM 'private.seal_audit_log(interval)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.seal_audit_log(interval)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.seal_audit_log(interval)';
  END IF;
  IF EXISTS (SELECT FROM unnest(ARRAY['audit.log', 'audit.seals', 'audit.redactions', 'audit.purges']) t (name)
              WHERE NOT (SELECT a.attnotnull FROM pg_catalog.pg_attribute a
                          WHERE a.attrelid = t.name::regclass AND a.attname = 'org_id')
                 OR (SELECT pg_catalog.pg_get_constraintdef(c.oid) FROM pg_catalog.pg_constraint c
                      WHERE c.conrelid = t.name::regclass AND c.contype = 'p') <> 'PRIMARY KEY (id, org_id)') THEN
    RAISE EXCEPTION 'an audit table still allows a row of no organization or keys it by id alone';
  END IF;
  IF EXISTS (SELECT FROM pg_catalog.pg_attribute a
              WHERE a.attrelid = 'app.provider_events'::regclass AND a.attname = 'org_id' AND NOT a.attisdropped) THEN
    RAISE EXCEPTION 'app.provider_events still has org_id';
  END IF;
END
$verify$;

ROLLBACK;
