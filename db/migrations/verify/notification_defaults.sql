-- Verify tessera:notification_defaults on pg
--
-- Raises when a kind has no sample data or no English default on a channel; changes nothing.

BEGIN;

DO $$
BEGIN
  IF EXISTS (SELECT FROM app.notification_kinds k WHERE k.sample_data = '{}') THEN
    RAISE EXCEPTION 'a kind has no sample data';
  END IF;
  IF EXISTS (SELECT FROM app.notification_kinds k CROSS JOIN (VALUES ('email'), ('sms'), ('in_app')) c (channel)
              WHERE NOT EXISTS (SELECT FROM app.default_templates d
                                 WHERE d.kind = k.kind AND d.channel = c.channel AND d.locale = 'en')) THEN
    RAISE EXCEPTION 'a kind has no English default on a channel';
  END IF;
END
$$;

ROLLBACK;
