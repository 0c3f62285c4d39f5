-- Revert tessera:lint_indexes from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

CREATE INDEX seals_org_idx ON audit.seals (org_id, last_log_id);
ALTER TABLE app.check_ins DROP CONSTRAINT check_ins_ticket_id_key,
  ADD CONSTRAINT check_ins_ticket_id_key UNIQUE (ticket_id);
DROP INDEX app.event_partners_slot;
DROP INDEX app.leads_experience;
DROP INDEX app.leads_venue;
DROP INDEX app.leads_owner;
DROP INDEX app.shifts_user;
DROP INDEX app.tickets_kid;
DROP INDEX app.tickets_slot;
DROP INDEX app.tickets_ticket_type;
DROP INDEX app.tickets_venue;
DROP INDEX app.time_entries_venue;
DROP INDEX app.time_entries_user;

COMMIT;
