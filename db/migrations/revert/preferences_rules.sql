-- Revert tessera:preferences_rules from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop trigger if exists "customers_preferences_erase" on "app"."customers";

drop trigger if exists "audit_log" on "app"."message_preferences";

drop function if exists "api"."get_customer_preferences"(org_id uuid, customer_id uuid);

drop function if exists "api"."get_my_preferences"(org_id uuid);

drop function if exists "api"."queue_marketing_message"(org_id uuid, subject text, body text, segment text, campaign_id uuid);

drop function if exists "api"."set_customer_preferences"(org_id uuid, customer_id uuid, channel text, marketing boolean);

drop function if exists "api"."set_my_preferences"(org_id uuid, channel text, category text, enabled boolean);

drop function if exists "api"."unsubscribe"(org_id uuid, channel text, customer_id uuid, email text);

drop function if exists "private"."customer_preferences"(p_org_id uuid, p_customer_id uuid);

drop function if exists "private"."customers_preferences_erase"();

drop function if exists "private"."marketing_refused"(p_org_id uuid, p_customer_id uuid, p_user_id uuid, p_channel text);

drop function if exists "private"."message_channel_arg"(p_channel text);

drop function if exists "private"."message_refused"(p_message app.notifications_outbox);

drop function if exists "private"."my_preferences"(p_org_id uuid);

drop function if exists "private"."put_preference"(p_org_id uuid, p_customer_id uuid, p_user_id uuid, p_channel text, p_category text, p_enabled boolean, p_source text);

drop function if exists "private"."queue_marketing_message"(p_org_id uuid, p_subject text, p_body text, p_segment text, p_campaign_id uuid);

drop function if exists "private"."set_customer_preferences"(p_org_id uuid, p_customer_id uuid, p_channel text, p_marketing boolean);

drop function if exists "private"."set_my_preferences"(p_org_id uuid, p_channel text, p_category text, p_enabled boolean);

drop function if exists "private"."unsubscribe"(p_org_id uuid, p_channel text, p_customer_id uuid, p_email text);

drop function if exists "private"."unsubscribe_subjects"(p_ids uuid[], p_worker text);

SET LOCAL check_function_bodies = off;

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
    reason := private.message_wanted(m);
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
REVOKE ALL ON FUNCTION private.claim_messages(text,integer,interval,text[]) FROM PUBLIC, service_role;
GRANT EXECUTE ON FUNCTION private.claim_messages(text,integer,interval,text[]) TO service_role;
COMMENT ON FUNCTION private.claim_messages(text,integer,interval,text[]) IS 'Takes up to p_limit (1 to 1000) messages for worker p_worker (a name unique to the process, 1 to 200 characters)
for p_lease (1 s to 1 h), of the channels p_channels (NULL: all; a worker takes only what it can deliver): those whose lease ran out (a worker killed mid-send: that attempt is recorded as lost,
and the message is dead if it was the last of its 8), then queued ones due (next_attempt_at passed), oldest first,
skipping rows another worker holds (FOR UPDATE SKIP LOCKED), so concurrent workers never take one message twice.
Each taken message is first judged by private.message_wanted: one no longer wanted is skipped with the reason (an
attempt of outcome skipped) and not answered; the rest become sending under the lease with one more attempt. One
row per message to send: id, org_id, kind, channel, recipient, locale, data, attempts (this one included), the
template parts (subject, html, body, template_locale; NULL when the kind has no template), timezone (data.timezone,
else UTC) and currency (data.currency, else the organization''s) to format with, org_name, tickets (for a
booking_confirmed e-mail: [{id, seat_no, payload}] of the live tickets of data.booking.id, the QR payloads; else
[]) and claimed_until. Report each with private.complete_message or private.fail_message. For service_role (or
the database owner without request claims). Errors: PT400 an argument out of range; PT403 anyone else.';

COMMIT;
