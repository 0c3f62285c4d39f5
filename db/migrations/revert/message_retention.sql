-- Revert tessera:message_retention from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop function if exists "private"."purge_finished_messages"(p_keep interval, p_limit integer);

COMMIT;
