-- Deploy tessera:delivery to pg
-- requires: notifications_rules
--
-- What the delivery worker writes back besides the lease: when it took a message (claimed_at, the start of the
-- attempt recorded when it completes or fails; kept after, for the last attempt), and an in-app message's title
-- and text as the worker rendered them (rendered_subject, rendered_body), so api.my_notifications reads what was
-- "sent" without rendering templates in the database. E-mail and SMS keep no rendered copy: the provider has it.

BEGIN;

ALTER TABLE app.notifications_outbox
  ADD COLUMN claimed_at timestamptz,
  ADD COLUMN rendered_subject text
    CONSTRAINT notifications_outbox_rendered_subject_check CHECK (length(rendered_subject) <= 300),
  ADD COLUMN rendered_body text
    CONSTRAINT notifications_outbox_rendered_body_check CHECK (length(rendered_body) <= 20000),
  ADD CONSTRAINT notifications_outbox_rendered_check
    CHECK (channel = 'in_app' OR (rendered_subject IS NULL AND rendered_body IS NULL));
COMMENT ON COLUMN app.notifications_outbox.claimed_at IS
  'When a worker last took the message (the start of its latest attempt).';
COMMENT ON COLUMN app.notifications_outbox.rendered_body IS
  'An in-app message''s text as the worker rendered it when it delivered it (rendered_subject: its title).';

COMMIT;
