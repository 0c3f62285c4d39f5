-- Revert tessera:changes_arg from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop function if exists "private"."apply_changes"(p_table regclass, p_id uuid, p_changes jsonb);

drop function if exists "private"."changes_arg"(p_name text, p_changes jsonb, p_allowed text[]);

drop function if exists "private"."constraint_error"(p_sqlstate text, p_schema text, p_table text, p_constraint text, p_column text);

drop function if exists "private"."is_image_url_list"(urls text[]);

COMMIT;
