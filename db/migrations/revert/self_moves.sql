-- Revert tessera:self_moves from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.move_booking(p_booking_id uuid, p_status app.booking_status, p_reason text)
 RETURNS app.bookings
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  current app.bookings;
  moved   app.bookings;
BEGIN
  -- Runs as the caller: row-level security decides which bookings exist for them.
  SELECT b.* INTO current FROM app.bookings b WHERE b.id = p_booking_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'booking % not found', p_booking_id USING ERRCODE = 'PT404';
  END IF;
  IF p_status = 'confirmed' AND current.status = 'pending' AND current.hold_expires_at <= pg_catalog.now() THEN
    RAISE EXCEPTION 'the hold on booking % ran out at %', current.confirmation_code, current.hold_expires_at
      USING ERRCODE = 'PT409', DETAIL = 'hold_expired', HINT = 'make a new booking';
  END IF;
  UPDATE app.bookings b
     SET status = p_status,
         cancel_reason = CASE WHEN p_status IN ('cancelled', 'rejected') THEN p_reason ELSE b.cancel_reason END
   WHERE b.id = p_booking_id
  RETURNING b.* INTO moved;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'booking % not found', p_booking_id USING ERRCODE = 'PT404';
  END IF;
  RETURN moved;
END
$function$
;
COMMENT ON FUNCTION api.batch_update_booking_status(uuid[],app.booking_status) IS 'Moves several bookings to one status, all or nothing: the first booking that cannot move (not found, or an
illegal transition) aborts the batch with an error naming it (its id is the error''s detail) and nothing is
written. Returns the moved bookings in the order given. For staff of their organization.';
COMMENT ON FUNCTION api.cancel_booking(uuid,text) IS 'Cancels a pending or confirmed booking, frees its places, and returns the refund due in minor units under the
experience''s policy (full before its cutoff, its late percentage until the start, nothing after; nothing when
unpaid). For staff of its organization. Errors: PT404 not found; PT409 illegal transition.';
COMMENT ON FUNCTION api.complete_booking(uuid) IS 'Marks a confirmed booking as completed (the group came). For staff of its organization. Errors: PT404 not found;
PT409 illegal transition.';
COMMENT ON FUNCTION api.confirm_booking(uuid) IS 'Confirms a pending booking (typically once paid). For staff of its organization. Errors: PT404 not found;
PT409 illegal transition (detail illegal_transition) or hold ran out (detail hold_expired).';
COMMENT ON FUNCTION api.mark_no_show(uuid) IS 'Marks a confirmed booking as a no-show. For staff of its organization. Errors: PT404 not found; PT409 illegal
transition.';
COMMENT ON FUNCTION api.reject_booking(uuid,text) IS 'Rejects a pending booking and frees its places. For staff of its organization. Errors: PT404 not found; PT409
illegal transition.';
REVOKE ALL ON FUNCTION private.move_booking(uuid,app.booking_status,text) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.move_booking(uuid,app.booking_status,text) TO authenticated;
GRANT EXECUTE ON FUNCTION private.move_booking(uuid,app.booking_status,text) TO service_role;
COMMENT ON FUNCTION private.move_booking(uuid,app.booking_status,text) IS 'Moves one booking to a status, as the caller (RLS applies). PT404 when the caller cannot see it, PT409 for an
illegal transition or a confirmation after the hold ran out.';

COMMIT;
