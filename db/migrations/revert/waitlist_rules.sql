-- Revert tessera:waitlist_rules from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop trigger if exists "bookings_waitlist" on "app"."bookings";

drop trigger if exists "customers_waitlist_erase" on "app"."customers";

drop trigger if exists "slots_waitlist" on "app"."slots";

drop trigger if exists "audit_log" on "app"."waitlist_entries";

drop trigger if exists "waitlist_entries_touch_updated_at" on "app"."waitlist_entries";

drop function if exists "api"."accept_waitlist_offer"(embed_key text, token text);

drop function if exists "api"."cancel_waitlist_entry"(entry_id uuid);

drop function if exists "api"."join_waitlist"(embed_key text, experience_id uuid, starts_at timestamp with time zone, party_size integer, customer_name text, customer_email text, customer_phone text, consent boolean);

drop function if exists "api"."leave_waitlist"(embed_key text, token text);

drop function if exists "api"."list_waitlist"(experience_id uuid, starts_at timestamp with time zone);

drop function if exists "api"."set_waitlist_offer_ttl"(org_id uuid, offer_ttl interval);

drop function if exists "private"."accept_waitlist_offer"(p_embed_key text, p_token text);

drop function if exists "private"."bookings_waitlist"();

drop function if exists "private"."cancel_waitlist_entry"(p_entry_id uuid);

drop function if exists "private"."customers_waitlist_erase"();

drop function if exists "private"."is_waitlist_hold"(p_booking_id uuid);

drop function if exists "private"."join_waitlist"(p_embed_key text, p_experience_id uuid, p_starts_at timestamp with time zone, p_party_size integer, p_name text, p_email text, p_phone text, p_consent boolean);

drop function if exists "private"."leave_waitlist"(p_embed_key text, p_token text);

drop function if exists "private"."list_waitlist"(p_experience_id uuid, p_starts_at timestamp with time zone);

drop function if exists "private"."offer_waitlist"(p_org_id uuid, p_slot_id uuid);

drop function if exists "private"."set_waitlist_offer_ttl"(p_org_id uuid, p_offer_ttl interval);

drop function if exists "private"."slots_waitlist"();

drop function if exists "private"."waitlist_answer"(p_entry app.waitlist_entries);

drop function if exists "private"."waitlist_entry"(p_embed_key text, p_token text);

drop function if exists "private"."waitlist_hash"(p_token text);

drop function if exists "private"."waitlist_hold"(p_entry app.waitlist_entries, p_experience app.experiences, p_slot app.slots, p_until timestamp with time zone);

drop function if exists "private"."waitlist_offer_data"(p_entry app.waitlist_entries, p_booking app.bookings, p_token text);

drop function if exists "private"."waitlist_offer_unwanted"(p_message app.notifications_outbox);

drop function if exists "private"."waitlist_places"(p_kind app.experience_kind, p_party_size integer);

drop function if exists "private"."waitlist_token"(p_prefix text);

COMMIT;
