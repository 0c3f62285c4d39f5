-- Verify tessera:role_timeouts on pg
--
-- Raises when anon or authenticated has no statement_timeout (this change's, or the one the role had); changes
-- nothing.

BEGIN;

DO $$
DECLARE
  missing text;
BEGIN
  SELECT pg_catalog.string_agg(r.rolname, ', ') INTO missing
    FROM pg_catalog.pg_roles r
   WHERE r.rolname IN ('anon', 'authenticated')
     AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_db_role_setting s
                      WHERE s.setrole = r.oid
                        AND s.setdatabase = 0
                        AND EXISTS (SELECT 1 FROM pg_catalog.unnest(s.setconfig) c
                                     WHERE c LIKE 'statement\_timeout=%'));
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'role_timeouts: no statement_timeout for %', missing;
  END IF;
END $$;

ROLLBACK;
