-- Verify tessera:marketing_campaign on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  IF NOT EXISTS (SELECT FROM app.notification_kinds WHERE kind = 'marketing' AND sample_data ? 'campaign') THEN
    RAISE EXCEPTION 'the marketing sample has no campaign';
  END IF;
  IF EXISTS (SELECT FROM app.default_templates WHERE kind = 'marketing' AND locale = 'en'
              AND position('campaign.body' IN body) = 0) THEN
    RAISE EXCEPTION 'a marketing default does not show its campaign';
  END IF;
END
$verify$;

ROLLBACK;
