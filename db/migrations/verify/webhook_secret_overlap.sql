-- Verify tessera:webhook_secret_overlap on pg
--
-- Raises when a column or the check tying them is missing.

BEGIN;

SELECT previous_secret, previous_secret_until FROM app.webhook_endpoints WHERE false;

DO $verify$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_constraint
                  WHERE conrelid = 'app.webhook_endpoints'::pg_catalog.regclass
                    AND conname = 'webhook_endpoints_overlap_check') THEN
    RAISE EXCEPTION 'app.webhook_endpoints has no webhook_endpoints_overlap_check';
  END IF;
END
$verify$;

ROLLBACK;
