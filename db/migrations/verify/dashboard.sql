-- Verify tessera:dashboard on pg
--
-- Raises unless the dashboard's three indexes exist.

BEGIN;

DO $$
BEGIN
  IF to_regclass('app.payments_org_received_idx') IS NULL OR to_regclass('app.refunds_org_settled_idx') IS NULL
     OR to_regclass('audit.log_activity_idx') IS NULL THEN
    RAISE EXCEPTION 'the dashboard''s indexes are missing';
  END IF;
END
$$;

ROLLBACK;
