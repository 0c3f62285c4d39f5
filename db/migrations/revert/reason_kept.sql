-- Revert tessera:reason_kept from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.bookings_guard()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.status NOT IN ('pending', 'confirmed') THEN
      RAISE EXCEPTION 'a new booking is pending or confirmed, not %', NEW.status USING ERRCODE = 'PT400';
    END IF;
    RETURN NEW;
  END IF;
  IF (NEW.id, NEW.org_id, NEW.experience_id, NEW.customer_id, NEW.confirmation_code, NEW.created_at)
     IS DISTINCT FROM (OLD.id, OLD.org_id, OLD.experience_id, OLD.customer_id, OLD.confirmation_code, OLD.created_at)
  THEN
    RAISE EXCEPTION 'booking % keeps its organization, experience, customer and code', OLD.confirmation_code
      USING ERRCODE = 'PT400';
  END IF;
  IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
       (OLD.status = 'pending' AND NEW.status IN ('confirmed', 'cancelled', 'rejected', 'expired'))
    OR (OLD.status = 'confirmed' AND NEW.status IN ('completed', 'cancelled', 'no_show'))) THEN
    RAISE EXCEPTION 'booking % cannot go from % to %', OLD.confirmation_code, OLD.status, NEW.status
      USING ERRCODE = 'PT409', DETAIL = 'illegal_transition',
            HINT = 'pending -> confirmed | cancelled | rejected | expired; '
                   'confirmed -> completed | cancelled | no_show';
  END IF;
  IF NEW.status <> 'pending' THEN
    NEW.hold_expires_at := NULL;
  END IF;
  IF NEW.status = 'cancelled' AND OLD.status <> 'cancelled' THEN
    NEW.refund_due_minor := private.refund_due(OLD, pg_catalog.now());
  END IF;
  RETURN NEW;
END
$function$
;
REVOKE ALL ON FUNCTION private.bookings_guard() FROM PUBLIC;
COMMENT ON FUNCTION private.bookings_guard() IS 'Trigger: new bookings start pending or confirmed; status moves only along the allowed transitions (else PT409);
organization, experience, customer and code never change; a cancellation records the refund due.';

COMMIT;
