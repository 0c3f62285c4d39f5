-- Revert tessera:service_readiness from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop function if exists "private"."deployed_changes"(p_registry text, p_project text);

REVOKE USAGE ON SCHEMA private FROM authenticator;

COMMIT;
