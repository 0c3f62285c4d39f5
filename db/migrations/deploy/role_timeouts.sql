-- Deploy tessera:role_timeouts to pg
-- requires: booking_message_planned
--
-- A statement of an API role that runs away (a slow plan, a lock held by someone else) is cancelled by the server
-- itself: statement_timeout 3s for anon, 8s for authenticated, the values Supabase gives these roles. Anonymous
-- calls are the public's (availability, the booking widget): none needs seconds, and a short bound keeps a flood of
-- them from holding the pool; signed-in staff calls (reports, exports of one customer) get more room. service_role
-- keeps none: the worker's and the operator's jobs may run long, and the proxy's own TESSERA_DATABASE_TIMEOUT
-- (10 s by default) bounds what an HTTP request waits. Set for the role, as Supabase does (so a database made from
-- a template or restored from a dump keeps them; on Supabase they are the values already there). The roles never
-- log in: the proxy reads these settings with the schema and applies them in each request's transaction, as
-- PostgREST does, so nothing else is affected.

--
-- The roles belong to the cluster, and may be the platform's (Supabase sets these same values) or a DBA's with a
-- timeout of their own: a role that has a statement_timeout already keeps it. Its revert leaves the settings, as
-- the roles' own change leaves roles other databases of the cluster still use.

BEGIN;

DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT * FROM (VALUES ('anon', '3s'), ('authenticated', '8s')) AS v (role, timeout) LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_db_role_setting s
                    WHERE s.setrole = r.role::regrole AND s.setdatabase = 0
                      AND EXISTS (SELECT 1 FROM pg_catalog.unnest(s.setconfig) c WHERE c LIKE 'statement\_timeout=%')) THEN
      EXECUTE pg_catalog.format('ALTER ROLE %I SET statement_timeout = %L', r.role, r.timeout);
    END IF;
  END LOOP;
END
$$;

COMMIT;
