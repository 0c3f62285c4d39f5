-- Deploy tessera:tickets_backfill to pg
-- requires: tickets_rules
--
-- Bookings confirmed before tickets existed get their tickets, as a booking confirmed now does (the bookings trigger
-- only sees moves made after it). Issuing is idempotent, so deploying again after a revert issues nothing twice.

BEGIN;

SELECT count(private.issue_tickets(b)) FROM app.bookings b WHERE b.status = 'confirmed';

COMMIT;
