-- Verify tessera:webhook_endpoints on pg
--
-- Raises unless the webhook tables exist with their columns, one delivery per endpoint and event key, and RLS
-- enabled and forced on each.

BEGIN;

SELECT org_id, id, url, description, event_types, secret, enabled, disabled_at, disabled_reason,
       consecutive_failures, failing_since, created_by, created_at, updated_at
  FROM app.webhook_endpoints WHERE false;
SELECT org_id, id, endpoint_id, event_type, event_key, payload, webhook_id, status, attempts, next_attempt_at,
       claimed_by, claimed_at, claimed_until, delivered_at, last_status_code, last_error, created_at
  FROM app.webhook_deliveries WHERE false;
SELECT org_id, delivery_id, attempt, worker, started_at, finished_at, outcome, status_code, error, duration_ms
  FROM app.webhook_attempts WHERE false;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['app.webhook_endpoints', 'app.webhook_deliveries', 'app.webhook_attempts'] LOOP
    IF NOT (SELECT relrowsecurity AND relforcerowsecurity FROM pg_catalog.pg_class WHERE oid = t::regclass) THEN
      RAISE EXCEPTION 'row-level security is not enabled and forced on %', t;
    END IF;
  END LOOP;
  PERFORM FROM pg_catalog.pg_constraint WHERE conname = 'webhook_deliveries_once'
                                          AND conrelid = 'app.webhook_deliveries'::regclass;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'app.webhook_deliveries lacks its once-per-endpoint-and-event rule';
  END IF;
END
$$;

ROLLBACK;
