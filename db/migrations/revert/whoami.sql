-- Revert tessera:whoami from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop function if exists "api"."whoami"();

COMMIT;
