-- Revert tessera:delivery from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it: the rendered in-app texts and
-- the claim times are dropped with their columns.

BEGIN;

ALTER TABLE app.notifications_outbox
  DROP CONSTRAINT notifications_outbox_rendered_check,
  DROP COLUMN rendered_body,
  DROP COLUMN rendered_subject,
  DROP COLUMN claimed_at;

COMMIT;
