-- Verify tessera:reminder_lead on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

SELECT reminder_lead FROM app.org_settings WHERE false;
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_constraint
                  WHERE conname = 'org_settings_reminder_lead_check' AND conrelid = 'app.org_settings'::regclass) THEN
    RAISE EXCEPTION 'org_settings_reminder_lead_check is missing';
  END IF;
END
$$;

ROLLBACK;
