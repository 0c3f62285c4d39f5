-- Deploy tessera:webhook_overlap_end to pg
--
-- api.end_webhook_secret_overlap(org_id, endpoint_id) ends a rotation's overlap early and forgets the old secret; the worker's purge forgets expired secrets whatever the keep period (private.purge_finished_messages with keep NULL deletes no message)

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION api.end_webhook_secret_overlap(org_id uuid, endpoint_id uuid)
 RETURNS jsonb
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  SELECT private.end_webhook_secret_overlap(end_webhook_secret_overlap.org_id, end_webhook_secret_overlap.endpoint_id)
$function$
;

CREATE OR REPLACE FUNCTION private.end_webhook_secret_overlap(p_org_id uuid, p_endpoint_id uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  e app.webhook_endpoints;
BEGIN
  PERFORM private.catalogue_may(p_org_id, 'admin', 'organization');
  UPDATE app.webhook_endpoints w
     SET previous_secret = NULL, previous_secret_until = NULL, updated_at = pg_catalog.now()
   WHERE w.org_id = p_org_id AND w.id = p_endpoint_id
  RETURNING * INTO e;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'webhook endpoint not found' USING ERRCODE = 'PT404', DETAIL = 'not_found';
  END IF;
  RETURN private.webhook_endpoint_json(e, false);
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
  IF p_keep < interval '1 day' OR p_keep > interval '100 years' THEN
    RAISE EXCEPTION 'p_keep must be 1 day to 100 years, or NULL to keep everything' USING ERRCODE = 'PT400',
      DETAIL = 'out_of_range';
  END IF;
  IF p_limit IS NULL OR p_limit < 1 OR p_limit > 100000 THEN
    RAISE EXCEPTION 'p_limit must be 1 to 100000' USING ERRCODE = 'PT400', DETAIL = 'out_of_range';
  END IF;
  -- No keep period keeps every message and delivery (cutoff NULL matches nothing); expired secrets go all the same.
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
REVOKE ALL ON FUNCTION api.end_webhook_secret_overlap(uuid,uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.end_webhook_secret_overlap(uuid,uuid) TO authenticated;
COMMENT ON FUNCTION api.end_webhook_secret_overlap(uuid,uuid) IS 'Stops signing with the secret a rotation replaced, at once, and forgets it: once every receiver verifies with the
new secret, there is no need to wait for the overlap''s end. The current secret is kept (and not shown). Answers the
endpoint (previous_secret_until null). Ending no overlap changes nothing but updated_at. For admins and the owner.
Errors: PT403 staff and managers; PT404 not a member, or no such endpoint in the organization.';
COMMENT ON FUNCTION api.rotate_webhook_secret(uuid,uuid,integer) IS 'Gives an endpoint a new signing secret and answers the endpoint with it (secret, shown this once). For
overlap_hours (0 to 168, default 24) the secret it replaces keeps signing too: every attempt, retries of earlier
deliveries included, carries one signature under each secret in its webhook-signature header (space-separated, as
Standard Webhooks allows), so a receiver verifies with either while it switches; previous_secret_until in the
answer says until when. overlap_hours 0 signs with the new secret only, at once: the choice after a leak, as a
leaked secret must stop signing now. api.end_webhook_secret_overlap ends an overlap early without a new secret.
Rotating again during an overlap ends the older secret''s at once (two secrets sign at most). For admins and the owner. Errors: PT400 overlap_hours
out of range (detail out_of_range); PT403 staff and managers; PT404 not a member, or no such endpoint in the
organization.';
REVOKE ALL ON FUNCTION private.end_webhook_secret_overlap(uuid,uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.end_webhook_secret_overlap(uuid,uuid) TO authenticated;
COMMENT ON FUNCTION private.end_webhook_secret_overlap(uuid,uuid) IS 'api.end_webhook_secret_overlap, for admins and the owner.';
REVOKE ALL ON FUNCTION private.purge_finished_messages(interval,integer) FROM PUBLIC, service_role;
GRANT EXECUTE ON FUNCTION private.purge_finished_messages(interval,integer) TO service_role;
COMMENT ON FUNCTION private.purge_finished_messages(interval,integer) IS 'Deletes up to p_limit outbox messages that are sent, skipped or dead and up to p_limit webhook deliveries that are
delivered or dead, created more than p_keep ago (1 day to 100 years; NULL deletes none), with their attempts; never a row still
queued or being sent; and, whatever p_keep, forgets up to p_limit webhook secrets whose rotation overlap is over. Answers {messages,
deliveries, expired_secrets}: what it deleted (p_limit of any: call again). For service_role
(`tessera worker` calls it hourly with TESSERA_WORKER_KEEP_DAYS). Errors: PT403 anyone else; PT400 out_of_range.';

COMMIT;
