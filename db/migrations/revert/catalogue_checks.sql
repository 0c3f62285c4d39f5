-- Revert tessera:catalogue_checks from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop function if exists "private"."is_iana_timezone"(tz text);

drop function if exists "private"."new_embed_key"();

COMMIT;
