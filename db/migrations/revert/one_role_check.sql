-- Revert tessera:one_role_check from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.delivery_manager(p_org_id uuid)
 RETURNS void
 LANGUAGE plpgsql
 STABLE
 SET search_path TO ''
AS $function$
BEGIN
  IF p_org_id IS NULL OR NOT p_org_id = ANY (private.org_ids('staff')) THEN
    RAISE EXCEPTION 'organization not found' USING ERRCODE = 'PT404', DETAIL = 'not_found';
  END IF;
  IF NOT p_org_id = ANY (private.org_ids('manager')) THEN
    RAISE EXCEPTION 'only managers, admins and the owner see and retry failed messages' USING ERRCODE = 'PT403',
      DETAIL = 'forbidden', HINT = 'ask one of the organization''s managers or its owner';
  END IF;
END
$function$
;

CREATE OR REPLACE FUNCTION private.webhook_admin(p_org_id uuid)
 RETURNS void
 LANGUAGE plpgsql
 STABLE
 SET search_path TO ''
AS $function$
BEGIN
  IF p_org_id IS NULL OR NOT p_org_id = ANY (private.org_ids('staff')) THEN
    RAISE EXCEPTION 'organization not found' USING ERRCODE = 'PT404', DETAIL = 'not_found';
  END IF;
  IF NOT p_org_id = ANY (private.org_ids('admin')) THEN
    RAISE EXCEPTION 'only admins and the owner manage webhooks' USING ERRCODE = 'PT403', DETAIL = 'forbidden',
      HINT = 'ask one of the organization''s admins or its owner';
  END IF;
END
$function$
;

CREATE OR REPLACE FUNCTION private.create_webhook_endpoint(p_org_id uuid, p_url text, p_event_types text[], p_description text)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  e app.webhook_endpoints;
BEGIN
  PERFORM private.webhook_admin(p_org_id);
  IF (SELECT pg_catalog.count(*) FROM app.webhook_endpoints w WHERE w.org_id = p_org_id) >= 20 THEN
    RAISE EXCEPTION 'an organization has at most 20 webhook endpoints' USING ERRCODE = 'PT409',
      DETAIL = 'too_many', HINT = 'delete one you no longer use';
  END IF;
  INSERT INTO app.webhook_endpoints (org_id, url, description, event_types, secret, created_by)
  VALUES (p_org_id, p_url, nullif(pg_catalog.btrim(p_description), ''), p_event_types, private.webhook_secret(),
          auth.uid())
  RETURNING * INTO e;
  RETURN private.webhook_endpoint_json(e, true);
END
$function$
;

CREATE OR REPLACE FUNCTION private.delete_webhook_endpoint(p_org_id uuid, p_endpoint_id uuid)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
BEGIN
  PERFORM private.webhook_admin(p_org_id);
  DELETE FROM app.webhook_endpoints w WHERE w.org_id = p_org_id AND w.id = p_endpoint_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'webhook endpoint not found' USING ERRCODE = 'PT404', DETAIL = 'not_found';
  END IF;
END
$function$
;

CREATE OR REPLACE FUNCTION private.list_failed_messages(p_org_id uuid, p_before_at timestamp with time zone, p_before_id uuid, p_page_size integer)
 RETURNS TABLE(id uuid, kind text, channel text, recipient text, locale text, attempts integer, last_error text, created_at timestamp with time zone, failed_at timestamp with time zone, cursor text)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
BEGIN
  PERFORM private.delivery_manager(p_org_id);
  RETURN QUERY
  SELECT o.id, o.kind, o.channel, o.recipient, o.locale, o.attempts::integer, o.last_error, o.created_at,
         (SELECT pg_catalog.max(a.finished_at) FROM app.notification_attempts a
           WHERE a.org_id = o.org_id AND a.message_id = o.id),
         private.keyset_cursor(o.created_at, o.id)
    FROM app.notifications_outbox o
   WHERE o.org_id = p_org_id AND o.status = 'dead'
     AND (p_before_at IS NULL OR (o.created_at, o.id) < (p_before_at, p_before_id))
   ORDER BY o.created_at DESC, o.id DESC
   LIMIT p_page_size;
