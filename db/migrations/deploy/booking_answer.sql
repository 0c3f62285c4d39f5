-- Deploy tessera:booking_answer to pg
--
-- app.booking_answer: the one shape of a booking in the answers of the functions that make or move one. Staff got
-- the whole table row (org, slot and customer ids, idempotency plumbing) and the widget a one-element array of
-- eight columns; now both, and reschedule, the status moves and the batch, answer this: what a booking page or a
-- desk shows, and nothing of the bookkeeping. get_booking and list_bookings still read the whole row, for staff.

BEGIN;

CREATE TYPE app.booking_answer AS (
  id                uuid,
  confirmation_code text,
  status            app.booking_status,
  experience_id     uuid,
  starts_at         timestamptz,
  ends_at           timestamptz,
  party_size        integer,
  places            integer,
  price_minor       bigint,
  currency          text,
  hold_expires_at   timestamptz,
  cancel_reason     text,
  refund_due_minor  bigint,
  created_at        timestamptz
);
COMMENT ON TYPE app.booking_answer IS
  'A booking as the functions that make or move one answer it: id, code, status, experience, times, party, places, '
  'price, hold, cancellation reason and refund due, when it was made.';

-- The functions that will answer it answer app.bookings (or a table) now, and a result type cannot change in
-- place: they are dropped here and created again, from db/functions, by the next change (booking_answers).
DROP FUNCTION api.batch_update_booking_status(uuid[], app.booking_status);
DROP FUNCTION api.complete_booking(uuid);
DROP FUNCTION api.confirm_booking(uuid);
DROP FUNCTION api.create_booking(uuid, timestamptz, text, integer, text, text, jsonb, text);
DROP FUNCTION api.mark_no_show(uuid);
DROP FUNCTION api.reject_booking(uuid, text);
DROP FUNCTION api.reschedule_booking(uuid, timestamptz);
DROP FUNCTION api.widget_create_booking(text, uuid, timestamptz, text, integer, text, text, jsonb, text);

COMMIT;
