-- Functions of the `preferences` area: who wants which messages on which channel. Transactional messages
-- (confirmations, receipts, reminders, invitations) always go; marketing needs an explicit opt-in (GDPR and
-- ePrivacy: no answer means no marketing) and can be switched off per channel, by a signed-in staff member for
-- themselves, by managers for a customer who said so at the desk, and by the customer through the signed one-click
-- unsubscribe link of every marketing e-mail (the service verifies the link and calls private.unsubscribe as
-- service_role). The delivery worker asks private.message_refused of each message it takes. A marketing sender
-- (queue_marketing_message) queues one e-mail per opted-in customer. Rows of app.message_preferences are read and
-- written only here (SECURITY DEFINER functions with their own checks); erasing a customer deletes theirs.

CREATE OR REPLACE FUNCTION private.message_channel_arg(p_channel text)
RETURNS void
LANGUAGE plpgsql
IMMUTABLE
SET search_path = ''
AS $$
BEGIN
  IF p_channel IS NULL OR p_channel NOT IN ('email', 'sms', 'in_app') THEN
    RAISE EXCEPTION 'channel must be email, sms or in_app' USING ERRCODE = 'PT400', DETAIL = 'invalid',
      HINT = 'e.g. {"channel": "email"}';
  END IF;
END
$$;

COMMENT ON FUNCTION private.message_channel_arg(text) IS
'Raises PT400 (detail invalid) unless p_channel is email, sms or in_app.';

REVOKE ALL ON FUNCTION private.message_channel_arg(text) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.marketing_refused(p_org_id uuid, p_customer_id uuid, p_user_id uuid,
                                                     p_channel text)
RETURNS text
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
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
$$;

COMMENT ON FUNCTION private.marketing_refused(uuid, uuid, uuid, text) IS
'NULL when a marketing message of organization p_org_id on p_channel may go to customer p_customer_id (or, without
one, staff account p_user_id); else why not: opted_out (their preference for the channel is off) or
no_marketing_consent (they never opted in, withdrew their consent, were erased, or there is nobody to ask). For a
customer the newer of the channel''s preference row and the consent on the customer record decides; for an
account its row. For the delivery worker (private.message_refused) and the marketing sender.';

REVOKE ALL ON FUNCTION private.marketing_refused(uuid, uuid, uuid, text) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.message_refused(p_message app.notifications_outbox)
RETURNS text
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT CASE WHEN p_message.category = 'marketing'
              THEN private.marketing_refused(p_message.org_id, p_message.customer_id, p_message.user_id,
                                             p_message.channel) END
$$;

COMMENT ON FUNCTION private.message_refused(app.notifications_outbox) IS
'NULL when the recipient''s preferences let the message go, else the reason it is skipped: opted_out or
no_marketing_consent (private.marketing_refused). Transactional messages are never refused. Asked by the delivery
worker (private.claim_messages) for each message it takes, beside private.message_wanted.';