END
$function$
;

CREATE OR REPLACE FUNCTION private.list_webhook_deliveries(p_org_id uuid, p_endpoint_id uuid, p_status text, p_before_at timestamp with time zone, p_before_id uuid, p_page_size integer)
 RETURNS TABLE(id uuid, endpoint_id uuid, event_type text, webhook_id text, status text, attempts integer, next_attempt_at timestamp with time zone, last_status_code integer, last_error text, created_at timestamp with time zone, delivered_at timestamp with time zone, payload jsonb, cursor text)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
BEGIN
  PERFORM private.webhook_admin(p_org_id);
  RETURN QUERY
  SELECT d.id, d.endpoint_id, d.event_type, d.webhook_id, d.status, d.attempts::integer, d.next_attempt_at,
         d.last_status_code::integer, d.last_error, d.created_at, d.delivered_at, d.payload,
         private.keyset_cursor(d.created_at, d.id)
    FROM app.webhook_deliveries d
   WHERE d.org_id = p_org_id
     AND (p_endpoint_id IS NULL OR d.endpoint_id = p_endpoint_id)
     AND (p_status IS NULL OR d.status = p_status)
     AND (p_before_at IS NULL OR (d.created_at, d.id) < (p_before_at, p_before_id))
   ORDER BY d.created_at DESC, d.id DESC
   LIMIT p_page_size;
END
$function$
;

CREATE OR REPLACE FUNCTION private.list_webhook_endpoints(p_org_id uuid)
 RETURNS SETOF jsonb
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
BEGIN
  PERFORM private.webhook_admin(p_org_id);
  RETURN QUERY SELECT private.webhook_endpoint_json(w, false) FROM app.webhook_endpoints w
                WHERE w.org_id = p_org_id ORDER BY w.created_at, w.id;
END
$function$
;

