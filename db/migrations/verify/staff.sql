-- Verify tessera:staff on pg
--
-- Raises unless the staff tables exist with forced RLS, shifts and time entries exclude overlaps, and one open
-- time entry per person and organization is a unique index.

BEGIN;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['shifts', 'session_staff', 'time_entries', 'time_entry_corrections'] LOOP
    IF NOT (SELECT relrowsecurity AND relforcerowsecurity FROM pg_catalog.pg_class
             WHERE oid = format('app.%I', t)::regclass) THEN
      RAISE EXCEPTION 'row-level security is not enabled and forced on app.%', t;
    END IF;
  END LOOP;
  IF (SELECT count(*) FROM pg_catalog.pg_constraint
       WHERE conname IN ('shifts_no_overlap', 'time_entries_no_overlap') AND contype = 'x') <> 2 THEN
    RAISE EXCEPTION 'shifts or time entries do not exclude overlaps';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_index
                  WHERE indexrelid = 'app.time_entries_one_open'::regclass AND indisunique) THEN
    RAISE EXCEPTION 'time entries are not one open per person';
  END IF;
END
$$;

ROLLBACK;
