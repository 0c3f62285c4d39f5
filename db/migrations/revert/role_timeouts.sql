-- Revert tessera:role_timeouts from pg
--
-- The settings stay: the roles belong to the cluster, and other databases of it (a test template, a second
-- deployment, the platform's own) rely on their statement_timeout as this one did. Reverting the `roles` change
-- keeps roles still in use for the same reason; a DBA who wants them gone runs
-- `ALTER ROLE anon RESET statement_timeout` (and the same for authenticated) by hand.

BEGIN;

SELECT 1;

COMMIT;
