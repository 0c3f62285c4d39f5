-- Functions of the `delivery` area: the delivery worker's side of the outbox (taking due messages under a lease,
-- recording every attempt, retrying with exponential backoff and full jitter, the dead letter), staff's view and
-- retry of dead messages, and the in-app inbox of a signed-in account.
--
-- A message's life: queued (due at next_attempt_at) -> sending (claimed_by holds it until claimed_until) -> sent,
-- or back to queued after a failure (next_attempt_at pushed back), or dead (attempts exhausted or a permanent
-- failure; staff may queue it again), or skipped when private.message_wanted says it no longer makes sense. A lease
-- that runs out (the worker was killed mid-send) gives the message back to the next claim: delivery is at least
-- once, and the outbox id is the idempotency key the worker hands the provider (the e-mail's Message-ID).

CREATE OR REPLACE FUNCTION private.message_max_attempts()
RETURNS integer
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$ SELECT 8 $$;

COMMENT ON FUNCTION private.message_max_attempts() IS
'How many attempts a message gets before it is dead: 8 (with the backoff, about an hour and a half of retrying at
most, 30 s to an hour apart).';

REVOKE ALL ON FUNCTION private.message_max_attempts() FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.message_backoff(p_attempts integer, p_jitter double precision)
RETURNS interval
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
  -- Full jitter (the wait is drawn from nothing to the ceiling, so workers that failed together do not retry
  -- together): the ceiling is 30 s after the first attempt, doubling with each, at most an hour.
  SELECT pg_catalog.make_interval(secs => GREATEST(0, LEAST(1, p_jitter))
           * LEAST(3600, 30 * 2 ^ LEAST(GREATEST(p_attempts - 1, 0), 20)))
$$;

COMMENT ON FUNCTION private.message_backoff(integer, double precision) IS
'How long a message waits after its p_attempts-th failed attempt: p_jitter (0 to 1; the worker passes random())
times the ceiling min(1 h, 30 s * 2^(p_attempts - 1)).';

REVOKE ALL ON FUNCTION private.message_backoff(integer, double precision) FROM PUBLIC;


-- The worker. ---------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.claim_messages(p_worker text, p_limit integer, p_lease interval,
                                                  p_channels text[] DEFAULT NULL)
RETURNS TABLE (id uuid, org_id uuid, kind text, channel text, recipient text, locale text, data jsonb,
               attempts integer, subject text, html text, body text, template_locale text, timezone text,
               currency text, org_name text, tickets jsonb, claimed_until timestamptz)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  m app.notifications_outbox;
  reason text;
  taken uuid[] := '{}'::uuid[];
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
$$;

COMMENT ON FUNCTION private.claim_messages(text, integer, interval, text[]) IS
'Takes up to p_limit (1 to 1000) messages for worker p_worker (a name unique to the process, 1 to 200 characters)
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

