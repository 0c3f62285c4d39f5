-- Revert tessera:schedule from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop function if exists "private"."local_to_instant"(local_time timestamp without time zone, tz text);

drop function if exists "private"."schedule_occurrences"(p_experience_id uuid, p_from date, p_to date);

COMMIT;
