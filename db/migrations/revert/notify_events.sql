-- Revert tessera:notify_events from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop trigger if exists "bookings_notify_insert" on "app"."bookings";

drop trigger if exists "bookings_notify_update" on "app"."bookings";

drop function if exists "private"."bookings_notify"();

drop function if exists "private"."queue_session_messages"(p_booking app.bookings, p_message jsonb);

drop function if exists "private"."reminder_due"(p_starts_at timestamp with time zone, p_timezone text, p_lead interval);

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.message_wanted(p_message app.notifications_outbox)
 RETURNS text
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  -- Each kind whose message can stop making sense before it goes (a reminder of a cancelled booking, a waiver
  -- already signed) adds its rule here; a recipient's preferences are checked where they are kept.
  SELECT NULL::text
$function$
;
REVOKE ALL ON FUNCTION private.message_wanted(app.notifications_outbox) FROM PUBLIC, service_role;
COMMENT ON FUNCTION private.message_wanted(app.notifications_outbox) IS 'NULL when a due message should still go out, else the reason it is skipped instead (booking_cancelled,
session_started, …). Asked by the delivery worker for each message it takes, at the moment it takes it.';

COMMIT;