REVOKE ALL ON FUNCTION private.claim_messages(text, integer, interval, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.claim_messages(text, integer, interval, text[]) TO service_role;


CREATE OR REPLACE FUNCTION private.complete_message(p_message_id uuid, p_worker text, p_provider_message_id text,
                                                    p_subject text DEFAULT NULL, p_body text DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  m app.notifications_outbox;
BEGIN
  PERFORM private.require_service_role('record deliveries');
  -- Only the lease's holder: a worker whose lease ran out and was taken by another has nothing to record.
  UPDATE app.notifications_outbox o
     SET status = 'sent', sent_at = pg_catalog.now(), claimed_until = NULL, last_error = NULL,
         provider_message_id = pg_catalog.left(p_provider_message_id, 300),
         rendered_subject = CASE WHEN o.channel = 'in_app' THEN pg_catalog.left(p_subject, 300) END,
         rendered_body = CASE WHEN o.channel = 'in_app' THEN pg_catalog.left(p_body, 20000) END
   WHERE o.id = p_message_id AND o.status = 'sending' AND o.claimed_by = p_worker
  RETURNING o.* INTO m;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  INSERT INTO app.notification_attempts (org_id, message_id, attempt, worker, started_at, outcome,
                                         provider_message_id)
  VALUES (m.org_id, m.id, GREATEST(m.attempts, 1), p_worker,
          LEAST(coalesce(m.claimed_at, pg_catalog.now()), pg_catalog.now()), 'sent',
          m.provider_message_id)
  ON CONFLICT DO NOTHING;
  RETURN true;
END
$$;

COMMENT ON FUNCTION private.complete_message(uuid, text, text, text, text) IS
'Records that worker p_worker delivered message p_message_id (the provider''s id for it: p_provider_message_id, kept
to 300 characters): sent, with an attempt of outcome sent. An in-app message keeps its rendered title p_subject and
text p_body (what api.my_notifications shows); other channels ignore them. True when recorded; false, changing
nothing, when the message is not being sent under this worker''s lease (it ran out and another worker took it, or it
was recorded already). For service_role. Errors: PT403 anyone else.';

REVOKE ALL ON FUNCTION private.complete_message(uuid, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.complete_message(uuid, text, text, text, text) TO service_role;


CREATE OR REPLACE FUNCTION private.fail_message(p_message_id uuid, p_worker text, p_error text, p_permanent boolean)
RETURNS text
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  m app.notifications_outbox;
  dead boolean;
BEGIN
  PERFORM private.require_service_role('record deliveries');
  SELECT o.* INTO m FROM app.notifications_outbox o
   WHERE o.id = p_message_id AND o.status = 'sending' AND o.claimed_by = p_worker
     FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  dead := coalesce(p_permanent, false) OR m.attempts >= private.message_max_attempts();
  UPDATE app.notifications_outbox o
     SET status = CASE WHEN dead THEN 'dead' ELSE 'queued' END, claimed_until = NULL,
         last_error = pg_catalog.left(coalesce(p_error, 'failed'), 2000),
         next_attempt_at = CASE WHEN dead THEN o.next_attempt_at
                                ELSE pg_catalog.now() + private.message_backoff(m.attempts, pg_catalog.random()) END
   WHERE o.id = m.id;
  INSERT INTO app.notification_attempts (org_id, message_id, attempt, worker, started_at, outcome, error)
  VALUES (m.org_id, m.id, GREATEST(m.attempts, 1), p_worker,
          LEAST(coalesce(m.claimed_at, pg_catalog.now()), pg_catalog.now()),
          CASE WHEN dead THEN 'dead' ELSE 'retry' END, pg_catalog.left(coalesce(p_error, 'failed'), 2000))
  ON CONFLICT DO NOTHING;
  RETURN CASE WHEN dead THEN 'dead' ELSE 'queued' END;
END
$$;

COMMENT ON FUNCTION private.fail_message(uuid, text, text, boolean) IS
'Records that worker p_worker''s attempt at message p_message_id failed with p_error (kept to 2000 characters): the
message is queued again after private.message_backoff (full jitter under min(1 h, 30 s * 2^(attempts - 1))), or dead
when p_permanent (the provider refused it for good, the template cannot render) or after its 8th attempt; either way
an attempt row says so. Answers the new status (queued or dead); NULL, changing nothing, when the message is not
being sent under this worker''s lease. For service_role. Errors: PT403 anyone else.';

REVOKE ALL ON FUNCTION private.fail_message(uuid, text, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.fail_message(uuid, text, text, boolean) TO service_role;


CREATE OR REPLACE FUNCTION private.release_messages(p_message_ids uuid[], p_worker text)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  released integer;
BEGIN
  PERFORM private.require_service_role('give messages back');
  -- Never tried: the attempt the claim counted is taken back, and the message is due again at once.
  UPDATE app.notifications_outbox o
     SET status = 'queued', claimed_until = NULL, attempts = GREATEST(o.attempts - 1, 0),
         next_attempt_at = pg_catalog.now()
   WHERE o.id = ANY (p_message_ids) AND o.status = 'sending' AND o.claimed_by = p_worker;
  GET DIAGNOSTICS released = ROW_COUNT;
  RETURN released;
END
$$;

COMMENT ON FUNCTION private.release_messages(uuid[], text) IS
'Gives back messages worker p_worker claimed and did not try (it is stopping, or its lease is running short):
queued again, due now, without the attempt the claim counted. Only messages still sending under this worker''s
lease; answers how many. For service_role. Errors: PT403 anyone else.';

REVOKE ALL ON FUNCTION private.release_messages(uuid[], text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.release_messages(uuid[], text) TO service_role;


-- Staff: the dead letter. ---------------------------------------------------------------------------------------------
DROP FUNCTION IF EXISTS private.delivery_manager(uuid);



CREATE OR REPLACE FUNCTION private.keyset_cursor(p_at timestamptz, p_id uuid)
RETURNS text
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
  SELECT (EXTRACT(epoch FROM p_at) * 1000000)::bigint::text || '.' || p_id::text
$$;

COMMENT ON FUNCTION private.keyset_cursor(timestamptz, uuid) IS
'The cursor of a row in a page ordered by a time and an id: microseconds since the epoch, a dot, the id.';

REVOKE ALL ON FUNCTION private.keyset_cursor(timestamptz, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.keyset_cursor(timestamptz, uuid) TO authenticated;


CREATE OR REPLACE FUNCTION private.keyset_decode(p_name text, p_cursor text, OUT at timestamptz, OUT id uuid)
LANGUAGE plpgsql
IMMUTABLE
SET search_path = ''
AS $$
BEGIN
  IF p_cursor IS NULL THEN
    RETURN;
  END IF;
  IF p_cursor !~ '^-?[0-9]{1,18}\.[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' THEN
    RAISE EXCEPTION '% is not a cursor this function answered', p_name USING ERRCODE = 'PT400', DETAIL = 'invalid',
      HINT = 'send the cursor of the last row of the page you have, or none for the first page';
  END IF;
  at := 'epoch'::timestamptz + pg_catalog.split_part(p_cursor, '.', 1)::bigint * interval '1 microsecond';
  id := pg_catalog.split_part(p_cursor, '.', 2)::uuid;
END
$$;

COMMENT ON FUNCTION private.keyset_decode(text, text) IS
'The time and id a private.keyset_cursor carries (NULLs for NULL); PT400 naming argument p_name for anything else.';

REVOKE ALL ON FUNCTION private.keyset_decode(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.keyset_decode(text, text) TO authenticated;


CREATE OR REPLACE FUNCTION private.list_failed_messages(p_org_id uuid, p_before_at timestamptz, p_before_id uuid,
                                                        p_page_size integer)
RETURNS TABLE (id uuid, kind text, channel text, recipient text, locale text, attempts integer, last_error text,
               created_at timestamptz, failed_at timestamptz, cursor text)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  PERFORM private.catalogue_may(p_org_id, 'manager', 'organization');
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
$$;

COMMENT ON FUNCTION private.list_failed_messages(uuid, timestamptz, uuid, integer) IS
'One page of api.list_failed_messages (which checked the arguments and decoded the cursor), for managers and up of
the organization.';

REVOKE ALL ON FUNCTION private.list_failed_messages(uuid, timestamptz, uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.list_failed_messages(uuid, timestamptz, uuid, integer) TO authenticated;


CREATE OR REPLACE FUNCTION api.list_failed_messages(org_id uuid, before text DEFAULT NULL,
                                                    page_size integer DEFAULT 50)
RETURNS TABLE (id uuid, kind text, channel text, recipient text, locale text, attempts integer, last_error text,
               created_at timestamptz, failed_at timestamptz, cursor text)
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
DECLARE
  k record;
BEGIN
  PERFORM private.count_arg('page_size', page_size, 1, 200);
  PERFORM private.text_arg('before', before, 1, 80);
  SELECT d.at, d.id INTO k FROM private.keyset_decode('before', before) d;
  RETURN QUERY SELECT * FROM private.list_failed_messages(list_failed_messages.org_id, k.at, k.id,
                                                          coalesce(page_size, 50));
END
$$;

COMMENT ON FUNCTION api.list_failed_messages(uuid, text, integer) IS
$$The organization's dead messages (attempts exhausted, or refused for good by the provider or the template), newest
first: rows {id, kind, channel, recipient, locale, attempts, last_error, created_at, failed_at (the last attempt's
end), cursor}. page_size 1 to 200 (default 50); the next page: before => the last row's cursor. retry_message
queues one again. For managers, admins and the owner of the organization. Errors: PT400 page_size out of range or
before not a cursor; PT403 staff; PT404 not a member.$$;

REVOKE ALL ON FUNCTION api.list_failed_messages(uuid, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.list_failed_messages(uuid, text, integer) TO authenticated;


CREATE OR REPLACE FUNCTION private.retry_message(p_org_id uuid, p_message_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  m app.notifications_outbox;
BEGIN
  PERFORM private.catalogue_may(p_org_id, 'manager', 'organization');
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
$$;

COMMENT ON FUNCTION private.retry_message(uuid, uuid) IS
'api.retry_message, for managers and up of the organization.';

REVOKE ALL ON FUNCTION private.retry_message(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.retry_message(uuid, uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.retry_message(org_id uuid, message_id uuid)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$ SELECT private.retry_message(retry_message.org_id, retry_message.message_id) $$;

COMMENT ON FUNCTION api.retry_message(uuid, uuid) IS
$$Queues a dead message of the organization again, due now: {id, status: "queued", attempts, next_attempt_at}. Its
attempts are kept, so it gets one more: a failure sends it back to the dead letter. For managers, admins and the
owner. Errors: PT403 staff; PT404 not a member, or no such message in the organization; PT409 the message is not
dead (detail illegal_transition).$$;

REVOKE ALL ON FUNCTION api.retry_message(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.retry_message(uuid, uuid) TO authenticated;


-- In-app: the signed-in account's inbox. -----------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.my_notifications(p_before_at timestamptz, p_before_id uuid, p_page_size integer)
RETURNS TABLE (id uuid, org_id uuid, kind text, title text, body text, created_at timestamptz, sent_at timestamptz,
               read boolean, cursor text)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  caller uuid := auth.uid();
BEGIN
  IF caller IS NULL THEN
    RAISE EXCEPTION 'sign in to read your notifications' USING ERRCODE = 'PT401';
  END IF;
  -- Newest first, in the inbox index's order (created_at descending, then id ascending).
  RETURN QUERY
  SELECT o.id, o.org_id, o.kind, o.rendered_subject, o.rendered_body, o.created_at, o.sent_at,
         o.read_at IS NOT NULL, private.keyset_cursor(o.created_at, o.id)
    FROM app.notifications_outbox o
   WHERE o.user_id = caller AND o.channel = 'in_app' AND o.status = 'sent'
     AND (p_before_at IS NULL OR o.created_at < p_before_at OR (o.created_at = p_before_at AND o.id > p_before_id))
   ORDER BY o.created_at DESC, o.id
   LIMIT p_page_size;
END
$$;

COMMENT ON FUNCTION private.my_notifications(timestamptz, uuid, integer) IS
'One page of api.my_notifications (which checked the arguments and decoded the cursor): the caller''s own.';

REVOKE ALL ON FUNCTION private.my_notifications(timestamptz, uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.my_notifications(timestamptz, uuid, integer) TO authenticated;


CREATE OR REPLACE FUNCTION api.my_notifications(before text DEFAULT NULL, page_size integer DEFAULT 20)
RETURNS TABLE (id uuid, org_id uuid, kind text, title text, body text, created_at timestamptz, sent_at timestamptz,
               read boolean, cursor text)
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
DECLARE
  k record;
BEGIN
  PERFORM private.count_arg('page_size', page_size, 1, 100);
  PERFORM private.text_arg('before', before, 1, 80);
  SELECT d.at, d.id INTO k FROM private.keyset_decode('before', before) d;
  RETURN QUERY SELECT * FROM private.my_notifications(k.at, k.id, coalesce(page_size, 20));
END
$$;

COMMENT ON FUNCTION api.my_notifications(text, integer) IS
$$The signed-in account's in-app notifications that were delivered, newest first: rows {id, org_id, kind, title,
body, created_at, sent_at, read, cursor}. page_size 1 to 100 (default 20); the next page: before => the last row's
cursor. Only the caller's own, whatever organization sent them. For signed-in users. Errors: PT400 page_size out of
range or before not a cursor; PT401 not signed in.$$;

REVOKE ALL ON FUNCTION api.my_notifications(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.my_notifications(text, integer) TO authenticated;


CREATE OR REPLACE FUNCTION private.mark_notifications_read(p_ids uuid[])
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  caller uuid := auth.uid();
  marked integer;
BEGIN
  IF caller IS NULL THEN
    RAISE EXCEPTION 'sign in to read your notifications' USING ERRCODE = 'PT401';
  END IF;
  UPDATE app.notifications_outbox o SET read_at = pg_catalog.now()
   WHERE o.id = ANY (p_ids) AND o.user_id = caller AND o.channel = 'in_app' AND o.status = 'sent'
     AND o.read_at IS NULL;
  GET DIAGNOSTICS marked = ROW_COUNT;
  RETURN marked;
END
$$;

COMMENT ON FUNCTION private.mark_notifications_read(uuid[]) IS
'api.mark_notifications_read: marks the caller''s own unread in-app notifications among p_ids read.';

REVOKE ALL ON FUNCTION private.mark_notifications_read(uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.mark_notifications_read(uuid[]) TO authenticated;


CREATE OR REPLACE FUNCTION api.mark_notifications_read(ids uuid[])
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
BEGIN
  IF ids IS NULL OR coalesce(pg_catalog.cardinality(ids), 0) NOT BETWEEN 1 AND 200 THEN
    RAISE EXCEPTION 'ids lists 1 to 200 notification ids' USING ERRCODE = 'PT400', DETAIL = 'out_of_range';
  END IF;
  RETURN private.mark_notifications_read(ids);
END
$$;

COMMENT ON FUNCTION api.mark_notifications_read(uuid[]) IS
$$Marks notifications of api.my_notifications read, and answers how many were marked now: ids of another account's
notifications, of ones read already or unknown are ignored (they count nothing). ids: 1 to 200 ids. For signed-in
users. Errors: PT400 ids empty or over 200; PT401 not signed in.$$;

REVOKE ALL ON FUNCTION api.mark_notifications_read(uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.mark_notifications_read(uuid[]) TO authenticated;
