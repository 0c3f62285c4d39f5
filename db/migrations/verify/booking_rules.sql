-- Verify tessera:booking_rules on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that org_in_keys changed are retired; its verify checks them now.

-- Checks of functions that holds_swept changed are retired; its verify checks them now.

-- Checks of functions that orders_pricing changed are retired; its verify checks them now.

-- Checks of functions that reason_kept changed are retired; its verify checks them now.

-- Checks of functions that self_moves changed are retired; its verify checks them now.

-- Checks of functions that idempotency_rules changed are retired; its verify checks them now.

-- Checks of functions that time_args changed are retired; its verify checks them now.

-- Checks of functions that claims_hold_sync changed are retired; its verify checks them now.

-- Checks of functions that profile_and_window changed are retired; its verify checks them now.

-- Checks of functions that availability_fast changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'api.get_booking(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.get_booking(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.get_booking(uuid)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.get_booking(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.get_booking(uuid)';
  END IF;
  -- private.availability(uuid, date, date, integer) was replaced by a five-argument version in
  -- availability_definer, which verifies it.
  PERFORM 'private.booking_is_live(app.booking_status)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.booking_is_live(app.booking_status)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.booking_is_live(app.booking_status)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.booking_is_live(app.booking_status)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.booking_is_live(app.booking_status)';
  END IF;
  PERFORM 'private.new_confirmation_code()'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.new_confirmation_code()', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.new_confirmation_code()';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.new_confirmation_code()', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.new_confirmation_code()';
  END IF;
  PERFORM 'private.reschedule(uuid,timestamp with time zone)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.reschedule(uuid,timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.reschedule(uuid,timestamp with time zone)';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.booking_resources' AND policyname = 'booking_resources_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'booking_resources_select', 'app.booking_resources';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.booking_tickets' AND policyname = 'booking_tickets_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'booking_tickets_select', 'app.booking_tickets';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.bookings' AND policyname = 'bookings_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'bookings_select', 'app.bookings';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.bookings' AND policyname = 'bookings_update') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'bookings_update', 'app.bookings';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.customers' AND policyname = 'customers_delete') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'customers_delete', 'app.customers';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.customers' AND policyname = 'customers_insert') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'customers_insert', 'app.customers';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.customers' AND policyname = 'customers_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'customers_select', 'app.customers';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.customers' AND policyname = 'customers_update') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'customers_update', 'app.customers';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.slot_ticket_counts' AND policyname = 'slot_ticket_counts_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'slot_ticket_counts_select', 'app.slot_ticket_counts';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.slots' AND policyname = 'slots_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'slots_select', 'app.slots';
  END IF;
END
$verify$;

ROLLBACK;
