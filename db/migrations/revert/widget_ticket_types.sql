-- Revert tessera:widget_ticket_types from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop function if exists "api"."widget_ticket_types"(embed_key text, experience_id uuid);

drop function if exists "private"."widget_ticket_types"(p_embed_key text, p_experience_id uuid);
COMMENT ON FUNCTION api.widget_experiences(text) IS 'What the public booking widget of a venue offers: its active experiences (id, kind, name, description,
duration, party limits, currency) and the venue''s name and time zone. For anyone with the venue''s embed key
(anon). Errors: PT404 for an unknown or rotated key.';

COMMIT;
