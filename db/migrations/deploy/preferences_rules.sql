-- Deploy tessera:preferences_rules to pg
-- requires: preferences
--
-- Preferences: private.message_refused (marketing needs an opt-in, the newer of a channel's row and the customer's consent decides; transactional never refused) asked by claim_messages beside message_wanted; get/set_my_preferences for accounts, get_customer_preferences for staff and set_customer_preferences for managers, unsubscribe for service_role (idempotent), queue_marketing_message (one e-mail per opted-in customer, optionally of one RFM segment, at most 10,000, deduplicated per campaign), unsubscribe_subjects for the worker's signed links; an erasure deletes the customer's preferences

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION api.get_customer_preferences(org_id uuid, customer_id uuid)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  SELECT private.customer_preferences(org_id, customer_id)
$function$
;

CREATE OR REPLACE FUNCTION api.get_my_preferences(org_id uuid DEFAULT NULL::uuid)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  SELECT private.my_preferences(org_id)
$function$
;

CREATE OR REPLACE FUNCTION api.queue_marketing_message(org_id uuid, subject text, body text, segment text DEFAULT NULL::text, campaign_id uuid DEFAULT NULL::uuid)
 RETURNS jsonb
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  SELECT private.queue_marketing_message(org_id, subject, body, segment, campaign_id)
$function$
;

CREATE OR REPLACE FUNCTION api.set_customer_preferences(org_id uuid, customer_id uuid, channel text, marketing boolean)
 RETURNS jsonb
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  SELECT private.set_customer_preferences(org_id, customer_id, channel, marketing)
$function$
;

CREATE OR REPLACE FUNCTION api.set_my_preferences(org_id uuid, channel text, category text, enabled boolean)
 RETURNS jsonb
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  SELECT private.set_my_preferences(org_id, channel, category, enabled)
$function$
;

CREATE OR REPLACE FUNCTION api.unsubscribe(org_id uuid, channel text, customer_id uuid DEFAULT NULL::uuid, email text DEFAULT NULL::text)
 RETURNS jsonb
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  SELECT private.unsubscribe(org_id, channel, customer_id, email)
$function$
;

CREATE OR REPLACE FUNCTION private.customer_preferences(p_org_id uuid, p_customer_id uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
BEGIN
  IF p_org_id IS NULL OR p_customer_id IS NULL THEN
    RAISE EXCEPTION '% is required', CASE WHEN p_org_id IS NULL THEN 'org_id' ELSE 'customer_id' END
      USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  PERFORM FROM app.customers c
   WHERE c.org_id = p_org_id AND c.id = p_customer_id AND c.erased_at IS NULL
     AND p_org_id = ANY (private.org_ids('staff'));
  IF NOT FOUND THEN
    RAISE EXCEPTION 'customer not found' USING ERRCODE = 'PT404';
  END IF;
  RETURN (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                   'channel', ch.channel, 'marketing', r.reason IS NULL, 'reason', r.reason,
                   'source', m.source, 'changed_at', m.changed_at) ORDER BY ch.n)
            FROM (VALUES ('email', 1), ('sms', 2), ('in_app', 3)) ch (channel, n)
           CROSS JOIN LATERAL (SELECT private.marketing_refused(p_org_id, p_customer_id, NULL, ch.channel)) r (reason)
            LEFT JOIN app.message_preferences m
              ON m.org_id = p_org_id AND m.customer_id = p_customer_id AND m.channel = ch.channel
             AND m.category = 'marketing');
END
$function$
;

CREATE OR REPLACE FUNCTION private.customers_preferences_erase()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
BEGIN
  DELETE FROM app.message_preferences m WHERE m.org_id = NEW.org_id AND m.customer_id = NEW.id;
  RETURN NULL;
END
$function$
;

CREATE OR REPLACE FUNCTION private.marketing_refused(p_org_id uuid, p_customer_id uuid, p_user_id uuid, p_channel text)
 RETURNS text
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  c record;
  p record;
