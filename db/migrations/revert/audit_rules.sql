-- Revert tessera:audit_rules from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop trigger if exists "audit_log" on "app"."booking_resources";

drop trigger if exists "audit_log" on "app"."booking_tickets";

drop trigger if exists "audit_log" on "app"."bookings";

drop trigger if exists "audit_log" on "app"."customers";

drop trigger if exists "audit_log" on "app"."experience_resources";

drop trigger if exists "audit_log" on "app"."experiences";

drop trigger if exists "audit_log" on "app"."memberships";

drop trigger if exists "audit_log" on "app"."organizations";

drop trigger if exists "audit_log" on "app"."price_tiers";

drop trigger if exists "audit_log" on "app"."profiles";

drop trigger if exists "audit_log" on "app"."resources";

drop trigger if exists "audit_log" on "app"."schedules";

drop trigger if exists "audit_log" on "app"."slot_ticket_counts";

drop trigger if exists "audit_log" on "app"."slots";

drop trigger if exists "audit_log" on "app"."ticket_types";

drop trigger if exists "audit_log" on "app"."venue_closures";

drop trigger if exists "audit_log" on "app"."venue_hours";

drop trigger if exists "audit_log" on "app"."venues";

drop trigger if exists "audit_log_append_only" on "audit"."log";

drop trigger if exists "audit_log_no_truncate" on "audit"."log";

drop trigger if exists "audit_seals_append_only" on "audit"."seals";

drop trigger if exists "audit_seals_no_truncate" on "audit"."seals";

drop policy "log_select" on "audit"."log";

drop policy "purges_select" on "audit"."purges";

drop policy "seals_select" on "audit"."seals";

drop function if exists "api"."purge_audit_log"(before timestamp with time zone);

drop function if exists "api"."seal_audit_log"(settle interval);

drop function if exists "api"."verify_audit_chain"(org_id uuid);

drop function if exists "private"."audit_append_only"();

drop function if exists "private"."audit_chain_hash"(p_previous text, p_org_id uuid, p_after bigint, p_last bigint);

drop function if exists "private"."audit_record"();

drop function if exists "private"."parse_inet"(address text);

drop function if exists "private"."purge_audit_log"(p_before timestamp with time zone);

drop function if exists "private"."seal_audit_log"(p_settle interval);

COMMIT;
