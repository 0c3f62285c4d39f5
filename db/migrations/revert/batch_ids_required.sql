-- Revert tessera:batch_ids_required from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION api.batch_update_booking_status(booking_ids uuid[], status text)
 RETURNS SETOF app.booking_answer
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  one uuid;
  moved app.bookings;
BEGIN
  PERFORM private.enum_arg('status', ARRAY[status], 'app.booking_status');
  IF pg_catalog.cardinality(booking_ids) IS NOT DISTINCT FROM 0 OR pg_catalog.cardinality(booking_ids) > 500 THEN
    RAISE EXCEPTION 'booking_ids is a list of 1 to 500 bookings' USING ERRCODE = 'PT400', DETAIL = 'out_of_range';
  END IF;
  FOREACH one IN ARRAY booking_ids LOOP
    BEGIN
      moved := private.move_booking(one, batch_update_booking_status.status::app.booking_status, NULL);
    EXCEPTION WHEN SQLSTATE 'PT404' OR SQLSTATE 'PT409' THEN
      -- The first booking that cannot move aborts the whole batch, naming it.
      RAISE EXCEPTION 'booking % cannot move to %: %', one, batch_update_booking_status.status, SQLERRM
        USING ERRCODE = CASE WHEN SQLSTATE = 'PT404' THEN 'PT404' ELSE 'PT409' END,
              DETAIL = one::text;
    END;
    RETURN NEXT private.booking_answer(moved);
  END LOOP;
END
$function$
;
REVOKE ALL ON FUNCTION api.batch_update_booking_status(uuid[],text) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.batch_update_booking_status(uuid[],text) TO authenticated;
COMMENT ON FUNCTION api.batch_update_booking_status(uuid[],text) IS 'Moves 1 to 500 bookings to one status (pending, confirmed, cancelled, rejected, expired, completed or no_show;
any other value is PT400 listing them), all or nothing: the first booking that cannot move (not found, or an
illegal transition, a booking already in that status included) aborts the batch with an error naming it (its id
is the error''s detail) and nothing is written. Answers the moved bookings (app.booking_answer) in the order given.
For staff of their organization.';

COMMIT;
