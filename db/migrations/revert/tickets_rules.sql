-- Revert tessera:tickets_rules from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop trigger if exists "booking_tickets_types" on "app"."booking_tickets";

drop trigger if exists "bookings_tickets" on "app"."bookings";

drop trigger if exists "audit_log" on "app"."check_ins";

drop trigger if exists "audit_log" on "app"."ticket_keys";

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

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.audit_record()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN pg_catalog.to_jsonb(OLD) END;
  new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN pg_catalog.to_jsonb(NEW) END;
  any_row jsonb := coalesce(new_row, old_row);
  headers jsonb := nullif(pg_catalog.current_setting('request.headers', true), '')::jsonb;
  forwarded text;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    -- Only the fields that changed, before and after.
    SELECT pg_catalog.jsonb_object_agg(o.key, o.value), pg_catalog.jsonb_object_agg(o.key, new_row -> o.key)
      INTO old_row, new_row
      FROM pg_catalog.jsonb_each(old_row) o
     WHERE o.value IS DISTINCT FROM new_row -> o.key;
    IF old_row IS NULL THEN
      RETURN NULL;  -- nothing changed
    END IF;
  END IF;
  forwarded := pg_catalog.split_part(headers ->> 'x-forwarded-for', ',', 1);
  INSERT INTO audit.log (org_id, actor, actor_role, table_name, operation, row_id, old_values, new_values,
                         client_ip, user_agent)
  VALUES (
    CASE WHEN TG_TABLE_NAME = 'organizations' THEN (any_row ->> 'id')::uuid ELSE (any_row ->> 'org_id')::uuid END,
    auth.uid(),
    coalesce(auth.role(), session_user::text),
    TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME,
    TG_OP,
    coalesce(any_row ->> 'id', any_row ->> 'user_id', any_row ->> 'booking_id', any_row ->> 'slot_id'),
    old_row,
    new_row,
    private.parse_inet(coalesce(nullif(pg_catalog.btrim(forwarded), ''), headers ->> 'x-real-ip')),
    headers ->> 'user-agent'
  );
  RETURN NULL;
END
$function$
;
REVOKE ALL ON FUNCTION private.audit_record() FROM PUBLIC;
COMMENT ON FUNCTION private.audit_record() IS 'Trigger on every app table: appends one audit.log row per changed row (only changed fields for updates) with the
actor, role, client IP and user agent from the request headers. A definer: writers cannot touch the log itself.';

COMMIT;
