-- Verify tessera:lint_indexes on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $$
BEGIN
  IF (SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'app' AND c.relkind = 'i' AND c.relname IN ('event_partners_slot', 'leads_experience', 'leads_venue', 'leads_owner', 'shifts_user', 'tickets_kid', 'tickets_slot', 'tickets_ticket_type', 'tickets_venue', 'time_entries_venue', 'time_entries_user')) <> 11 THEN
    RAISE EXCEPTION 'lint_indexes: an index of a foreign key is missing';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_constraint WHERE conrelid = 'app.check_ins'::regclass AND contype = 'p') THEN
    RAISE EXCEPTION 'lint_indexes: app.check_ins has no primary key';
  END IF;
  IF pg_catalog.to_regclass('audit.seals_org_idx') IS NOT NULL THEN
    RAISE EXCEPTION 'lint_indexes: audit.seals_org_idx is still there';
  END IF;
END $$;

ROLLBACK;
