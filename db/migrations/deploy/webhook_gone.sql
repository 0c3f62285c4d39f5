-- Deploy tessera:webhook_gone to pg
-- requires: fn_org_routing
--
-- A receiver's 410 Gone kills the delivery and disables its endpoint at once, its admins told (private.disable_webhook_endpoint, shared with the failure count)

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.disable_webhook_endpoint(p_org_id uuid, p_endpoint_id uuid, p_reason text)
 RETURNS boolean
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  e app.webhook_endpoints;
  admin record;
  data jsonb;
BEGIN
  UPDATE app.webhook_endpoints w
     SET enabled = false, disabled_at = pg_catalog.now(), disabled_reason = pg_catalog.left(p_reason, 500)
   WHERE w.org_id = p_org_id AND w.id = p_endpoint_id AND w.enabled
  RETURNING * INTO e;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  -- The data of the kind's default templates (its sample_data): endpoint {id, url, disabled_at, failures}.
  data := pg_catalog.jsonb_build_object(
    'timezone', 'UTC',
    'endpoint', pg_catalog.jsonb_build_object('id', e.id, 'url', e.url, 'description', e.description,
                                              'disabled_at', e.disabled_at, 'disabled_reason', e.disabled_reason,
                                              'failures', e.consecutive_failures),
    'org', (SELECT pg_catalog.jsonb_build_object('name', g.name) FROM app.organizations g WHERE g.id = e.org_id));
  -- Each admin and owner: an e-mail, and a note in their in-app inbox.
  FOR admin IN
    SELECT u.id, u.email FROM app.memberships m JOIN auth.users u ON u.id = m.user_id
     WHERE m.org_id = e.org_id AND m.role >= 'admin' AND u.email IS NOT NULL ORDER BY u.id
  LOOP
    PERFORM private.enqueue_notification(e.org_id, 'webhook_endpoint_disabled', admin.email, data,
      'webhook_endpoint_disabled:' || e.id || ':' || private.keyset_cursor(e.disabled_at, admin.id) || ':email',
      p_channel => 'email', p_user_id => admin.id);
    PERFORM private.enqueue_notification(e.org_id, 'webhook_endpoint_disabled', admin.email, data,
      'webhook_endpoint_disabled:' || e.id || ':' || private.keyset_cursor(e.disabled_at, admin.id) || ':in_app',
      p_channel => 'in_app', p_user_id => admin.id);
  END LOOP;
  RETURN true;
END
$function$
;

CREATE OR REPLACE FUNCTION private.fail_webhook_delivery(p_delivery_id uuid, p_worker text, p_status_code integer, p_error text, p_duration_ms integer, p_permanent boolean)
 RETURNS text
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  d app.webhook_deliveries;
  dead boolean;
  error text := pg_catalog.left(coalesce(p_error, 'failed'), 2000);
  code smallint := CASE WHEN p_status_code BETWEEN 100 AND 599 THEN p_status_code END;
BEGIN
  PERFORM private.require_service_role('record webhook deliveries');
  SELECT x.* INTO d FROM app.webhook_deliveries x
   WHERE x.id = p_delivery_id AND x.status = 'sending' AND x.claimed_by = p_worker
     FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  -- 410 Gone: the receiver says the endpoint is no more; this delivery is dead and the endpoint disabled at once.
  dead := coalesce(p_permanent, false) OR code = 410 OR d.attempts >= private.webhook_max_attempts();
  UPDATE app.webhook_deliveries x
     SET status = CASE WHEN dead THEN 'dead' ELSE 'queued' END, claimed_until = NULL, last_error = error,
         last_status_code = code,
         next_attempt_at = CASE WHEN dead THEN x.next_attempt_at
                                ELSE pg_catalog.now() + private.webhook_backoff(d.attempts, pg_catalog.random()) END
   WHERE x.id = d.id;
  INSERT INTO app.webhook_attempts (org_id, delivery_id, attempt, worker, started_at, outcome, status_code, error,
                                    duration_ms)
  VALUES (d.org_id, d.id, GREATEST(d.attempts, 1), p_worker, LEAST(coalesce(d.claimed_at, pg_catalog.now()),
          pg_catalog.now()), CASE WHEN dead THEN 'dead' ELSE 'retry' END, code, error,
          GREATEST(coalesce(p_duration_ms, 0), 0))
  ON CONFLICT DO NOTHING;
  PERFORM private.webhook_endpoint_failed(d.org_id, d.endpoint_id, error);
  IF code = 410 THEN
    PERFORM private.disable_webhook_endpoint(d.org_id, d.endpoint_id,
                                             'the receiver answered 410 Gone: it wants no more deliveries');
  END IF;
  RETURN CASE WHEN dead THEN 'dead' ELSE 'queued' END;
