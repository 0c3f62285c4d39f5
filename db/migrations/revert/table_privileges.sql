-- Revert tessera:table_privileges from pg
--
-- Back to the direct privileges the table changes granted: signed-in users read every app table and write the
-- tenancy and catalogue tables and customers (under RLS), service_role holds everything on the app tables, both
-- read the audit tables.

BEGIN;

REVOKE ALL ON ALL TABLES IN SCHEMA app, audit FROM anon, authenticated, service_role;

GRANT SELECT, INSERT, UPDATE, DELETE ON app.organizations, app.memberships, app.profiles, app.venues,
  app.venue_hours, app.venue_closures, app.resources, app.experiences, app.experience_resources, app.price_tiers,
  app.ticket_types, app.schedules, app.customers TO authenticated;
GRANT SELECT ON app.slots, app.slot_ticket_counts, app.bookings, app.booking_tickets, app.booking_resources
  TO authenticated;
GRANT UPDATE (status, cancel_reason) ON app.bookings TO authenticated;
GRANT ALL ON ALL TABLES IN SCHEMA app TO service_role;
GRANT SELECT ON audit.log, audit.seals, audit.purges TO authenticated, service_role;

COMMIT;
