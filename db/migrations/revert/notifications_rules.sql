-- Revert tessera:notifications_rules from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop trigger if exists "audit_log" on "app"."default_templates";

drop trigger if exists "audit_log" on "app"."notification_kinds";

drop trigger if exists "audit_log" on "app"."notification_templates";

drop function if exists "private"."enqueue_notification"(p_org_id uuid, p_kind text, p_recipient text, p_data jsonb, p_dedupe_key text, p_channel text, p_locale text, p_due_at timestamp with time zone, p_user_id uuid, p_customer_id uuid);

drop function if exists "private"."message_template"(p_org_id uuid, p_kind text, p_channel text, p_locale text);

drop function if exists "private"."message_wanted"(p_message app.notifications_outbox);

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.enqueue_notification(p_org_id uuid, p_kind text, p_recipient text, p_data jsonb, p_dedupe_key text)
 RETURNS void
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  -- The template is named after the kind until templates exist; the key makes a retried transaction write it once.
  INSERT INTO app.notifications_outbox (org_id, kind, recipient, template, data, dedupe_key)
  VALUES (p_org_id, p_kind, p_recipient, p_kind, coalesce(p_data, '{}'), p_dedupe_key)
  ON CONFLICT (dedupe_key) DO NOTHING
$function$
;
REVOKE ALL ON FUNCTION private.enqueue_notification(uuid,text,text,jsonb,text) FROM PUBLIC;
COMMENT ON FUNCTION private.enqueue_notification(uuid,text,text,jsonb,text) IS 'Queues one e-mail of kind p_kind (payment_received, refund_issued, late_payment_refund, invitation, …) to p_recipient with
its data, once per p_dedupe_key (a second call with the key writes nothing). For the definer functions of the
payments and team areas, in their transaction; nobody else may call it.';

COMMIT;
