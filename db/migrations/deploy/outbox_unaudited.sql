-- Deploy tessera:outbox_unaudited to pg
-- requires: notifications_rules
-- requires: waitlist_messages
--
-- The outbox leaves the audit log as its attempts did: a message follows from an audited act and is queued, claimed and sent by the worker (three audit rows a message, each a copy of its data and its links' tokens); its history is app.notification_attempts

BEGIN;

drop trigger if exists "audit_log" on "app"."notifications_outbox";

COMMIT;
