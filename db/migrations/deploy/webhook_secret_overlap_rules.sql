-- Deploy tessera:webhook_secret_overlap_rules to pg
-- requires: webhook_secret_overlap
--
-- api.rotate_webhook_secret(org_id, endpoint_id, overlap_hours DEFAULT 24): the secret replaced keeps signing beside the new one until the overlap ends (the sender gets both from private.claim_webhook_deliveries); the worker's purge forgets it after; the audit log leaves it out

BEGIN;

drop function if exists "api"."rotate_webhook_secret"(org_id uuid, endpoint_id uuid);

drop function if exists "private"."rotate_webhook_secret"(p_org_id uuid, p_endpoint_id uuid);

drop function if exists "private"."claim_webhook_deliveries"(p_worker text, p_limit integer, p_lease interval);

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION api.rotate_webhook_secret(org_id uuid, endpoint_id uuid, overlap_hours integer DEFAULT 24)
 RETURNS jsonb
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  SELECT private.rotate_webhook_secret(rotate_webhook_secret.org_id, rotate_webhook_secret.endpoint_id,
                                       rotate_webhook_secret.overlap_hours)
$function$
;

CREATE OR REPLACE FUNCTION private.rotate_webhook_secret(p_org_id uuid, p_endpoint_id uuid, p_overlap_hours integer)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  e app.webhook_endpoints;
BEGIN
  IF p_overlap_hours IS NULL OR p_overlap_hours NOT BETWEEN 0 AND 168 THEN
    RAISE EXCEPTION 'overlap_hours is 0 to 168 hours' USING ERRCODE = 'PT400', DETAIL = 'out_of_range',
      HINT = 'Give 0 to stop signing with the old secret at once.';
  END IF;
  PERFORM private.catalogue_may(p_org_id, 'admin', 'organization');
  -- The secret replaced becomes the previous one (a rotation during an overlap ends the older secret's at once:
  -- two secrets sign at most).
  UPDATE app.webhook_endpoints w
     SET secret = private.webhook_secret(),
         previous_secret = CASE WHEN p_overlap_hours > 0 THEN w.secret END,
         previous_secret_until = CASE WHEN p_overlap_hours > 0
                                      THEN pg_catalog.now() + pg_catalog.make_interval(hours => p_overlap_hours) END,
         updated_at = pg_catalog.now()
   WHERE w.org_id = p_org_id AND w.id = p_endpoint_id
  RETURNING * INTO e;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'webhook endpoint not found' USING ERRCODE = 'PT404', DETAIL = 'not_found';
  END IF;
  RETURN private.webhook_endpoint_json(e, true);
END
$function$
;

