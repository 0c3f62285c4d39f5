-- Verify tessera:table_privileges on pg
--
-- Raises unless the API roles hold what their invoker functions use and have lost what they do not.

BEGIN;

DO $$
BEGIN
  IF NOT has_table_privilege('authenticated', 'app.bookings', 'SELECT')
     OR NOT has_column_privilege('authenticated', 'app.bookings', 'status', 'UPDATE')
     OR NOT has_column_privilege('service_role', 'audit.log', 'id', 'SELECT') THEN
    RAISE EXCEPTION 'the API roles lack a privilege their api functions need';
  END IF;
  IF has_table_privilege('authenticated', 'app.venues', 'DELETE')
     OR has_column_privilege('authenticated', 'app.customers', 'name', 'SELECT')
     OR has_table_privilege('service_role', 'app.organizations', 'DELETE')
     OR has_table_privilege('service_role', 'app.slots', 'TRUNCATE') THEN
    RAISE EXCEPTION 'the API roles still hold table privileges no api function needs';
  END IF;
END
$$;

ROLLBACK;