BEGIN
  IF p_customer_id IS NOT NULL THEN
    SELECT x.marketing_consent, x.marketing_consent_at, x.erased_at INTO c
      FROM app.customers x WHERE x.org_id = p_org_id AND x.id = p_customer_id;
    IF NOT FOUND OR c.erased_at IS NOT NULL THEN
      RETURN 'no_marketing_consent';
    END IF;
    SELECT m.enabled, m.changed_at INTO p
      FROM app.message_preferences m
     WHERE m.org_id = p_org_id AND m.customer_id = p_customer_id AND m.channel = p_channel
       AND m.category = 'marketing';
    -- The newer answer wins: the channel's row, or the consent on the customer record (the widget's box, staff).
    IF FOUND AND (c.marketing_consent_at IS NULL OR p.changed_at >= c.marketing_consent_at) THEN
      RETURN CASE WHEN p.enabled THEN NULL ELSE 'opted_out' END;
    END IF;
    RETURN CASE WHEN c.marketing_consent THEN NULL ELSE 'no_marketing_consent' END;
  END IF;
  IF p_user_id IS NOT NULL THEN
    SELECT m.enabled INTO p
      FROM app.message_preferences m
     WHERE m.org_id = p_org_id AND m.user_id = p_user_id AND m.channel = p_channel AND m.category = 'marketing';
    IF FOUND THEN
      RETURN CASE WHEN p.enabled THEN NULL ELSE 'opted_out' END;
    END IF;
  END IF;
  -- Nobody said yes: an account that never opted in, an address with no person behind it.
  RETURN 'no_marketing_consent';
END
$function$
;

CREATE OR REPLACE FUNCTION private.message_channel_arg(p_channel text)
 RETURNS void
 LANGUAGE plpgsql
 IMMUTABLE
 SET search_path TO ''
AS $function$
BEGIN
  IF p_channel IS NULL OR p_channel NOT IN ('email', 'sms', 'in_app') THEN
    RAISE EXCEPTION 'channel must be email, sms or in_app' USING ERRCODE = 'PT400', DETAIL = 'invalid',
      HINT = 'e.g. {"channel": "email"}';
  END IF;
END
$function$
;

CREATE OR REPLACE FUNCTION private.message_refused(p_message app.notifications_outbox)
 RETURNS text
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  SELECT CASE WHEN p_message.category = 'marketing'
              THEN private.marketing_refused(p_message.org_id, p_message.customer_id, p_message.user_id,
                                             p_message.channel) END
$function$
;

CREATE OR REPLACE FUNCTION private.my_preferences(p_org_id uuid)
 RETURNS jsonb
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
           'org_id', o.org_id, 'channel', ch.channel, 'category', cat.category,
           'enabled', CASE WHEN cat.category = 'transactional' THEN true ELSE coalesce(m.enabled, false) END,
           'locked', cat.category = 'transactional', 'source', m.source, 'changed_at', m.changed_at)
           ORDER BY o.org_id, ch.n, cat.n), '[]'::jsonb)
    FROM pg_catalog.unnest(private.org_ids('staff')) o (org_id)
   CROSS JOIN (VALUES ('email', 1), ('sms', 2), ('in_app', 3)) ch (channel, n)
   CROSS JOIN (VALUES ('transactional', 1), ('marketing', 2)) cat (category, n)
    LEFT JOIN app.message_preferences m
      ON m.org_id = o.org_id AND m.user_id = auth.uid() AND m.channel = ch.channel AND m.category = cat.category
   WHERE p_org_id IS NULL OR o.org_id = p_org_id
$function$
;