END
$function$
;

CREATE OR REPLACE FUNCTION private.webhook_endpoint_failed(p_org_id uuid, p_endpoint_id uuid, p_error text)
 RETURNS boolean
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  e app.webhook_endpoints;
BEGIN
  UPDATE app.webhook_endpoints w
     SET consecutive_failures = w.consecutive_failures + 1,
         failing_since = coalesce(w.failing_since, pg_catalog.now())
   WHERE w.org_id = p_org_id AND w.id = p_endpoint_id AND w.enabled
  RETURNING * INTO e;
  IF NOT FOUND OR NOT (e.consecutive_failures >= private.webhook_disable_after()
                       OR e.failing_since <= pg_catalog.now() - interval '1 day') THEN
    RETURN false;
  END IF;
  RETURN private.disable_webhook_endpoint(e.org_id, e.id,
    pg_catalog.format('failed %s times in a row since %s; last error: %s', e.consecutive_failures, e.failing_since,
                      p_error));
END
$function$
;
REVOKE ALL ON FUNCTION private.disable_webhook_endpoint(uuid,uuid,text) FROM PUBLIC;
COMMENT ON FUNCTION private.disable_webhook_endpoint(uuid,uuid,text) IS 'Disables an enabled endpoint (disabled_reason p_reason, kept to 500 characters) and queues a
webhook_endpoint_disabled message, data {timezone: UTC, endpoint: {id, url, description, disabled_at,
disabled_reason, failures}, org: {name}}, to each admin and owner of its organization by e-mail and in-app. True when
it disabled the endpoint, false when it was not enabled. For private.webhook_endpoint_failed and
private.fail_webhook_delivery.';
REVOKE ALL ON FUNCTION private.fail_webhook_delivery(uuid,text,integer,text,integer,boolean) FROM PUBLIC, service_role;
GRANT EXECUTE ON FUNCTION private.fail_webhook_delivery(uuid,text,integer,text,integer,boolean) TO service_role;
COMMENT ON FUNCTION private.fail_webhook_delivery(uuid,text,integer,text,integer,boolean) IS 'Records that worker p_worker''s attempt at p_delivery_id failed (p_status_code: the receiver''s non-2xx answer, or
NULL when none came; p_error kept to 2000 characters; p_duration_ms): queued again after private.webhook_backoff,
or dead when p_permanent (the URL was refused at send time), when the receiver answered 410 Gone (which also
disables the endpoint at once) or after its 12th attempt; an attempt row either way,
and the failure counts against the endpoint (private.webhook_endpoint_failed, which may disable it). Answers the
new status (queued or dead); NULL, changing nothing, when the delivery is not being sent under this worker''s lease.
For service_role. Errors: PT403 anyone else.';
REVOKE ALL ON FUNCTION private.webhook_endpoint_failed(uuid,uuid,text) FROM PUBLIC;
COMMENT ON FUNCTION private.webhook_endpoint_failed(uuid,uuid,text) IS 'Counts a failed attempt against an enabled endpoint; when it has failed private.webhook_disable_after() (20)
times in a row, or has been failing with no success for a day, disables it (private.disable_webhook_endpoint:
disabled_reason says why, its admins and owners are told). True when it disabled the endpoint. For
private.fail_webhook_delivery.';

COMMIT;
