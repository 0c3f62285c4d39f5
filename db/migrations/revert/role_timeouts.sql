-- Revert tessera:role_timeouts from pg
--
-- Undoes what the deploy script did: anon and authenticated have no statement_timeout of their own again (on
-- Supabase, where the platform set the same values first, set them back by hand after a revert).

BEGIN;

ALTER ROLE anon RESET statement_timeout;
ALTER ROLE authenticated RESET statement_timeout;

COMMIT;
