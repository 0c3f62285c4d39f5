-- Functions of the `retention` area: how long finished messages and webhook deliveries are kept. The outbox and the
-- deliveries grow by every booking's messages for ever otherwise; once a message is sent, skipped or dead, and a
-- delivery delivered or dead, their rows (and their attempts, by cascade) only serve staff looking back, so the
-- worker deletes the ones older than its keep period, a bounded batch at a time.
--
-- Safe to delete: every dedupe key of the outbox names the event it tells of (a booking's confirmation, a reminder
-- for one start), and none of those events can happen again months later; a reminder is only queued for a session
-- that has not started. Rows still queued or being sent are never touched, whatever their age.

CREATE OR REPLACE FUNCTION private.purge_finished_messages(p_keep interval, p_limit integer)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
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
$$;

COMMENT ON FUNCTION private.purge_finished_messages(interval, integer) IS
'Deletes up to p_limit outbox messages that are sent, skipped or dead and up to p_limit webhook deliveries that are
delivered or dead, created more than p_keep ago (1 day to 100 years; NULL deletes none), with their attempts;
never a row still queued or being sent; and, whatever p_keep, forgets up to p_limit webhook secrets whose rotation
overlap is over. Answers {messages, deliveries, expired_secrets}: what it deleted (p_limit of any: call again).
For service_role
(`tessera worker` calls it hourly with TESSERA_WORKER_KEEP_DAYS). Errors: PT403 anyone else; PT400 out_of_range.';

REVOKE ALL ON FUNCTION private.purge_finished_messages(interval, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.purge_finished_messages(interval, integer) TO service_role;
