-- Deploy tessera:lint_indexes to pg
-- requires: plpgsql_check_clean
--
-- Supabase linter findings (tests/test_lint_supabase.py): an index on every foreign key a delete or re-key of
-- its parent looks up (a venue, slot, ticket type, ticket key, member or user removed scanned the whole child
-- table under its lock), a primary key for app.check_ins (its row is one per ticket: ticket_id), and
-- audit.seals' index dropped: it duplicated the unique constraint on the same columns.
-- lock: ok each statement holds its table's lock only for one index build, in one short transaction at deploy
-- (a big existing installation builds them CONCURRENTLY by hand first; the IF NOT EXISTS then skips them)

BEGIN;

CREATE INDEX IF NOT EXISTS event_partners_slot ON app.event_partners (slot_id);
CREATE INDEX IF NOT EXISTS leads_experience ON app.leads (experience_id);
CREATE INDEX IF NOT EXISTS leads_venue ON app.leads (venue_id);
CREATE INDEX IF NOT EXISTS leads_owner ON app.leads (org_id, owner_id);
CREATE INDEX IF NOT EXISTS shifts_user ON app.shifts (user_id);
CREATE INDEX IF NOT EXISTS tickets_kid ON app.tickets (org_id, kid);
CREATE INDEX IF NOT EXISTS tickets_slot ON app.tickets (slot_id);
CREATE INDEX IF NOT EXISTS tickets_ticket_type ON app.tickets (ticket_type_id);
CREATE INDEX IF NOT EXISTS tickets_venue ON app.tickets (venue_id);
CREATE INDEX IF NOT EXISTS time_entries_venue ON app.time_entries (venue_id);
CREATE INDEX IF NOT EXISTS time_entries_user ON app.time_entries (user_id);

-- The one-per-ticket unique constraint becomes the primary key, under its name (ON CONFLICT (ticket_id) keeps
-- arbitrating on it; a second unique index would make a concurrent scan fail instead of waiting).
ALTER TABLE app.check_ins DROP CONSTRAINT check_ins_ticket_id_key,
  ADD CONSTRAINT check_ins_ticket_id_key PRIMARY KEY (ticket_id);
DROP INDEX audit.seals_org_idx;

COMMIT;