CREATE OR REPLACE FUNCTION private.put_preference(p_org_id uuid, p_customer_id uuid, p_user_id uuid, p_channel text, p_category text, p_enabled boolean, p_source text)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  r app.message_preferences;
BEGIN
  IF p_customer_id IS NOT NULL THEN
    INSERT INTO app.message_preferences AS m (org_id, customer_id, channel, category, enabled, source, changed_by)
    VALUES (p_org_id, p_customer_id, p_channel, p_category, p_enabled, p_source, auth.uid())
    ON CONFLICT (org_id, customer_id, channel, category) WHERE customer_id IS NOT NULL
    DO UPDATE SET enabled = EXCLUDED.enabled, source = EXCLUDED.source, changed_by = EXCLUDED.changed_by,
                  changed_at = pg_catalog.now()
    RETURNING m.* INTO r;
  ELSE
    INSERT INTO app.message_preferences AS m (org_id, user_id, channel, category, enabled, source, changed_by)
    VALUES (p_org_id, p_user_id, p_channel, p_category, p_enabled, p_source, auth.uid())
    ON CONFLICT (org_id, user_id, channel, category) WHERE user_id IS NOT NULL
    DO UPDATE SET enabled = EXCLUDED.enabled, source = EXCLUDED.source, changed_by = EXCLUDED.changed_by,
                  changed_at = pg_catalog.now()
    RETURNING m.* INTO r;
  END IF;
  RETURN pg_catalog.jsonb_build_object('org_id', r.org_id, 'customer_id', r.customer_id, 'user_id', r.user_id,
                                       'channel', r.channel, 'category', r.category, 'enabled', r.enabled,
                                       'source', r.source, 'changed_at', r.changed_at);
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

CREATE OR REPLACE FUNCTION private.set_my_preferences(p_org_id uuid, p_channel text, p_category text, p_enabled boolean)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
BEGIN
  PERFORM private.text_arg('channel', p_channel, 1, 20);
  PERFORM private.text_arg('category', p_category, 1, 20);
  IF p_org_id IS NULL OR p_enabled IS NULL THEN
    RAISE EXCEPTION '% is required', CASE WHEN p_org_id IS NULL THEN 'org_id' ELSE 'enabled' END
      USING ERRCODE = 'PT400', DETAIL = 'required',
            HINT = 'e.g. {"org_id": "…", "channel": "email", "category": "marketing", "enabled": false}';
  END IF;
  PERFORM private.message_channel_arg(p_channel);
  IF p_category IS NULL OR p_category NOT IN ('transactional', 'marketing') THEN
    RAISE EXCEPTION 'category must be transactional or marketing' USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
  IF auth.uid() IS NULL THEN
    RAISE EXCEPTION 'sign in first' USING ERRCODE = 'PT401';
  END IF;
  IF NOT (p_org_id = ANY (private.org_ids('staff'))) THEN
    RAISE EXCEPTION 'organization not found' USING ERRCODE = 'PT404';
  END IF;
  IF p_category = 'transactional' AND NOT p_enabled THEN
    RAISE EXCEPTION 'transactional messages cannot be switched off' USING ERRCODE = 'PT400',
      DETAIL = 'transactional_required',
      HINT = 'confirmations, receipts, reminders and invitations always go; switch off marketing instead';
  END IF;
  RETURN private.put_preference(p_org_id, NULL, auth.uid(), p_channel, p_category, p_enabled, 'api');
END
$function$
;

CREATE OR REPLACE FUNCTION private.unsubscribe(p_org_id uuid, p_channel text, p_customer_id uuid DEFAULT NULL::uuid, p_email text DEFAULT NULL::text)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  c app.customers;
  reason text;
