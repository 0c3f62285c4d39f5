-- Revert tessera:webhook_overlap_end from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop function if exists "api"."end_webhook_secret_overlap"(org_id uuid, endpoint_id uuid);

drop function if exists "private"."end_webhook_secret_overlap"(p_org_id uuid, p_endpoint_id uuid);

SET LOCAL check_function_bodies = off;

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
COMMENT ON FUNCTION api.rotate_webhook_secret(uuid,uuid,integer) IS 'Gives an endpoint a new signing secret and answers the endpoint with it (secret, shown this once). For
overlap_hours (0 to 168, default 24) the secret it replaces keeps signing too: every attempt, retries of earlier
deliveries included, carries one signature under each secret in its webhook-signature header (space-separated, as
Standard Webhooks allows), so a receiver verifies with either while it switches; previous_secret_until in the
answer says until when. overlap_hours 0 signs with the new secret only, at once. Rotating again during an overlap
ends the older secret''s at once (two secrets sign at most). For admins and the owner. Errors: PT400 overlap_hours
out of range (detail out_of_range); PT403 staff and managers; PT404 not a member, or no such endpoint in the
organization.';
REVOKE ALL ON FUNCTION private.purge_finished_messages(interval,integer) FROM PUBLIC, service_role;
GRANT EXECUTE ON FUNCTION private.purge_finished_messages(interval,integer) TO service_role;
COMMENT ON FUNCTION private.purge_finished_messages(interval,integer) IS 'Deletes up to p_limit outbox messages that are sent, skipped or dead and up to p_limit webhook deliveries that are
delivered or dead, created more than p_keep ago (1 day to 100 years), with their attempts; never a row still queued
or being sent; and forgets up to p_limit webhook secrets whose rotation overlap is over. Answers {messages,
deliveries, expired_secrets}: what it deleted (p_limit of any: call again). For service_role
(`tessera worker` calls it hourly with TESSERA_WORKER_KEEP_DAYS). Errors: PT403 anyone else; PT400 out_of_range.';

COMMIT;
