-- Verify tessera:booking on pg
--
-- Raises unless the booking tables exist with forced RLS, the capacity CHECK and the resource exclusion
-- constraint are in place.

BEGIN;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['customers', 'slots', 'slot_ticket_counts', 'bookings', 'booking_tickets',
                           'booking_resources'] LOOP
    IF NOT (SELECT relrowsecurity AND relforcerowsecurity FROM pg_catalog.pg_class
             WHERE oid = format('app.%I', t)::regclass) THEN
      RAISE EXCEPTION 'row-level security is not enabled and forced on app.%', t;
    END IF;
  END LOOP;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_constraint WHERE conname = 'slots_taken_within_capacity') THEN
    RAISE EXCEPTION 'slots have no capacity check';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_constraint WHERE conname = 'booking_resources_no_overlap'
                   AND contype = 'x') THEN
    RAISE EXCEPTION 'resource claims have no exclusion constraint';
  END IF;
END
$$;

ROLLBACK;
