-- Revert tessera:widget_rules from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop function if exists "api"."widget_availability"(embed_key text, experience_id uuid, from_date date, to_date date, party_size integer);

drop function if exists "api"."widget_create_booking"(embed_key text, experience_id uuid, starts_at timestamp with time zone, customer_email text, party_size integer, customer_name text, customer_phone text, tickets jsonb, idempotency_key text);

drop function if exists "api"."widget_experiences"(embed_key text);

drop function if exists "private"."widget_availability"(p_embed_key text, p_experience_id uuid, p_from date, p_to date, p_party_size integer);

drop function if exists "private"."widget_experiences"(p_embed_key text);

drop function if exists "private"."widget_venue"(p_embed_key text);
REVOKE ALL ON FUNCTION private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text) TO authenticated;

COMMIT;