BEGIN
  PERFORM private.text_arg('channel', p_channel, 1, 20);
  PERFORM private.text_arg('email', p_email, 3, 320);
  PERFORM private.require_service_role('record an unsubscribe');
  IF p_org_id IS NULL OR (p_customer_id IS NULL) = (p_email IS NULL) THEN
    RAISE EXCEPTION 'org_id and one of customer_id or email are required' USING ERRCODE = 'PT400',
      DETAIL = 'required';
  END IF;
  PERFORM private.message_channel_arg(p_channel);
  SELECT x.* INTO c FROM app.customers x
   WHERE x.org_id = p_org_id
     AND (x.id = p_customer_id OR (p_customer_id IS NULL AND x.email_key = pg_catalog.lower(pg_catalog.btrim(p_email))))
   FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'customer not found' USING ERRCODE = 'PT404';
  END IF;
  IF c.erased_at IS NOT NULL THEN
    -- Nothing of the person is kept, and nothing will be sent to them.
    RETURN pg_catalog.jsonb_build_object('org_id', c.org_id, 'customer_id', c.id, 'channel', p_channel,
                                         'unsubscribed', true, 'changed', false);
  END IF;
  reason := private.marketing_refused(c.org_id, c.id, NULL, p_channel);
  IF reason IS DISTINCT FROM 'opted_out' THEN
    PERFORM private.put_preference(c.org_id, c.id, NULL, p_channel, 'marketing', false, 'unsubscribe_link');
  END IF;
  RETURN pg_catalog.jsonb_build_object('org_id', c.org_id, 'customer_id', c.id, 'channel', p_channel,
                                       'unsubscribed', true, 'changed', reason IS DISTINCT FROM 'opted_out');
END
$function$
;

CREATE OR REPLACE FUNCTION private.unsubscribe_subjects(p_ids uuid[], p_worker text)
 RETURNS TABLE(id uuid, org_id uuid, customer_id uuid, channel text)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
BEGIN
  PERFORM private.require_service_role('read whom a message is for');
  IF pg_catalog.cardinality(p_ids) > 1000 THEN
    RAISE EXCEPTION 'at most 1000 messages at a time' USING ERRCODE = 'PT400', DETAIL = 'out_of_range';
  END IF;
  RETURN QUERY
  SELECT o.id, o.org_id, o.customer_id, o.channel
    FROM app.notifications_outbox o
   WHERE o.id = ANY (p_ids) AND o.status = 'sending' AND o.claimed_by = p_worker
     AND o.category = 'marketing' AND o.customer_id IS NOT NULL;
END
$function$
;

CREATE OR REPLACE FUNCTION private.claim_messages(p_worker text, p_limit integer, p_lease interval, p_channels text[] DEFAULT NULL::text[])
 RETURNS TABLE(id uuid, org_id uuid, kind text, channel text, recipient text, locale text, data jsonb, attempts integer, subject text, html text, body text, template_locale text, timezone text, currency text, org_name text, tickets jsonb, claimed_until timestamp with time zone)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  m app.notifications_outbox;
  reason text;
  taken uuid[] := '{}';
  lease_end timestamptz := pg_catalog.now() + p_lease;
