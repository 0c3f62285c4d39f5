-- Verify tessera:role_timeouts on pg
--
-- Raises when anon or authenticated lacks its statement_timeout; changes nothing.

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
                        AND s.setconfig @> ARRAY[CASE r.rolname WHEN 'anon' THEN 'statement_timeout=3s'
                                                                 ELSE 'statement_timeout=8s' END]);
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'role_timeouts: no statement_timeout (3s for anon, 8s for authenticated) for %', missing;
  END IF;
END $$;

ROLLBACK;