CREATE OR REPLACE FUNCTION private.audit_record()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  -- Credentials never enter the log, which admins read: a column named secret or previous_secret (a ticket or
  -- webhook signing key's) or token_hash (an invitation's), and a token in a row's data (the invitation e-mail's,
  -- in the outbox).
  old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN private.audit_safe(pg_catalog.to_jsonb(OLD)) END;
  new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN private.audit_safe(pg_catalog.to_jsonb(NEW)) END;
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
    coalesce(CASE WHEN TG_TABLE_NAME = 'organizations' THEN (any_row ->> 'id')::uuid
                  ELSE (any_row ->> 'org_id')::uuid END,
             '00000000-0000-0000-0000-000000000000'::uuid),  -- the platform organization (see the file's header)
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

CREATE OR REPLACE FUNCTION private.audit_safe(p_row jsonb)
 RETURNS jsonb
 LANGUAGE sql
 IMMUTABLE
 SET search_path TO ''
AS $function$
  SELECT CASE WHEN pg_catalog.jsonb_typeof(p_row -> 'data') = 'object'
              THEN pg_catalog.jsonb_set(p_row - 'secret' - 'previous_secret' - 'token_hash' - 'search_vector', '{data}',
                                        (p_row -> 'data') - 'token')
              ELSE p_row - 'secret' - 'previous_secret' - 'token_hash' - 'search_vector' END
$function$
;

CREATE OR REPLACE FUNCTION private.claim_webhook_deliveries(p_worker text, p_limit integer, p_lease interval)
 RETURNS TABLE(id uuid, org_id uuid, endpoint_id uuid, webhook_id text, event_type text, payload jsonb, url text, secret text, previous_secret text, attempts integer, claimed_until timestamp with time zone)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  d app.webhook_deliveries;
  taken uuid[] := '{}'::uuid[];
  lease_end timestamptz := pg_catalog.now() + p_lease;
  lost constant text := 'the worker''s lease ran out before it reported the outcome';
BEGIN
  PERFORM private.require_service_role('take webhooks to deliver');
  IF p_worker IS NULL OR pg_catalog.length(p_worker) NOT BETWEEN 1 AND 200 THEN
    RAISE EXCEPTION 'worker is a name of 1 to 200 characters' USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
  IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 1000 THEN
    RAISE EXCEPTION 'limit is 1 to 1000 deliveries' USING ERRCODE = 'PT400', DETAIL = 'out_of_range';
  END IF;
  IF p_lease IS NULL OR p_lease NOT BETWEEN interval '1 second' AND interval '1 hour' THEN
    RAISE EXCEPTION 'lease is 1 second to 1 hour' USING ERRCODE = 'PT400', DETAIL = 'out_of_range';
  END IF;
  -- As private.claim_messages: expired leases first, then due deliveries oldest first, of enabled endpoints only
  -- (a disabled endpoint's deliveries wait for it), skipping rows another worker holds.
  FOR d IN
    WITH expired AS (
      SELECT x.* FROM app.webhook_deliveries x
        JOIN app.webhook_endpoints w ON w.org_id = x.org_id AND w.id = x.endpoint_id AND w.enabled
       WHERE x.status = 'sending' AND x.claimed_until < pg_catalog.now()
       ORDER BY x.claimed_until LIMIT p_limit FOR UPDATE OF x SKIP LOCKED
    ), due AS (
      SELECT x.* FROM app.webhook_deliveries x
        JOIN app.webhook_endpoints w ON w.org_id = x.org_id AND w.id = x.endpoint_id AND w.enabled
       WHERE x.status = 'queued' AND x.next_attempt_at <= pg_catalog.now()
       ORDER BY x.next_attempt_at LIMIT p_limit FOR UPDATE OF x SKIP LOCKED
    )
    SELECT y.* FROM (SELECT * FROM expired UNION ALL SELECT * FROM due) y LIMIT p_limit
  LOOP
    IF d.status = 'sending' THEN
      INSERT INTO app.webhook_attempts (org_id, delivery_id, attempt, worker, started_at, outcome, error)
      VALUES (d.org_id, d.id, GREATEST(d.attempts, 1), coalesce(d.claimed_by, 'unknown'),
              LEAST(coalesce(d.claimed_at, d.claimed_until), pg_catalog.now()),
              CASE WHEN d.attempts >= private.webhook_max_attempts() THEN 'dead' ELSE 'retry' END, lost)
      ON CONFLICT DO NOTHING;
      IF d.attempts >= private.webhook_max_attempts() THEN
        UPDATE app.webhook_deliveries x SET status = 'dead', claimed_until = NULL, last_error = lost
         WHERE x.id = d.id;
        CONTINUE;
      END IF;
    END IF;
    UPDATE app.webhook_deliveries x
       SET status = 'sending', claimed_by = p_worker, claimed_at = pg_catalog.now(), claimed_until = lease_end,
           attempts = x.attempts + 1
     WHERE x.id = d.id;
    taken := taken || d.id;
  END LOOP;

  RETURN QUERY
  SELECT x.id, x.org_id, x.endpoint_id, x.webhook_id, x.event_type, x.payload, w.url, w.secret,
         CASE WHEN w.previous_secret_until > pg_catalog.now() THEN w.previous_secret END,
         x.attempts::integer, x.claimed_until
    FROM app.webhook_deliveries x
    JOIN app.webhook_endpoints w ON w.org_id = x.org_id AND w.id = x.endpoint_id
   WHERE x.id = ANY (taken)
   ORDER BY x.next_attempt_at, x.id;
END
$function$
;

CREATE OR REPLACE FUNCTION private.purge_finished_messages(p_keep interval, p_limit integer)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  cutoff timestamptz;
  messages integer;
  deliveries integer;
  secrets integer;
BEGIN
  PERFORM private.require_service_role('purge finished messages');
  IF p_keep IS NULL OR p_keep < interval '1 day' OR p_keep > interval '100 years' THEN
    RAISE EXCEPTION 'p_keep must be 1 day to 100 years' USING ERRCODE = 'PT400', DETAIL = 'out_of_range';
  END IF;
  IF p_limit IS NULL OR p_limit < 1 OR p_limit > 100000 THEN
    RAISE EXCEPTION 'p_limit must be 1 to 100000' USING ERRCODE = 'PT400', DETAIL = 'out_of_range';
  END IF;
  cutoff := pg_catalog.now() - p_keep;
  WITH gone AS (
    DELETE FROM app.notifications_outbox o
     WHERE (o.org_id, o.id) IN (SELECT x.org_id, x.id FROM app.notifications_outbox x
                                 WHERE x.status IN ('sent', 'skipped', 'dead') AND x.created_at < cutoff
                                 LIMIT p_limit FOR UPDATE SKIP LOCKED)
    RETURNING 1)
  SELECT pg_catalog.count(*) INTO messages FROM gone;
  WITH gone AS (
    DELETE FROM app.webhook_deliveries d
     WHERE (d.org_id, d.id) IN (SELECT x.org_id, x.id FROM app.webhook_deliveries x
                                 WHERE x.status IN ('delivered', 'dead') AND x.created_at < cutoff
                                 LIMIT p_limit FOR UPDATE SKIP LOCKED)
    RETURNING 1)
  SELECT pg_catalog.count(*) INTO deliveries FROM gone;
  -- A webhook secret whose overlap is over signs nothing any more: it is not kept either.
  WITH gone AS (
    UPDATE app.webhook_endpoints w SET previous_secret = NULL, previous_secret_until = NULL
     WHERE (w.org_id, w.id) IN (SELECT x.org_id, x.id FROM app.webhook_endpoints x
                                 WHERE x.previous_secret_until <= pg_catalog.now()
                                 LIMIT p_limit FOR UPDATE SKIP LOCKED)
    RETURNING 1)
  SELECT pg_catalog.count(*) INTO secrets FROM gone;
  RETURN pg_catalog.jsonb_build_object('messages', messages, 'deliveries', deliveries, 'expired_secrets', secrets);
END
$function$
;

CREATE OR REPLACE FUNCTION private.webhook_endpoint_json(p_endpoint app.webhook_endpoints, p_with_secret boolean)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  SELECT pg_catalog.jsonb_build_object(
           'id', p_endpoint.id, 'org_id', p_endpoint.org_id, 'url', p_endpoint.url,
           'description', p_endpoint.description, 'event_types', pg_catalog.to_jsonb(p_endpoint.event_types),
           'enabled', p_endpoint.enabled, 'disabled_at', p_endpoint.disabled_at,
           'disabled_reason', p_endpoint.disabled_reason, 'consecutive_failures', p_endpoint.consecutive_failures,
           'previous_secret_until', CASE WHEN p_endpoint.previous_secret_until > pg_catalog.now()
                                         THEN p_endpoint.previous_secret_until END,
           'created_at', p_endpoint.created_at, 'updated_at', p_endpoint.updated_at)
         || CASE WHEN p_with_secret THEN pg_catalog.jsonb_build_object('secret', p_endpoint.secret)
                 ELSE '{}'::jsonb END
$function$
;
COMMENT ON FUNCTION api.create_webhook_endpoint(uuid,text,text[],text) IS 'Registers an outgoing webhook endpoint of the organization: url (a public http:// or https:// address, 10 to 2000
characters, no user name or password, its host a domain name or a public IP address: not localhost, loopback,
private, link-local, unique-local, multicast or unspecified), event_types (1 to 20 of booking.created,
booking.confirmed, booking.cancelled, booking.rescheduled, payment.succeeded, refund.created, checkin.created,
waitlist.offered) and an optional description (up to 500 characters). Answers the endpoint {id, org_id, url,
description, event_types, enabled, disabled_at, disabled_reason, consecutive_failures, previous_secret_until,
created_at, updated_at, secret}: secret (whsec_…, the Standard Webhooks signing secret) is shown this once
(rotate_webhook_secret makes a new one; previous_secret_until is when the secret it replaced stops signing, null
when none does). At most 20 endpoints per organization. For admins and the owner. Errors: PT400 an argument
invalid (detail invalid_url, unknown_event_type, out_of_range); PT403 staff and managers; PT404 not a member;
PT409 20 endpoints already (detail too_many).';
REVOKE ALL ON FUNCTION api.rotate_webhook_secret(uuid,uuid,integer) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.rotate_webhook_secret(uuid,uuid,integer) TO authenticated;
COMMENT ON FUNCTION api.rotate_webhook_secret(uuid,uuid,integer) IS 'Gives an endpoint a new signing secret and answers the endpoint with it (secret, shown this once). For
overlap_hours (0 to 168, default 24) the secret it replaces keeps signing too: every attempt, retries of earlier
deliveries included, carries one signature under each secret in its webhook-signature header (space-separated, as
Standard Webhooks allows), so a receiver verifies with either while it switches; previous_secret_until in the
answer says until when. overlap_hours 0 signs with the new secret only, at once. Rotating again during an overlap
ends the older secret''s at once (two secrets sign at most). For admins and the owner. Errors: PT400 overlap_hours
out of range (detail out_of_range); PT403 staff and managers; PT404 not a member, or no such endpoint in the
organization.';
REVOKE ALL ON FUNCTION private.audit_record() FROM PUBLIC;
COMMENT ON FUNCTION private.audit_record() IS 'Trigger on every app table: appends one audit.log row per changed row (only changed fields for updates) with the
actor, role, client IP and user agent from the request headers; credentials are left out (private.audit_safe).
Changes to a table of no organization are logged under the platform organization, the nil uuid. A definer:
writers cannot touch the log itself.';
REVOKE ALL ON FUNCTION private.audit_safe(jsonb) FROM PUBLIC;
COMMENT ON FUNCTION private.audit_safe(jsonb) IS 'A row as the audit log keeps it: without a secret, previous_secret or token_hash column, nor a token key in its
data object, nor an experience''s search_vector (derived from columns the log already has).';
REVOKE ALL ON FUNCTION private.claim_webhook_deliveries(text,integer,interval) FROM PUBLIC, service_role;
GRANT EXECUTE ON FUNCTION private.claim_webhook_deliveries(text,integer,interval) TO service_role;
COMMENT ON FUNCTION private.claim_webhook_deliveries(text,integer,interval) IS 'Takes up to p_limit (1 to 1000) webhook deliveries of enabled endpoints for worker p_worker (1 to 200 characters)
for p_lease (1 s to 1 h): those whose lease ran out (that attempt is recorded as lost, and the delivery is dead if
it was the last of its 12), then queued ones due, oldest first, skipping rows another worker holds (FOR UPDATE SKIP
LOCKED). Each becomes sending under the lease with one more attempt. One row per delivery: id, org_id,
endpoint_id, webhook_id (the webhook-id header), event_type, payload, url, secret (to sign with), previous_secret
(to sign with too: the secret before the last rotation while its overlap lasts, else null), attempts (this one
included), claimed_until. Report each with private.complete_webhook_delivery or private.fail_webhook_delivery, or
give it back untried with private.release_webhook_deliveries. For service_role (or the database owner without
request claims). Errors: PT400 an argument out of range; PT403 anyone else.';
REVOKE ALL ON FUNCTION private.purge_finished_messages(interval,integer) FROM PUBLIC, service_role;
GRANT EXECUTE ON FUNCTION private.purge_finished_messages(interval,integer) TO service_role;
COMMENT ON FUNCTION private.purge_finished_messages(interval,integer) IS 'Deletes up to p_limit outbox messages that are sent, skipped or dead and up to p_limit webhook deliveries that are
delivered or dead, created more than p_keep ago (1 day to 100 years), with their attempts; never a row still queued
or being sent; and forgets up to p_limit webhook secrets whose rotation overlap is over. Answers {messages,
deliveries, expired_secrets}: what it deleted (p_limit of any: call again). For service_role
(`tessera worker` calls it hourly with TESSERA_WORKER_KEEP_DAYS). Errors: PT403 anyone else; PT400 out_of_range.';
REVOKE ALL ON FUNCTION private.rotate_webhook_secret(uuid,uuid,integer) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.rotate_webhook_secret(uuid,uuid,integer) TO authenticated;
COMMENT ON FUNCTION private.rotate_webhook_secret(uuid,uuid,integer) IS 'api.rotate_webhook_secret, for admins and the owner.';
REVOKE ALL ON FUNCTION private.webhook_endpoint_json(app.webhook_endpoints,boolean) FROM PUBLIC;
COMMENT ON FUNCTION private.webhook_endpoint_json(app.webhook_endpoints,boolean) IS 'An endpoint as the webhook functions answer it: previous_secret_until while the secret before the last rotation
still signs (else null, the old secret itself never); its secret only when p_with_secret (on create and rotate).';

COMMIT;