REVOKE ALL ON FUNCTION private.message_refused(app.notifications_outbox) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.put_preference(p_org_id uuid, p_customer_id uuid, p_user_id uuid, p_channel text,
                                                  p_category text, p_enabled boolean, p_source text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
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
$$;

COMMENT ON FUNCTION private.put_preference(uuid, uuid, uuid, text, text, boolean, text) IS
'Records one preference (a customer''s, else an account''s) for a channel and category, said through p_source by
the caller (auth.uid(), NULL for the unsubscribe link), now; answers it as {org_id, customer_id, user_id, channel,
category, enabled, source, changed_at}. For the definers of this area, which check the caller and the arguments.';

REVOKE ALL ON FUNCTION private.put_preference(uuid, uuid, uuid, text, text, boolean, text) FROM PUBLIC;


-- A signed-in account's own preferences. ------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.my_preferences(p_org_id uuid)
RETURNS jsonb
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
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
$$;

COMMENT ON FUNCTION private.my_preferences(uuid) IS
'The body of api.get_my_preferences.';

REVOKE ALL ON FUNCTION private.my_preferences(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.my_preferences(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.get_my_preferences(org_id uuid DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT private.my_preferences(org_id)
$$;

COMMENT ON FUNCTION api.get_my_preferences(uuid) IS
$$The signed-in account's message preferences in each organization it is a member of (or only org_id): one entry
per channel (email, sms, in_app) and category, [{org_id, channel, category, enabled, locked, source, changed_at}].
Transactional messages are always on (locked true); marketing is off until the account opts in (source and
changed_at are those of the last change, NULL when it never changed). For signed-in members; an organization the
caller is not a member of answers no entries.$$;

REVOKE ALL ON FUNCTION api.get_my_preferences(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.get_my_preferences(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION private.set_my_preferences(p_org_id uuid, p_channel text, p_category text,
                                                      p_enabled boolean)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
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
$$;

COMMENT ON FUNCTION private.set_my_preferences(uuid, text, text, boolean) IS
'The body of api.set_my_preferences.';

REVOKE ALL ON FUNCTION private.set_my_preferences(uuid, text, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.set_my_preferences(uuid, text, text, boolean) TO authenticated;


CREATE OR REPLACE FUNCTION api.set_my_preferences(org_id uuid, channel text, category text, enabled boolean)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.set_my_preferences(org_id, channel, category, enabled)
$$;

COMMENT ON FUNCTION api.set_my_preferences(uuid, text, text, boolean) IS
$$Switches the signed-in account's messages of a category (marketing; transactional only on) on one channel (email,
sms, in_app) on or off in an organization it is a member of, now, with source api. Answers the preference
{org_id, customer_id, user_id, channel, category, enabled, source, changed_at}. Errors: PT400 an argument missing
or not one of the values, or a transactional switch-off (detail transactional_required); PT401 not signed in;
PT404 not a member of the organization.$$;

REVOKE ALL ON FUNCTION api.set_my_preferences(uuid, text, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.set_my_preferences(uuid, text, text, boolean) TO authenticated;


-- Staff for a customer. -------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.set_customer_preferences(p_org_id uuid, p_customer_id uuid, p_channel text,
                                                            p_marketing boolean)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  PERFORM private.text_arg('channel', p_channel, 1, 20);
  IF p_org_id IS NULL OR p_customer_id IS NULL OR p_marketing IS NULL THEN
    RAISE EXCEPTION '% is required',
      CASE WHEN p_org_id IS NULL THEN 'org_id' WHEN p_customer_id IS NULL THEN 'customer_id' ELSE 'marketing' END
      USING ERRCODE = 'PT400', DETAIL = 'required',
            HINT = 'e.g. {"org_id": "…", "customer_id": "…", "channel": "email", "marketing": false}';
  END IF;
  PERFORM private.message_channel_arg(p_channel);
  PERFORM private.catalogue_may(p_org_id, 'manager', 'customer');
  PERFORM FROM app.customers c WHERE c.org_id = p_org_id AND c.id = p_customer_id AND c.erased_at IS NULL;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'customer not found' USING ERRCODE = 'PT404';
  END IF;
  RETURN private.put_preference(p_org_id, p_customer_id, NULL, p_channel, 'marketing', p_marketing, 'staff');
END
$$;

COMMENT ON FUNCTION private.set_customer_preferences(uuid, uuid, text, boolean) IS
'The body of api.set_customer_preferences.';

REVOKE ALL ON FUNCTION private.set_customer_preferences(uuid, uuid, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.set_customer_preferences(uuid, uuid, text, boolean) TO authenticated;


CREATE OR REPLACE FUNCTION api.set_customer_preferences(org_id uuid, customer_id uuid, channel text,
                                                        marketing boolean)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.set_customer_preferences(org_id, customer_id, channel, marketing)
$$;

COMMENT ON FUNCTION api.set_customer_preferences(uuid, uuid, text, boolean) IS
$$Records what a customer said at the desk: marketing on one channel (email, sms, in_app) on (an explicit opt-in)
or off, now, with source staff and the caller as who recorded it. It is the customer's newest answer for the
channel until they say otherwise (the unsubscribe link, the widget's consent). Transactional messages cannot be
switched off. Answers {org_id, customer_id, user_id, channel, category, enabled, source, changed_at}. For managers,
admins and owners of the organization. Errors: PT400 an argument missing or channel not one of the values; PT403
a staff member below manager; PT404 the customer does not exist, was erased, or is another organization's.$$;

REVOKE ALL ON FUNCTION api.set_customer_preferences(uuid, uuid, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.set_customer_preferences(uuid, uuid, text, boolean) TO authenticated;


CREATE OR REPLACE FUNCTION private.customer_preferences(p_org_id uuid, p_customer_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
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
$$;

COMMENT ON FUNCTION private.customer_preferences(uuid, uuid) IS
'The body of api.get_customer_preferences.';

REVOKE ALL ON FUNCTION private.customer_preferences(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.customer_preferences(uuid, uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.get_customer_preferences(org_id uuid, customer_id uuid)
RETURNS jsonb
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT private.customer_preferences(org_id, customer_id)
$$;

COMMENT ON FUNCTION api.get_customer_preferences(uuid, uuid) IS
$$Whether a customer gets marketing on each channel now, and why: [{channel, marketing, reason, source,
changed_at}], reason NULL when marketing may go, else opted_out or no_marketing_consent; source and changed_at are
the channel's last recorded answer (NULL when only the consent on the customer record speaks). Transactional
messages always go. For staff of the organization. Errors: PT400 an argument missing; PT404 the customer does not
exist, was erased, or is another organization's.$$;

REVOKE ALL ON FUNCTION api.get_customer_preferences(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.get_customer_preferences(uuid, uuid) TO authenticated;


-- The one-click unsubscribe link. ---------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.unsubscribe(p_org_id uuid, p_channel text, p_customer_id uuid DEFAULT NULL,
                                               p_email text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
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
$$;

COMMENT ON FUNCTION private.unsubscribe(uuid, text, uuid, text) IS
'Records that customer p_customer_id (or the customer of p_org_id with e-mail p_email) wants no more marketing on
p_channel, through the unsubscribe link, now. Idempotent: a customer already opted out of the channel is left as
they are (changed false); an erased customer is answered unsubscribed with nothing written. Answers {org_id,
customer_id, channel, unsubscribed, changed}. For service_role (the service, once it has verified the link''s
signature). Errors: PT400 arguments missing or invalid; PT403 anyone else; PT404 no such customer.';

REVOKE ALL ON FUNCTION private.unsubscribe(uuid, text, uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.unsubscribe(uuid, text, uuid, text) TO service_role;


CREATE OR REPLACE FUNCTION api.unsubscribe(org_id uuid, channel text, customer_id uuid DEFAULT NULL,
                                           email text DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.unsubscribe(org_id, channel, customer_id, email)
$$;

COMMENT ON FUNCTION api.unsubscribe(uuid, text, uuid, text) IS
$$Opts a customer out of marketing on one channel (private.unsubscribe): what POST /unsubscribe calls once it has
verified the link's signature. Idempotent. Answers {org_id, customer_id, channel, unsubscribed, changed}. For
service_role only. Errors: PT400 arguments missing or invalid; PT403 anyone else; PT404 no such customer.$$;

REVOKE ALL ON FUNCTION api.unsubscribe(uuid, text, uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.unsubscribe(uuid, text, uuid, text) TO service_role;


-- A marketing sender. ---------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.queue_marketing_message(p_org_id uuid, p_subject text, p_body text,
                                                           p_segment text, p_campaign_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
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
  PERFORM private.catalogue_may(p_org_id, 'manager', 'organization');
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
$$;

COMMENT ON FUNCTION private.queue_marketing_message(uuid, text, text, text, uuid) IS
'The body of api.queue_marketing_message.';

REVOKE ALL ON FUNCTION private.queue_marketing_message(uuid, text, text, text, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.queue_marketing_message(uuid, text, text, text, uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.queue_marketing_message(org_id uuid, subject text, body text,
                                                       segment text DEFAULT NULL, campaign_id uuid DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.queue_marketing_message(org_id, subject, body, segment, campaign_id)
$$;

COMMENT ON FUNCTION api.queue_marketing_message(uuid, text, text, text, uuid) IS
$$Queues one marketing e-mail (kind marketing) per customer of the organization (only those of one RFM segment of
app.customer_segments when segment is given) who opted in to marketing e-mail and has not opted out, at most
10,000. The message data is {campaign: {id, subject, body}, customer: {id, name, email}, org: {id, name}}; the worker
adds unsubscribe_url (a signed one-click link, never stored) when it sends it, and checks the preferences again
then. campaign_id (default a new one) makes the call idempotent: the same campaign queues each customer once.
Answers {campaign_id, recipients, queued}. For managers, admins and owners. Errors: PT400 an argument missing,
subject over 200 or body over 20,000 characters, an unknown segment, over 10,000 recipients
(too_many_recipients); PT403 a staff member below manager; PT404 not a member of the organization.$$;

REVOKE ALL ON FUNCTION api.queue_marketing_message(uuid, text, text, text, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.queue_marketing_message(uuid, text, text, text, uuid) TO authenticated;


-- Erasure. --------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.customers_preferences_erase()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  DELETE FROM app.message_preferences m WHERE m.org_id = NEW.org_id AND m.customer_id = NEW.id;
  RETURN NULL;
END
$$;

COMMENT ON FUNCTION private.customers_preferences_erase() IS
'Trigger on app.customers (after an erasure marks a customer erased): the person''s message preferences are
deleted in the erasure''s transaction (an erased customer gets no marketing: their consent is withdrawn).';

REVOKE ALL ON FUNCTION private.customers_preferences_erase() FROM PUBLIC;

CREATE OR REPLACE TRIGGER customers_preferences_erase
  AFTER UPDATE OF erased_at ON app.customers
  FOR EACH ROW WHEN (OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL)
  EXECUTE FUNCTION private.customers_preferences_erase();


-- For the delivery worker: whom a marketing e-mail's unsubscribe link is for. ----------------------------------------
CREATE OR REPLACE FUNCTION private.unsubscribe_subjects(p_ids uuid[], p_worker text)
RETURNS TABLE (id uuid, org_id uuid, customer_id uuid, channel text)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
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
$$;

COMMENT ON FUNCTION private.unsubscribe_subjects(uuid[], text) IS
'Of the messages p_ids that worker p_worker holds (at most 1000), the marketing ones addressed to a customer: id,
org_id, customer_id and channel, what the worker signs each one''s unsubscribe link over. For service_role (or the
database owner without request claims). Errors: PT400 over 1000 ids; PT403 anyone else.';

REVOKE ALL ON FUNCTION private.unsubscribe_subjects(uuid[], text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.unsubscribe_subjects(uuid[], text) TO service_role;