BEGIN
  PERFORM private.require_service_role('take messages to deliver');
  IF p_worker IS NULL OR pg_catalog.length(p_worker) NOT BETWEEN 1 AND 200 THEN
    RAISE EXCEPTION 'worker is a name of 1 to 200 characters' USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
  IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 1000 THEN
    RAISE EXCEPTION 'limit is 1 to 1000 messages' USING ERRCODE = 'PT400', DETAIL = 'out_of_range';
  END IF;
  IF p_lease IS NULL OR p_lease NOT BETWEEN interval '1 second' AND interval '1 hour' THEN
    RAISE EXCEPTION 'lease is 1 second to 1 hour' USING ERRCODE = 'PT400', DETAIL = 'out_of_range';
  END IF;
  -- Expired leases first (their messages waited longest), then due messages oldest first; rows another worker
  -- holds are skipped, never waited for, so concurrent claims never answer one message twice. CTEs run as far
  -- as the limit reads them: the second locks only what the first left room for.
  FOR m IN
    WITH expired AS (
      SELECT o.* FROM app.notifications_outbox o
       WHERE o.status = 'sending' AND o.claimed_until < pg_catalog.now()
         AND (p_channels IS NULL OR o.channel = ANY (p_channels))
       ORDER BY o.claimed_until LIMIT p_limit FOR UPDATE SKIP LOCKED
    ), due AS (
      SELECT o.* FROM app.notifications_outbox o
       WHERE o.status = 'queued' AND o.next_attempt_at <= pg_catalog.now()
         AND (p_channels IS NULL OR o.channel = ANY (p_channels))
       ORDER BY o.next_attempt_at LIMIT p_limit FOR UPDATE SKIP LOCKED
    )
    SELECT x.* FROM (SELECT * FROM expired UNION ALL SELECT * FROM due) x LIMIT p_limit
  LOOP
    IF m.status = 'sending' THEN
      -- The worker holding it stopped answering: its attempt is recorded as lost, and the message goes again
      -- unless that was its last attempt.
      INSERT INTO app.notification_attempts AS a (org_id, message_id, attempt, worker, started_at, outcome, error)
      VALUES (m.org_id, m.id, GREATEST(m.attempts, 1), coalesce(m.claimed_by, 'unknown'),
              LEAST(coalesce(m.claimed_at, m.claimed_until), pg_catalog.now()),
              CASE WHEN m.attempts >= private.message_max_attempts() THEN 'dead' ELSE 'retry' END,
              'the worker''s lease ran out before it reported the outcome')
      ON CONFLICT DO NOTHING;
      IF m.attempts >= private.message_max_attempts() THEN
        UPDATE app.notifications_outbox o
           SET status = 'dead', claimed_until = NULL,
               last_error = 'the worker''s lease ran out on the last attempt'
         WHERE o.id = m.id;
        CONTINUE;
      END IF;
    END IF;
    reason := coalesce(private.message_wanted(m), private.message_refused(m));
    IF reason IS NOT NULL THEN
      UPDATE app.notifications_outbox o
         SET status = 'skipped', claimed_until = NULL, claimed_by = p_worker, claimed_at = pg_catalog.now(),
             attempts = o.attempts + 1, last_error = pg_catalog.left(reason, 2000)
       WHERE o.id = m.id;
      INSERT INTO app.notification_attempts (org_id, message_id, attempt, worker, started_at, outcome, error)
      VALUES (m.org_id, m.id, m.attempts + 1, p_worker, pg_catalog.now(), 'skipped', pg_catalog.left(reason, 2000))
      ON CONFLICT DO NOTHING;
      CONTINUE;
    END IF;
    UPDATE app.notifications_outbox o
       SET status = 'sending', claimed_by = p_worker, claimed_at = pg_catalog.now(), claimed_until = lease_end,
           attempts = o.attempts + 1
     WHERE o.id = m.id;
    taken := taken || m.id;
  END LOOP;

  RETURN QUERY
  SELECT o.id, o.org_id, o.kind, o.channel, o.recipient, o.locale, o.data, o.attempts::integer,
         t.subject, t.html, t.body, t.locale,
         coalesce(nullif(o.data ->> 'timezone', ''), 'UTC'),
         coalesce(nullif(o.data ->> 'currency', ''), s.currency::text),
         g.name,
         CASE WHEN o.kind = 'booking_confirmed' AND o.channel = 'email'
                   AND (o.data -> 'booking' ->> 'id') ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
              THEN coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                                      'id', k.id, 'seat_no', k.seat_no, 'payload', private.ticket_payload(k))
                                    ORDER BY k.seat_no, k.id)
                               FROM app.tickets k
                              WHERE k.org_id = o.org_id AND k.booking_id = (o.data -> 'booking' ->> 'id')::uuid
                                AND k.status = 'valid'), '[]'::jsonb)
              ELSE '[]'::jsonb END,
         o.claimed_until
    FROM app.notifications_outbox o
    JOIN app.organizations g ON g.id = o.org_id
    LEFT JOIN app.org_settings s ON s.org_id = o.org_id
    LEFT JOIN LATERAL private.message_template(o.org_id, o.kind, o.channel, o.locale) t ON true
   WHERE o.id = ANY (taken)
   ORDER BY o.next_attempt_at, o.id;
