-- Revert tessera:enqueue_planned from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.enqueue_notification(p_org_id uuid, p_kind text, p_recipient text, p_data jsonb, p_dedupe_key text, p_channel text DEFAULT 'email'::text, p_locale text DEFAULT NULL::text, p_due_at timestamp with time zone DEFAULT NULL::timestamp with time zone, p_user_id uuid DEFAULT NULL::uuid, p_customer_id uuid DEFAULT NULL::uuid)
 RETURNS uuid
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  -- The key makes a retried transaction or a repeated event write the message once; the kind (its foreign key
  -- refuses an unknown one) decides whether it is transactional or marketing; the organization's locale is the
  -- default language.
  INSERT INTO app.notifications_outbox (org_id, kind, recipient, channel, template, locale, data, dedupe_key,
                                        category, due_at, next_attempt_at, user_id, customer_id)
  VALUES (p_org_id, p_kind, p_recipient, p_channel, p_kind,
          coalesce(p_locale, (SELECT s.locale FROM app.org_settings s WHERE s.org_id = p_org_id), 'en'),
          coalesce(p_data, '{}'), p_dedupe_key,
          coalesce((SELECT k.category FROM app.notification_kinds k WHERE k.kind = p_kind), 'transactional'),
          coalesce(p_due_at, now()), coalesce(p_due_at, now()), p_user_id, p_customer_id)
  ON CONFLICT (dedupe_key) DO NOTHING
  RETURNING id
$function$
;
REVOKE ALL ON FUNCTION private.enqueue_notification(uuid,text,text,jsonb,text,text,text,timestamp with time zone,uuid,uuid) FROM PUBLIC;
COMMENT ON FUNCTION private.enqueue_notification(uuid,text,text,jsonb,text,text,text,timestamp with time zone,uuid,uuid) IS 'Queues one message of kind p_kind (one of app.notification_kinds: booking_confirmed, payment_received, invitation,
…) on p_channel (email, sms, in_app; in_app needs p_user_id) to p_recipient with its data, in p_locale (default: the
organization''s), due at p_due_at (default now), once per p_dedupe_key: a second call with the key writes nothing and
answers NULL, the first answers the message''s id. For definer functions and triggers of the areas that announce
things, in their transaction; nobody else may call it.';

COMMIT;
