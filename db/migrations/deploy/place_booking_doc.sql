-- Deploy tessera:place_booking_doc to pg
--
-- place_booking's comment says its callers check argument shapes and it refuses a missing e-mail first

BEGIN;

COMMENT ON FUNCTION private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text) IS 'The one way a booking is made. Its callers (create_booking, widget_create_booking) have checked each argument''s
shape; it refuses a missing e-mail (PT400) before anything else. Its own checks: the caller is staff of the
experience''s organization, or presents the embed key of its venue. Holds places (pending until the hold ends) or confirms at once when no
payment is needed. Idempotent per (organization, scope, key), the scope being the staff member or the widget''s
venue and e-mail: the same request returns its booking, another request with the key is refused (PT422).';

COMMIT;
