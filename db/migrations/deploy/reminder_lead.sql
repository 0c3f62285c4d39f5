-- Deploy tessera:reminder_lead to pg
-- requires: notification_defaults
--
-- A session's reminder goes out reminder_lead before it starts, counted on the venue's wall clock (24 hours before
-- a 10:00 session is 10:00 the day before, whatever the clocks did overnight). Per organization: 24 hours unless
-- it says otherwise, at least 15 minutes (a reminder later than that is no reminder) and at most 14 days.

BEGIN;

ALTER TABLE app.org_settings
  ADD COLUMN reminder_lead interval NOT NULL DEFAULT interval '24 hours'
    CONSTRAINT org_settings_reminder_lead_check
    CHECK (reminder_lead >= interval '15 minutes' AND reminder_lead <= interval '14 days');
COMMENT ON COLUMN app.org_settings.reminder_lead IS
  'How long before a session its reminder is due, on the venue''s wall clock (default 24 hours; 15 minutes to 14 '
  'days).';

COMMIT;
