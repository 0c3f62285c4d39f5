-- Verify tessera:tickets_backfill on pg
--
-- Raises when a confirmed booking has fewer valid tickets than attendees.

BEGIN;

DO $$
BEGIN
  IF EXISTS (SELECT FROM app.bookings b
              WHERE b.status = 'confirmed'
                AND (SELECT count(*) FROM app.tickets t WHERE t.booking_id = b.id AND t.status = 'valid')
                    < b.party_size) THEN
    RAISE EXCEPTION 'a confirmed booking lacks tickets';
  END IF;
END
$$;

ROLLBACK;
