-- Verify tessera:audit_rules on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that audit_platform_org changed are retired; its verify checks them now.

-- Checks of functions that crm_rules changed are retired; its verify checks them now.

-- Checks of functions that tickets_rules changed are retired; its verify checks them now.

-- Checks of functions that count_args changed are retired; its verify checks them now.

-- Checks of functions that time_args changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'private.parse_inet(text)'::pg_catalog.regprocedure;
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
