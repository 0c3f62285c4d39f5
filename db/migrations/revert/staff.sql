-- Revert tessera:staff from pg
--
-- Drops the staff tables, dependents first (their privileges go with them).

BEGIN;

DROP TABLE app.time_entry_corrections;
DROP TABLE app.time_entries;
DROP TABLE app.session_staff;
DROP TABLE app.shifts;

COMMIT;
