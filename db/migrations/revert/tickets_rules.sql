-- Revert tessera:tickets_rules from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop trigger if exists "booking_tickets_types" on "app"."booking_tickets";

drop trigger if exists "bookings_tickets" on "app"."bookings";

drop trigger if exists "audit_log" on "app"."check_ins";

drop trigger if exists "audit_log" on "app"."ticket_keys";

drop trigger if exists "audit_log" on "app"."ticket_lookup_failures";

drop trigger if exists "audit_log" on "app"."tickets";

drop trigger if exists "tickets_guard" on "app"."tickets";

drop policy "check_ins_select" on "app"."check_ins";

drop policy "tickets_select" on "app"."tickets";

drop function if exists "api"."check_in"(payload text, scanner_nonce text, venue_id uuid, slot_id uuid);

drop function if exists "api"."get_tickets"(confirmation_code text, email text);

drop function if exists "api"."retire_ticket_key"(org_id uuid, kid integer);

drop function if exists "api"."rotate_ticket_key"(org_id uuid);

drop function if exists "api"."ticket_payload"(ticket_id uuid);

drop function if exists "private"."booking_tickets_types"();

drop function if exists "private"."bookings_tickets"();

drop function if exists "private"."check_in"(p_payload text, p_nonce text, p_venue_id uuid, p_slot_id uuid);

drop function if exists "private"."check_in_answer"(p_ticket app.tickets, p_check_in app.check_ins);

drop function if exists "private"."get_tickets"(p_code text, p_email text);

drop function if exists "private"."issue_tickets"(p_booking app.bookings);

drop function if exists "private"."retire_ticket_key"(p_org_id uuid, p_kid integer);

drop function if exists "private"."rotate_ticket_key"(p_org_id uuid);

drop function if exists "private"."ticket_admin"(p_org_id uuid);

drop function if exists "private"."ticket_bytes"(p_ticket app.tickets);

drop function if exists "private"."ticket_key"(p_org_id uuid);

drop function if exists "private"."ticket_payload"(p_ticket app.tickets);

drop function if exists "private"."ticket_payload_by_id"(p_ticket_id uuid);

drop function if exists "private"."ticket_payload_decode"(p_payload text);

drop function if exists "private"."tickets_guard"();

COMMIT;
