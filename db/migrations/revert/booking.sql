-- Revert tessera:booking from pg
--
-- Drops the booking tables (dependents first) and the status type.

BEGIN;

DROP TABLE app.booking_resources;
DROP TABLE app.booking_tickets;
DROP TABLE app.bookings;
DROP TABLE app.slot_ticket_counts;
DROP TABLE app.slots;
DROP TABLE app.customers;
DROP TYPE app.booking_status;

COMMIT;
