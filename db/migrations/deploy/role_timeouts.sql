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

BEGIN;

ALTER ROLE anon SET statement_timeout = '3s';
ALTER ROLE authenticated SET statement_timeout = '8s';

COMMIT;
