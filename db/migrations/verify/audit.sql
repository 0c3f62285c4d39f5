-- Verify tessera:audit on pg
--
-- Raises unless the log and seals exist with forced RLS.

BEGIN;

SELECT id, at, org_id, actor, actor_role, table_name, operation, row_id, old_values, new_values, client_ip,
       user_agent, txid
  FROM audit.log WHERE false;
SELECT id, org_id, first_log_id, last_log_id, row_count, previous_hash, hash, sealed_at FROM audit.seals WHERE false;

DO $$
BEGIN
  IF NOT (SELECT bool_and(relrowsecurity AND relforcerowsecurity) FROM pg_catalog.pg_class
           WHERE oid IN ('audit.log'::regclass, 'audit.seals'::regclass)) THEN
    RAISE EXCEPTION 'row-level security is not enabled and forced on the audit tables';
  END IF;
END
$$;

ROLLBACK;