END
$function$
;

CREATE TRIGGER customers_preferences_erase AFTER UPDATE OF erased_at ON app.customers FOR EACH ROW WHEN (((old.erased_at IS NULL) AND (new.erased_at IS NOT NULL))) EXECUTE FUNCTION private.customers_preferences_erase();

CREATE TRIGGER audit_log AFTER INSERT OR DELETE OR UPDATE ON app.message_preferences FOR EACH ROW EXECUTE FUNCTION private.audit_record();
REVOKE ALL ON FUNCTION api.get_customer_preferences(uuid,uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.get_customer_preferences(uuid,uuid) TO authenticated;
COMMENT ON FUNCTION api.get_customer_preferences(uuid,uuid) IS 'Whether a customer gets marketing on each channel now, and why: [{channel, marketing, reason, source,
changed_at}], reason NULL when marketing may go, else opted_out or no_marketing_consent; source and changed_at are
the channel''s last recorded answer (NULL when only the consent on the customer record speaks). Transactional
messages always go. For staff of the organization. Errors: PT400 an argument missing; PT404 the customer does not
exist, was erased, or is another organization''s.';
REVOKE ALL ON FUNCTION api.get_my_preferences(uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.get_my_preferences(uuid) TO authenticated;
COMMENT ON FUNCTION api.get_my_preferences(uuid) IS 'The signed-in account''s message preferences in each organization it is a member of (or only org_id): one entry
per channel (email, sms, in_app) and category, [{org_id, channel, category, enabled, locked, source, changed_at}].
Transactional messages are always on (locked true); marketing is off until the account opts in (source and
changed_at are those of the last change, NULL when it never changed). For signed-in members; an organization the
caller is not a member of answers no entries.';
REVOKE ALL ON FUNCTION api.queue_marketing_message(uuid,text,text,text,uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.queue_marketing_message(uuid,text,text,text,uuid) TO authenticated;
COMMENT ON FUNCTION api.queue_marketing_message(uuid,text,text,text,uuid) IS 'Queues one marketing e-mail (kind marketing) per customer of the organization (only those of one RFM segment of
app.customer_segments when segment is given) who opted in to marketing e-mail and has not opted out, at most
10,000. The message data is {campaign: {id, subject, body}, customer: {id, name, email}, org: {id, name}}; the worker
adds unsubscribe_url (a signed one-click link, never stored) when it sends it, and checks the preferences again
then. campaign_id (default a new one) makes the call idempotent: the same campaign queues each customer once.
Answers {campaign_id, recipients, queued}. For managers, admins and owners. Errors: PT400 an argument missing,
subject over 200 or body over 20,000 characters, an unknown segment, over 10,000 recipients
(too_many_recipients); PT403 a staff member below manager; PT404 not a member of the organization.';
REVOKE ALL ON FUNCTION api.set_customer_preferences(uuid,uuid,text,boolean) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.set_customer_preferences(uuid,uuid,text,boolean) TO authenticated;
COMMENT ON FUNCTION api.set_customer_preferences(uuid,uuid,text,boolean) IS 'Records what a customer said at the desk: marketing on one channel (email, sms, in_app) on (an explicit opt-in)
or off, now, with source staff and the caller as who recorded it. It is the customer''s newest answer for the
channel until they say otherwise (the unsubscribe link, the widget''s consent). Transactional messages cannot be
switched off. Answers {org_id, customer_id, user_id, channel, category, enabled, source, changed_at}. For managers,
admins and owners of the organization. Errors: PT400 an argument missing or channel not one of the values; PT403
a staff member below manager; PT404 the customer does not exist, was erased, or is another organization''s.';
REVOKE ALL ON FUNCTION api.set_my_preferences(uuid,text,text,boolean) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.set_my_preferences(uuid,text,text,boolean) TO authenticated;
COMMENT ON FUNCTION api.set_my_preferences(uuid,text,text,boolean) IS 'Switches the signed-in account''s messages of a category (marketing; transactional only on) on one channel (email,
sms, in_app) on or off in an organization it is a member of, now, with source api. Answers the preference
{org_id, customer_id, user_id, channel, category, enabled, source, changed_at}. Errors: PT400 an argument missing
or not one of the values, or a transactional switch-off (detail transactional_required); PT401 not signed in;
PT404 not a member of the organization.';
REVOKE ALL ON FUNCTION api.unsubscribe(uuid,text,uuid,text) FROM PUBLIC, service_role;
GRANT EXECUTE ON FUNCTION api.unsubscribe(uuid,text,uuid,text) TO service_role;
COMMENT ON FUNCTION api.unsubscribe(uuid,text,uuid,text) IS 'Opts a customer out of marketing on one channel (private.unsubscribe): what POST /unsubscribe calls once it has
verified the link''s signature. Idempotent. Answers {org_id, customer_id, channel, unsubscribed, changed}. For
service_role only. Errors: PT400 arguments missing or invalid; PT403 anyone else; PT404 no such customer.';
REVOKE ALL ON FUNCTION private.claim_messages(text,integer,interval,text[]) FROM PUBLIC, service_role;
GRANT EXECUTE ON FUNCTION private.claim_messages(text,integer,interval,text[]) TO service_role;
COMMENT ON FUNCTION private.claim_messages(text,integer,interval,text[]) IS 'Takes up to p_limit (1 to 1000) messages for worker p_worker (a name unique to the process, 1 to 200 characters)
for p_lease (1 s to 1 h), of the channels p_channels (NULL: all; a worker takes only what it can deliver): those whose lease ran out (a worker killed mid-send: that attempt is recorded as lost,
and the message is dead if it was the last of its 8), then queued ones due (next_attempt_at passed), oldest first,
skipping rows another worker holds (FOR UPDATE SKIP LOCKED), so concurrent workers never take one message twice.
Each taken message is first judged by private.message_wanted, then by its recipient''s preferences
(private.message_refused): one no longer wanted is skipped with the reason (an
attempt of outcome skipped) and not answered; the rest become sending under the lease with one more attempt. One
row per message to send: id, org_id, kind, channel, recipient, locale, data, attempts (this one included), the
template parts (subject, html, body, template_locale; NULL when the kind has no template), timezone (data.timezone,
else UTC) and currency (data.currency, else the organization''s) to format with, org_name, tickets (for a
booking_confirmed e-mail: [{id, seat_no, payload}] of the live tickets of data.booking.id, the QR payloads; else
[]) and claimed_until. Report each with private.complete_message or private.fail_message. For service_role (or
the database owner without request claims). Errors: PT400 an argument out of range; PT403 anyone else.';
REVOKE ALL ON FUNCTION private.customer_preferences(uuid,uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.customer_preferences(uuid,uuid) TO authenticated;
COMMENT ON FUNCTION private.customer_preferences(uuid,uuid) IS 'The body of api.get_customer_preferences.';
REVOKE ALL ON FUNCTION private.customers_preferences_erase() FROM PUBLIC;
COMMENT ON FUNCTION private.customers_preferences_erase() IS 'Trigger on app.customers (after an erasure marks a customer erased): the person''s message preferences are
deleted in the erasure''s transaction (an erased customer gets no marketing: their consent is withdrawn).';
REVOKE ALL ON FUNCTION private.marketing_refused(uuid,uuid,uuid,text) FROM PUBLIC;
COMMENT ON FUNCTION private.marketing_refused(uuid,uuid,uuid,text) IS 'NULL when a marketing message of organization p_org_id on p_channel may go to customer p_customer_id (or, without
one, staff account p_user_id); else why not: opted_out (their preference for the channel is off) or
no_marketing_consent (they never opted in, withdrew their consent, were erased, or there is nobody to ask). For a
customer the newer of the channel''s preference row and the consent on the customer record decides; for an
account its row. For the delivery worker (private.message_refused) and the marketing sender.';
REVOKE ALL ON FUNCTION private.message_channel_arg(text) FROM PUBLIC;
COMMENT ON FUNCTION private.message_channel_arg(text) IS 'Raises PT400 (detail invalid) unless p_channel is email, sms or in_app.';
REVOKE ALL ON FUNCTION private.message_refused(app.notifications_outbox) FROM PUBLIC;
COMMENT ON FUNCTION private.message_refused(app.notifications_outbox) IS 'NULL when the recipient''s preferences let the message go, else the reason it is skipped: opted_out or
no_marketing_consent (private.marketing_refused). Transactional messages are never refused. Asked by the delivery
worker (private.claim_messages) for each message it takes, beside private.message_wanted.';
REVOKE ALL ON FUNCTION private.my_preferences(uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.my_preferences(uuid) TO authenticated;
COMMENT ON FUNCTION private.my_preferences(uuid) IS 'The body of api.get_my_preferences.';
REVOKE ALL ON FUNCTION private.put_preference(uuid,uuid,uuid,text,text,boolean,text) FROM PUBLIC;
COMMENT ON FUNCTION private.put_preference(uuid,uuid,uuid,text,text,boolean,text) IS 'Records one preference (a customer''s, else an account''s) for a channel and category, said through p_source by
the caller (auth.uid(), NULL for the unsubscribe link), now; answers it as {org_id, customer_id, user_id, channel,
category, enabled, source, changed_at}. For the definers of this area, which check the caller and the arguments.';
REVOKE ALL ON FUNCTION private.queue_marketing_message(uuid,text,text,text,uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.queue_marketing_message(uuid,text,text,text,uuid) TO authenticated;
COMMENT ON FUNCTION private.queue_marketing_message(uuid,text,text,text,uuid) IS 'The body of api.queue_marketing_message.';
REVOKE ALL ON FUNCTION private.set_customer_preferences(uuid,uuid,text,boolean) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.set_customer_preferences(uuid,uuid,text,boolean) TO authenticated;
COMMENT ON FUNCTION private.set_customer_preferences(uuid,uuid,text,boolean) IS 'The body of api.set_customer_preferences.';
REVOKE ALL ON FUNCTION private.set_my_preferences(uuid,text,text,boolean) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.set_my_preferences(uuid,text,text,boolean) TO authenticated;
COMMENT ON FUNCTION private.set_my_preferences(uuid,text,text,boolean) IS 'The body of api.set_my_preferences.';
REVOKE ALL ON FUNCTION private.unsubscribe(uuid,text,uuid,text) FROM PUBLIC, service_role;
GRANT EXECUTE ON FUNCTION private.unsubscribe(uuid,text,uuid,text) TO service_role;
COMMENT ON FUNCTION private.unsubscribe(uuid,text,uuid,text) IS 'Records that customer p_customer_id (or the customer of p_org_id with e-mail p_email) wants no more marketing on
p_channel, through the unsubscribe link, now. Idempotent: a customer already opted out of the channel is left as
they are (changed false); an erased customer is answered unsubscribed with nothing written. Answers {org_id,
customer_id, channel, unsubscribed, changed}. For service_role (the service, once it has verified the link''s
signature). Errors: PT400 arguments missing or invalid; PT403 anyone else; PT404 no such customer.';
REVOKE ALL ON FUNCTION private.unsubscribe_subjects(uuid[],text) FROM PUBLIC, service_role;
GRANT EXECUTE ON FUNCTION private.unsubscribe_subjects(uuid[],text) TO service_role;
COMMENT ON FUNCTION private.unsubscribe_subjects(uuid[],text) IS 'Of the messages p_ids that worker p_worker holds (at most 1000), the marketing ones addressed to a customer: id,
org_id, customer_id and channel, what the worker signs each one''s unsubscribe link over. For service_role (or the
database owner without request claims). Errors: PT400 over 1000 ids; PT403 anyone else.';

COMMIT;
