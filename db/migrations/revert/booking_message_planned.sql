-- Revert tessera:booking_message_planned from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.booking_message(p_booking app.bookings)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  -- The shape of app.notification_kinds.sample_data for the booking kinds: what every message about a booking
  -- carries, the kinds adding their own object beside it. Dates are shown in the venue's zone.
  SELECT pg_catalog.jsonb_build_object(
           'timezone', v.timezone,
           'currency', p_booking.currency::text,
           'booking', pg_catalog.jsonb_build_object(
             'id', p_booking.id, 'code', p_booking.confirmation_code, 'starts_at', p_booking.starts_at,
             'ends_at', p_booking.ends_at, 'party_size', p_booking.party_size, 'status', p_booking.status,
             'price_minor', p_booking.price_minor),
           'experience', pg_catalog.jsonb_build_object('id', e.id, 'name', e.name),
           'venue', pg_catalog.jsonb_build_object(
             'id', v.id, 'name', v.name, 'timezone', v.timezone,
             'address', nullif(pg_catalog.concat_ws(', ', v.address_line,
                                                    nullif(pg_catalog.concat_ws(' ', v.city, v.postal_code), '')),
                               '')),
           'customer', pg_catalog.jsonb_build_object('id', c.id, 'name', c.name, 'email', c.email),
           'org', pg_catalog.jsonb_build_object('id', o.id, 'name', o.name))
    FROM app.experiences e
    JOIN app.venues v ON v.id = e.venue_id
    JOIN app.organizations o ON o.id = e.org_id
    LEFT JOIN app.customers c ON c.id = p_booking.customer_id
   WHERE e.id = p_booking.experience_id
$function$
;
REVOKE ALL ON FUNCTION private.booking_message(app.bookings) FROM PUBLIC;
COMMENT ON FUNCTION private.booking_message(app.bookings) IS 'The data every message about booking p_booking carries: {timezone (the venue''s), currency, booking {id, code,
starts_at, ends_at, party_size, status, price_minor}, experience {id, name}, venue {id, name, timezone, address},
customer {id, name, email}, org {id, name}}, as the booking kinds'' sample data shows it. For the definers and
triggers that queue such messages.';

COMMIT;
