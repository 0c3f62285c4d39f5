-- Revert tessera:role_timeouts from pg
--
-- Undoes exactly what the deploy script did: this database's statement_timeout of anon and authenticated is gone,
-- so the cluster-wide values (if any) apply again.

BEGIN;

DO $$
BEGIN
  EXECUTE pg_catalog.format('ALTER ROLE anon IN DATABASE %I RESET statement_timeout', pg_catalog.current_database());
  EXECUTE pg_catalog.format('ALTER ROLE authenticated IN DATABASE %I RESET statement_timeout',
                            pg_catalog.current_database());
END $$;

COMMIT;