CREATE OR REPLACE FUNCTION private.queue_marketing_message(p_org_id uuid, p_subject text, p_body text, p_segment text, p_campaign_id uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  max_recipients constant integer := 10000;
  campaign uuid := coalesce(p_campaign_id, pg_catalog.gen_random_uuid());
  org_name text;
  wanted integer;
  queued integer;
BEGIN
  PERFORM private.text_arg('subject', p_subject, 1, 200);
  PERFORM private.text_arg('body', p_body, 1, 20000);
  PERFORM private.text_arg('segment', p_segment, 1, 50);
  IF p_org_id IS NULL OR p_subject IS NULL OR p_body IS NULL THEN
    RAISE EXCEPTION '% is required',
      CASE WHEN p_org_id IS NULL THEN 'org_id' WHEN p_subject IS NULL THEN 'subject' ELSE 'body' END
      USING ERRCODE = 'PT400', DETAIL = 'required',
            HINT = 'e.g. {"org_id": "…", "subject": "New rooms", "body": "…"}';
  END IF;
  IF p_segment IS NOT NULL AND p_segment NOT IN ('champions', 'loyal', 'potential_loyalists', 'new', 'at_risk',
                                                 'cant_lose', 'hibernating', 'lost') THEN
    RAISE EXCEPTION 'segment is not an RFM segment' USING ERRCODE = 'PT400', DETAIL = 'invalid',
      HINT = 'champions, loyal, potential_loyalists, new, at_risk, cant_lose, hibernating or lost; or none';
  END IF;
  IF NOT (p_org_id = ANY (private.org_ids('staff'))) THEN
    RAISE EXCEPTION 'organization not found' USING ERRCODE = 'PT404';
  END IF;
  IF NOT (p_org_id = ANY (private.org_ids('manager'))) THEN
    RAISE EXCEPTION 'only managers, admins and owners may send marketing' USING ERRCODE = 'PT403';
  END IF;
  SELECT g.name INTO org_name FROM app.organizations g WHERE g.id = p_org_id;

  -- Counted first (bounded), then queued: the same rule both times, in one transaction.
  SELECT pg_catalog.count(*) INTO wanted
    FROM (SELECT FROM app.customers c
           WHERE c.org_id = p_org_id AND c.erased_at IS NULL
             AND (p_segment IS NULL OR EXISTS (SELECT FROM app.customer_segments s
                                                WHERE s.org_id = p_org_id AND s.customer_id = c.id
                                                  AND s.segment = p_segment))
             AND private.marketing_refused(p_org_id, c.id, NULL, 'email') IS NULL
           LIMIT max_recipients + 1) x;
  IF wanted > max_recipients THEN
    RAISE EXCEPTION 'a campaign reaches at most % customers', max_recipients USING ERRCODE = 'PT400',
      DETAIL = 'too_many_recipients', HINT = 'send it to one segment at a time';
  END IF;

  SELECT pg_catalog.count(q.id) INTO queued
    FROM app.customers c
   CROSS JOIN LATERAL private.enqueue_notification(
           p_org_id, 'marketing', c.email,
           pg_catalog.jsonb_build_object('campaign', pg_catalog.jsonb_build_object(
                                            'id', campaign, 'subject', p_subject, 'body', p_body),
                                         'customer', pg_catalog.jsonb_build_object('id', c.id, 'name', c.name,
                                                                                   'email', c.email),
                                         'org', pg_catalog.jsonb_build_object('id', p_org_id, 'name', org_name)),
           'marketing:' || campaign || ':' || c.id, 'email',
           p_customer_id => c.id) q (id)
   WHERE c.org_id = p_org_id AND c.erased_at IS NULL
     AND (p_segment IS NULL OR EXISTS (SELECT FROM app.customer_segments s
                                        WHERE s.org_id = p_org_id AND s.customer_id = c.id
                                          AND s.segment = p_segment))
     AND private.marketing_refused(p_org_id, c.id, NULL, 'email') IS NULL;
  RETURN pg_catalog.jsonb_build_object('campaign_id', campaign, 'recipients', wanted, 'queued', queued);
END
$function$
;

CREATE OR REPLACE FUNCTION private.retry_message(p_org_id uuid, p_message_id uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  m app.notifications_outbox;
BEGIN
  PERFORM private.delivery_manager(p_org_id);
  SELECT o.* INTO m FROM app.notifications_outbox o WHERE o.org_id = p_org_id AND o.id = p_message_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'message not found' USING ERRCODE = 'PT404', DETAIL = 'not_found';
  END IF;
  IF m.status <> 'dead' THEN
    RAISE EXCEPTION 'only a failed message can be retried; this one is %', m.status USING ERRCODE = 'PT409',
      DETAIL = 'illegal_transition';
  END IF;
  UPDATE app.notifications_outbox o SET status = 'queued', next_attempt_at = pg_catalog.now()
   WHERE o.id = m.id RETURNING o.* INTO m;
  RETURN pg_catalog.jsonb_build_object('id', m.id, 'status', m.status, 'attempts', m.attempts,
                                       'next_attempt_at', m.next_attempt_at);
END
$function$
;

CREATE OR REPLACE FUNCTION private.retry_webhook_delivery(p_org_id uuid, p_delivery_id uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  d app.webhook_deliveries;
BEGIN
  PERFORM private.webhook_admin(p_org_id);
  SELECT x.* INTO d FROM app.webhook_deliveries x WHERE x.org_id = p_org_id AND x.id = p_delivery_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'webhook delivery not found' USING ERRCODE = 'PT404', DETAIL = 'not_found';
  END IF;
  IF d.status <> 'dead' THEN
    RAISE EXCEPTION 'only a failed delivery can be retried; this one is %', d.status USING ERRCODE = 'PT409',
      DETAIL = 'illegal_transition';
  END IF;
  UPDATE app.webhook_deliveries x SET status = 'queued', next_attempt_at = pg_catalog.now()
   WHERE x.id = d.id RETURNING x.* INTO d;
  RETURN pg_catalog.jsonb_build_object('id', d.id, 'status', d.status, 'attempts', d.attempts,
                                       'next_attempt_at', d.next_attempt_at);
END
$function$
;

CREATE OR REPLACE FUNCTION private.rotate_webhook_secret(p_org_id uuid, p_endpoint_id uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  e app.webhook_endpoints;
BEGIN
  PERFORM private.webhook_admin(p_org_id);
  UPDATE app.webhook_endpoints w SET secret = private.webhook_secret(), updated_at = pg_catalog.now()
   WHERE w.org_id = p_org_id AND w.id = p_endpoint_id
  RETURNING * INTO e;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'webhook endpoint not found' USING ERRCODE = 'PT404', DETAIL = 'not_found';
  END IF;
  RETURN private.webhook_endpoint_json(e, true);
END
$function$
;

CREATE OR REPLACE FUNCTION private.set_customer_preferences(p_org_id uuid, p_customer_id uuid, p_channel text, p_marketing boolean)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
BEGIN
  PERFORM private.text_arg('channel', p_channel, 1, 20);
  IF p_org_id IS NULL OR p_customer_id IS NULL OR p_marketing IS NULL THEN
    RAISE EXCEPTION '% is required',
      CASE WHEN p_org_id IS NULL THEN 'org_id' WHEN p_customer_id IS NULL THEN 'customer_id' ELSE 'marketing' END
      USING ERRCODE = 'PT400', DETAIL = 'required',
            HINT = 'e.g. {"org_id": "…", "customer_id": "…", "channel": "email", "marketing": false}';
  END IF;
  PERFORM private.message_channel_arg(p_channel);
  IF NOT (p_org_id = ANY (private.org_ids('staff'))) THEN
    RAISE EXCEPTION 'customer not found' USING ERRCODE = 'PT404';
  END IF;
  IF NOT (p_org_id = ANY (private.org_ids('manager'))) THEN
    RAISE EXCEPTION 'only managers, admins and owners may change a customer''s message preferences'
      USING ERRCODE = 'PT403';
  END IF;
  PERFORM FROM app.customers c WHERE c.org_id = p_org_id AND c.id = p_customer_id AND c.erased_at IS NULL;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'customer not found' USING ERRCODE = 'PT404';
  END IF;
  RETURN private.put_preference(p_org_id, p_customer_id, NULL, p_channel, 'marketing', p_marketing, 'staff');
END
$function$
;

CREATE OR REPLACE FUNCTION private.update_webhook_endpoint(p_org_id uuid, p_endpoint_id uuid, p_url text, p_event_types text[], p_description text, p_enabled boolean)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  e app.webhook_endpoints;
BEGIN
  PERFORM private.webhook_admin(p_org_id);
  SELECT w.* INTO e FROM app.webhook_endpoints w WHERE w.org_id = p_org_id AND w.id = p_endpoint_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'webhook endpoint not found' USING ERRCODE = 'PT404', DETAIL = 'not_found';
  END IF;
  UPDATE app.webhook_endpoints w
     SET url = coalesce(p_url, w.url),
         event_types = coalesce(p_event_types, w.event_types),
         description = CASE WHEN p_description IS NULL THEN w.description
                            ELSE nullif(pg_catalog.btrim(p_description), '') END,
         enabled = coalesce(p_enabled, w.enabled),
         disabled_at = CASE WHEN p_enabled IS NULL OR p_enabled = w.enabled THEN w.disabled_at
                            WHEN p_enabled THEN NULL ELSE pg_catalog.now() END,
         disabled_reason = CASE WHEN p_enabled IS NULL OR p_enabled = w.enabled THEN w.disabled_reason
                                WHEN p_enabled THEN NULL ELSE 'disabled by an admin' END,
         -- Enabled again (or pointed elsewhere): it starts with a clean record.
         consecutive_failures = CASE WHEN p_enabled OR p_url IS NOT NULL THEN 0 ELSE w.consecutive_failures END,
         failing_since = CASE WHEN p_enabled OR p_url IS NOT NULL THEN NULL ELSE w.failing_since END,
         updated_at = pg_catalog.now()
   WHERE w.id = e.id
  RETURNING * INTO e;
  RETURN private.webhook_endpoint_json(e, false);
END
$function$
;
REVOKE ALL ON FUNCTION private.create_webhook_endpoint(uuid,text,text[],text) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.create_webhook_endpoint(uuid,text,text[],text) TO authenticated;
COMMENT ON FUNCTION private.create_webhook_endpoint(uuid,text,text[],text) IS 'api.create_webhook_endpoint (which checked the arguments), for admins and the owner.';
REVOKE ALL ON FUNCTION private.delete_webhook_endpoint(uuid,uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.delete_webhook_endpoint(uuid,uuid) TO authenticated;
COMMENT ON FUNCTION private.delete_webhook_endpoint(uuid,uuid) IS 'api.delete_webhook_endpoint, for admins and the owner.';
REVOKE ALL ON FUNCTION private.delivery_manager(uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.delivery_manager(uuid) TO authenticated;
COMMENT ON FUNCTION private.delivery_manager(uuid) IS 'Raises PT404 unless the caller is a member of organization p_org_id, PT403 unless a manager or above there.';
REVOKE ALL ON FUNCTION private.list_failed_messages(uuid,timestamp with time zone,uuid,integer) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.list_failed_messages(uuid,timestamp with time zone,uuid,integer) TO authenticated;
COMMENT ON FUNCTION private.list_failed_messages(uuid,timestamp with time zone,uuid,integer) IS 'One page of api.list_failed_messages (which checked the arguments and decoded the cursor), for managers and up of
the organization.';
REVOKE ALL ON FUNCTION private.list_webhook_deliveries(uuid,uuid,text,timestamp with time zone,uuid,integer) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.list_webhook_deliveries(uuid,uuid,text,timestamp with time zone,uuid,integer) TO authenticated;
COMMENT ON FUNCTION private.list_webhook_deliveries(uuid,uuid,text,timestamp with time zone,uuid,integer) IS 'One page of api.list_webhook_deliveries (which checked the arguments and decoded the cursor), for admins and the
owner.';
REVOKE ALL ON FUNCTION private.list_webhook_endpoints(uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.list_webhook_endpoints(uuid) TO authenticated;
COMMENT ON FUNCTION private.list_webhook_endpoints(uuid) IS 'api.list_webhook_endpoints, for admins and the owner.';
REVOKE ALL ON FUNCTION private.queue_marketing_message(uuid,text,text,text,uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.queue_marketing_message(uuid,text,text,text,uuid) TO authenticated;
COMMENT ON FUNCTION private.queue_marketing_message(uuid,text,text,text,uuid) IS 'The body of api.queue_marketing_message.';
REVOKE ALL ON FUNCTION private.retry_message(uuid,uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.retry_message(uuid,uuid) TO authenticated;
COMMENT ON FUNCTION private.retry_message(uuid,uuid) IS 'api.retry_message, for managers and up of the organization.';
REVOKE ALL ON FUNCTION private.retry_webhook_delivery(uuid,uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.retry_webhook_delivery(uuid,uuid) TO authenticated;
COMMENT ON FUNCTION private.retry_webhook_delivery(uuid,uuid) IS 'api.retry_webhook_delivery, for admins and the owner.';
REVOKE ALL ON FUNCTION private.rotate_webhook_secret(uuid,uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.rotate_webhook_secret(uuid,uuid) TO authenticated;
COMMENT ON FUNCTION private.rotate_webhook_secret(uuid,uuid) IS 'api.rotate_webhook_secret, for admins and the owner.';
REVOKE ALL ON FUNCTION private.set_customer_preferences(uuid,uuid,text,boolean) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.set_customer_preferences(uuid,uuid,text,boolean) TO authenticated;
COMMENT ON FUNCTION private.set_customer_preferences(uuid,uuid,text,boolean) IS 'The body of api.set_customer_preferences.';
REVOKE ALL ON FUNCTION private.update_webhook_endpoint(uuid,uuid,text,text[],text,boolean) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.update_webhook_endpoint(uuid,uuid,text,text[],text,boolean) TO authenticated;
COMMENT ON FUNCTION private.update_webhook_endpoint(uuid,uuid,text,text[],text,boolean) IS 'api.update_webhook_endpoint (which checked the arguments), for admins and the owner.';
REVOKE ALL ON FUNCTION private.webhook_admin(uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.webhook_admin(uuid) TO authenticated;
COMMENT ON FUNCTION private.webhook_admin(uuid) IS 'Raises PT404 unless the caller is a member of organization p_org_id, PT403 unless an admin or the owner there.';

COMMIT;
