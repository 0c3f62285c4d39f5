-- Revert tessera:crm_rules from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop trigger if exists "audit_log" on "app"."customer_notes";

drop trigger if exists "customer_notes_touch_updated_at" on "app"."customer_notes";

drop trigger if exists "audit_log" on "app"."customer_requests";

drop trigger if exists "audit_log" on "app"."customer_tags";

drop trigger if exists "audit_log" on "app"."event_partners";

drop trigger if exists "event_partners_touch_updated_at" on "app"."event_partners";

drop trigger if exists "audit_log" on "app"."leads";

drop trigger if exists "leads_guard" on "app"."leads";

drop trigger if exists "leads_touch_updated_at" on "app"."leads";

drop trigger if exists "audit_redactions_append_only" on "audit"."redactions";

drop trigger if exists "audit_redactions_no_truncate" on "audit"."redactions";

drop policy "customer_notes_delete" on "app"."customer_notes";

drop policy "customer_notes_insert" on "app"."customer_notes";

drop policy "customer_notes_select" on "app"."customer_notes";

drop policy "customer_notes_update" on "app"."customer_notes";

drop policy "customer_tags_delete" on "app"."customer_tags";

drop policy "customer_tags_insert" on "app"."customer_tags";

drop policy "customer_tags_select" on "app"."customer_tags";

drop policy "event_partners_delete" on "app"."event_partners";

drop policy "event_partners_insert" on "app"."event_partners";

drop policy "event_partners_select" on "app"."event_partners";

drop policy "event_partners_update" on "app"."event_partners";

drop policy "leads_insert" on "app"."leads";

drop policy "leads_select" on "app"."leads";

drop policy "leads_update" on "app"."leads";

drop policy "redactions_select" on "audit"."redactions";

drop function if exists "api"."add_customer_note"(customer_id uuid, body text);

drop function if exists "api"."convert_lead"(lead_id uuid, experience_id uuid, starts_at timestamp with time zone, party_size integer, tickets jsonb);

drop function if exists "api"."create_lead"(org_id uuid, contact_name text, email text, phone text, company text, party_size integer, wanted_date date, venue_id uuid, experience_id uuid, value_minor bigint, currency text, owner_id uuid, next_step text, next_step_at timestamp with time zone, notes text);

drop function if exists "api"."create_partner"(org_id uuid, kind text, name text, agreed_minor bigint, currency text, experience_id uuid, slot_id uuid, contact_name text, email text, phone text, status text, notes text);

drop function if exists "api"."delete_customer_note"(note_id uuid);

drop function if exists "api"."delete_partner"(partner_id uuid);

drop function if exists "api"."erase_customer"(org_id uuid, customer_id uuid);

drop function if exists "api"."export_customer"(org_id uuid, customer_id uuid);

drop function if exists "api"."list_customer_notes"(customer_id uuid);

drop function if exists "api"."list_leads"(org_id uuid, status text);

drop function if exists "api"."list_partners"(org_id uuid, experience_id uuid);

drop function if exists "api"."move_lead"(lead_id uuid, status text, reason text);

drop function if exists "api"."set_customer_tags"(customer_id uuid, tags text[]);

drop function if exists "api"."set_marketing_consent"(customer_id uuid, consent boolean, source text);

drop function if exists "api"."update_customer_note"(note_id uuid, body text);

drop function if exists "api"."update_lead"(lead_id uuid, changes jsonb);

drop function if exists "api"."update_partner"(partner_id uuid, changes jsonb);

drop function if exists "private"."audit_redact"(p_org_id uuid, p_request_id uuid, p_email text, p_erased_email text, p_values text[], p_row_ids text[]);

drop function if exists "private"."audit_row_digest"(p_row audit.log);

drop function if exists "private"."customer_row_ids"(p_customer app.customers);

drop function if exists "private"."erase_customer"(p_org_id uuid, p_customer_id uuid);

drop function if exists "private"."export_customer"(p_org_id uuid, p_customer_id uuid);

drop function if exists "private"."leads_guard"();

drop function if exists "private"."own_note"(p_note_id uuid);

drop function if exists "private"."partners_manager"(p_org_id uuid);

drop function if exists "private"."privacy_customer"(p_org_id uuid, p_customer_id uuid);

drop function if exists "private"."redact_jsonb"(p_value jsonb, p_email text, p_erased_email text, p_values text[], p_keys text[]);

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.audit_append_only()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
BEGIN
  -- The one exception: retention, inside private.purge_audit_log, which raises this flag for its own delete.
  IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'log'
     AND pg_catalog.current_setting('tessera.audit_purge', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'the audit log is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'PT403', HINT = 'old rows are removed only by api.purge_audit_log (service_role)';
END
$function$
;

CREATE OR REPLACE FUNCTION private.audit_chain_hash(p_previous text, p_org_id uuid, p_after bigint, p_last bigint)
 RETURNS text
 LANGUAGE sql
 STABLE
 SET search_path TO ''
 SET "TimeZone" TO 'UTC'
AS $function$
  -- Each row as jsonb text (keys in a fixed order, times in UTC), in id order, after the previous hash.
  SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(
           p_previous || coalesce(pg_catalog.string_agg(pg_catalog.to_jsonb(l)::text, E'\n' ORDER BY l.id), ''),
           'UTF8')), 'hex')
    FROM audit.log l
   WHERE l.org_id IS NOT DISTINCT FROM p_org_id AND l.id > p_after AND l.id <= p_last
$function$
;

CREATE OR REPLACE FUNCTION private.provider_events_guard()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
BEGIN
  IF TG_OP = 'DELETE' OR (NEW.provider, NEW.event_id, NEW.type, NEW.payload, NEW.received_at)
                         IS DISTINCT FROM (OLD.provider, OLD.event_id, OLD.type, OLD.payload, OLD.received_at) THEN
    RAISE EXCEPTION 'an inbox event is kept as it was received' USING ERRCODE = 'PT409',
      DETAIL = 'illegal_transition';
  END IF;
  RETURN NEW;
END
$function$
;
REVOKE ALL ON FUNCTION private.audit_append_only() FROM PUBLIC;
COMMENT ON FUNCTION private.audit_append_only() IS 'Trigger: refuses UPDATE, DELETE and TRUNCATE on the audit log and its seals, for every role including the owner;
only private.purge_audit_log''s own delete passes.';
REVOKE ALL ON FUNCTION private.audit_chain_hash(text,uuid,bigint,bigint) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.audit_chain_hash(text,uuid,bigint,bigint) TO authenticated;
GRANT EXECUTE ON FUNCTION private.audit_chain_hash(text,uuid,bigint,bigint) TO service_role;
COMMENT ON FUNCTION private.audit_chain_hash(text,uuid,bigint,bigint) IS 'SHA-256 (hex) of the previous hash followed by an organization''s log rows in (p_after, p_last], in id order.';
REVOKE ALL ON FUNCTION private.provider_events_guard() FROM PUBLIC;
COMMENT ON FUNCTION private.provider_events_guard() IS 'Trigger: an inbox event keeps what was received (provider, id, type, payload, time); only what applying it found
(organization, order, outcome, the payment it waits for) is written after. Never deleted. Else PT409
illegal_transition.';

COMMIT;
