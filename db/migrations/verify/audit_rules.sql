-- Verify tessera:audit_rules on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that crm_rules changed are retired; its verify checks them now.

-- Checks of functions that tickets_rules changed are retired; its verify checks them now.

-- Checks of functions that count_args changed are retired; its verify checks them now.

-- Checks of functions that time_args changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'api.verify_audit_chain(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.verify_audit_chain(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.verify_audit_chain(uuid)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.verify_audit_chain(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.verify_audit_chain(uuid)';
  END IF;
  PERFORM 'private.parse_inet(text)'::pg_catalog.regprocedure;
  PERFORM 'private.purge_audit_log(timestamp with time zone)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.purge_audit_log(timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.purge_audit_log(timestamp with time zone)';
  END IF;
  PERFORM 'private.seal_audit_log(interval)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.seal_audit_log(interval)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.seal_audit_log(interval)';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'audit.log' AND policyname = 'log_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'log_select', 'audit.log';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'audit.purges' AND policyname = 'purges_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'purges_select', 'audit.purges';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'audit.seals' AND policyname = 'seals_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'seals_select', 'audit.seals';
  END IF;
END
$verify$;

ROLLBACK;
