-- Deploy tessera:message_retention to pg
-- requires: erasure_reasons
--
-- private.purge_finished_messages: finished messages and webhook deliveries older than the keep period go, with their attempts, a bounded batch at a time (the worker calls it hourly)

BEGIN;

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
  RETURN pg_catalog.jsonb_build_object('messages', messages, 'deliveries', deliveries);
END
$function$
;
REVOKE ALL ON FUNCTION private.purge_finished_messages(interval,integer) FROM PUBLIC, service_role;
GRANT EXECUTE ON FUNCTION private.purge_finished_messages(interval,integer) TO service_role;
COMMENT ON FUNCTION private.purge_finished_messages(interval,integer) IS 'Deletes up to p_limit outbox messages that are sent, skipped or dead and up to p_limit webhook deliveries that are
delivered or dead, created more than p_keep ago (1 day to 100 years), with their attempts; never a row still queued
or being sent. Answers {messages, deliveries}: what it deleted (p_limit of either: call again). For service_role
(`tessera worker` calls it hourly with TESSERA_WORKER_KEEP_DAYS). Errors: PT403 anyone else; PT400 out_of_range.';

COMMIT;
