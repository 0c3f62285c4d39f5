-- Revert tessera:staff from pg
--
-- Drops the staff tables (dependents first) and the venue columns' read privilege this change granted.

BEGIN;

REVOKE SELECT (org_id, timezone) ON app.venues FROM authenticated;
DROP TABLE app.time_entry_corrections;
DROP TABLE app.time_entries;
DROP TABLE app.session_staff;
DROP TABLE app.shifts;

COMMIT;
