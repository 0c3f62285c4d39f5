-- Deploy tessera:role_timeouts to pg
-- requires: booking_message_planned
--
-- A statement of an API role that runs away (a slow plan, a lock held by someone else) is cancelled by the server
-- itself: statement_timeout 3s for anon, 8s for authenticated, the values Supabase gives these roles. Anonymous
-- calls are the public's (availability, the booking widget): none needs seconds, and a short bound keeps a flood of
-- them from holding the pool; signed-in staff calls (reports, exports of one customer) get more room. service_role
-- keeps none: the worker's and the operator's jobs may run long, and the proxy's own TESSERA_DATABASE_TIMEOUT
-- (10 s by default) bounds what an HTTP request waits. Set IN DATABASE, so this database's values override the
-- cluster-wide ones (Supabase's own defaults stay untouched underneath) and the revert restores exactly those.
-- The proxy reads these settings with the schema and applies them in each request's transaction, as PostgREST.

BEGIN;

DO $$
BEGIN
  EXECUTE pg_catalog.format('ALTER ROLE anon IN DATABASE %I SET statement_timeout = %L',
                            pg_catalog.current_database(), '3s');
  EXECUTE pg_catalog.format('ALTER ROLE authenticated IN DATABASE %I SET statement_timeout = %L',
                            pg_catalog.current_database(), '8s');
END $$;

COMMIT;
