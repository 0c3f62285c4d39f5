-- Functions of the `widget` area: the public booking page, for anyone holding a venue's embed key (role anon).
-- It sees only what a booking page needs: the venue's active experiences, the ticket types on sale, bookable
-- starts with what remains and the price, and, after booking, the booking's code, status and hold. The embed key
-- is checked by each definer here; a wrong key is indistinguishable from a missing venue.

CREATE OR REPLACE FUNCTION private.widget_venue(p_embed_key text)
RETURNS uuid
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  found_id uuid;
BEGIN
  -- An archived venue's key opens nothing, like a wrong one.
  SELECT v.id INTO found_id FROM app.venues v WHERE v.embed_key = p_embed_key AND v.archived_at IS NULL;
  IF found_id IS NULL THEN
    RAISE EXCEPTION 'unknown widget key' USING ERRCODE = 'PT404', HINT = 'the key may have been rotated';
  END IF;
  RETURN found_id;
END
$$;

COMMENT ON FUNCTION private.widget_venue(text) IS
'The venue a widget key opens; PT404 for any other key. Used by the widget functions.';

REVOKE ALL ON FUNCTION private.widget_venue(text) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.widget_experiences(p_embed_key text)
RETURNS TABLE (experience_id uuid, kind app.experience_kind, name text, description text, duration_minutes integer,
               min_party integer, max_party integer, currency text, venue_name text, venue_timezone text)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT e.id, e.kind, e.name, e.description, e.duration_minutes, e.min_party, e.max_party, e.currency::text,
         v.name, v.timezone
    FROM app.venues v JOIN app.experiences e ON e.org_id = v.org_id AND e.venue_id = v.id
   WHERE v.id = private.widget_venue(p_embed_key) AND private.is_offered(e.id)
   ORDER BY e.name, e.id
$$;

COMMENT ON FUNCTION private.widget_experiences(text) IS
'The active experiences of the venue a widget key opens, with public fields only.';

REVOKE ALL ON FUNCTION private.widget_experiences(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.widget_experiences(text) TO anon, authenticated;


CREATE OR REPLACE FUNCTION private.widget_ticket_types(p_embed_key text, p_experience_id uuid)
RETURNS TABLE (experience_id uuid, ticket_type_id uuid, name text, price_minor bigint, currency text,
               per_order_max integer, sales_end timestamptz)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
  -- Exactly the ticket types place_booking sells now: active, inside their sales window, of an active experience.
  SELECT tt.experience_id, tt.id, tt.name, tt.price_minor, e.currency::text, tt.per_order_max, tt.sales_end
    FROM app.venues v
    JOIN app.experiences e ON e.org_id = v.org_id AND e.venue_id = v.id
    JOIN app.ticket_types tt ON tt.org_id = e.org_id AND tt.experience_id = e.id
   WHERE v.id = private.widget_venue(p_embed_key) AND e.active AND e.kind = 'ticketed_event'
     AND (p_experience_id IS NULL OR e.id = p_experience_id)
     AND tt.active AND (tt.sales_start IS NULL OR tt.sales_start <= pg_catalog.now())
     AND (tt.sales_end IS NULL OR pg_catalog.now() < tt.sales_end)
   ORDER BY e.name, e.id, tt.price_minor, tt.name, tt.id
$$;

COMMENT ON FUNCTION private.widget_ticket_types(text, uuid) IS
'The ticket types on sale now of the ticketed events of the venue a widget key opens (of one, when
p_experience_id is given), with public fields only.';

REVOKE ALL ON FUNCTION private.widget_ticket_types(text, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.widget_ticket_types(text, uuid) TO anon, authenticated;


CREATE OR REPLACE FUNCTION private.widget_availability(p_embed_key text, p_experience_id uuid, p_from date,
                                                       p_to date, p_party_size integer)
RETURNS TABLE (starts_at timestamptz, local_start timestamp, remaining integer, price_minor bigint, currency text)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT private.availability_window(p_from, p_to, 63);
  SELECT a.starts_at, a.local_start, a.remaining, a.price_minor, a.currency
    FROM private.availability(p_experience_id, p_from, p_to, p_party_size, p_embed_key) a
   WHERE private.widget_venue(p_embed_key) IS NOT NULL
$$;

COMMENT ON FUNCTION private.widget_availability(text, uuid, date, date, integer) IS
'Availability for the widget: only starts, what remains and prices, for an experience of the key''s venue; at
most 63 days per request (PT400 beyond, never a window cut short).';

REVOKE ALL ON FUNCTION private.widget_availability(text, uuid, date, date, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.widget_availability(text, uuid, date, date, integer) TO anon, authenticated;


CREATE OR REPLACE FUNCTION api.widget_experiences(embed_key text)
RETURNS TABLE (experience_id uuid, kind app.experience_kind, name text, description text, duration_minutes integer,
               min_party integer, max_party integer, currency text, venue_name text, venue_timezone text)
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT * FROM private.widget_experiences(private.text_arg('embed_key', embed_key, 1, 100))
$$;

COMMENT ON FUNCTION api.widget_experiences(text) IS
$$What the public booking widget of a venue offers: its active experiences (id, kind, name, description, duration,
party limits, currency) and the venue's name and time zone; a ticketed event's tickets and prices are in
widget_ticket_types. For anyone with the venue's embed key (anon). Errors: PT404 for an unknown or rotated key;
PT400 for a key over 100 characters.$$;

REVOKE ALL ON FUNCTION api.widget_experiences(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.widget_experiences(text) TO anon, authenticated;


CREATE OR REPLACE FUNCTION api.widget_ticket_types(embed_key text, experience_id uuid DEFAULT NULL)
RETURNS TABLE (experience_id uuid, ticket_type_id uuid, name text, price_minor bigint, currency text,
               per_order_max integer, sales_end timestamptz)
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT * FROM private.widget_ticket_types(private.text_arg('embed_key', embed_key, 1, 100), experience_id)
$$;

COMMENT ON FUNCTION api.widget_ticket_types(text, uuid) IS
$$The tickets the public booking widget of a venue sells now: for each ticketed event of the venue (or the one given),
each ticket type on sale (id, name, price in minor units, currency, most per order, end of sales, if any), cheapest
first. Book them with widget_create_booking's tickets, [{"ticket_type_id": "…", "quantity": 2}]. For anyone with the
venue's embed key (anon). Errors: PT404 for an unknown or rotated key; PT400 for a key over 100 characters.$$;

REVOKE ALL ON FUNCTION api.widget_ticket_types(text, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.widget_ticket_types(text, uuid) TO anon, authenticated;


CREATE OR REPLACE FUNCTION api.widget_availability(embed_key text, experience_id uuid, from_date date, to_date date,
                                                   party_size integer DEFAULT NULL)
RETURNS TABLE (starts_at timestamptz, local_start timestamp, remaining integer, price_minor bigint, currency text)
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT private.text_arg('embed_key', embed_key, 1, 100), private.time_arg('from_date', from_date),
         private.time_arg('to_date', to_date), private.party_size_arg(party_size);
  SELECT * FROM private.widget_availability(embed_key, experience_id, from_date, to_date, party_size)
$$;

COMMENT ON FUNCTION api.widget_availability(text, uuid, date, date, integer) IS
$$The public variant of check_availability: bookable starts of one of the venue's experiences between two dates of
the venue's calendar (both included, at most 63 days), with what remains and the price for the party (without
party_size: the experience's smallest party), and nothing else. For anyone with the venue's embed key (anon); an
experience of another venue shows no rows. Errors: PT404 for an unknown or rotated key; PT400 (detail
out_of_range) a window over 63 days or reversed, a date outside 2000-01-01 to five years from now, a party_size
outside 1 to 1000 or outside a private session's limits (the hint says them).$$;

REVOKE ALL ON FUNCTION api.widget_availability(text, uuid, date, date, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.widget_availability(text, uuid, date, date, integer) TO anon, authenticated;


CREATE OR REPLACE FUNCTION api.widget_create_booking(
  embed_key       text,
  experience_id   uuid,
  starts_at       timestamptz,
  customer_email  text,
  party_size      integer DEFAULT NULL,
  customer_name   text DEFAULT NULL,
  customer_phone  text DEFAULT NULL,
  tickets         jsonb DEFAULT NULL,
  idempotency_key text DEFAULT NULL
)
RETURNS app.booking_answer
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT a.*
    FROM private.place_booking(experience_id, private.time_arg('starts_at', starts_at),
                               private.party_size_arg(party_size),
                               private.email_arg('customer_email', customer_email),
                               private.text_arg('customer_name', customer_name, 0, 200),
                               private.text_arg('customer_phone', customer_phone, 0, 50),
                               private.tickets_arg('tickets', tickets),
                               private.text_arg('idempotency_key', idempotency_key, 1, 200),
                               private.text_arg('embed_key', embed_key, 1, 100)) b,
         private.booking_answer(b) a
$$;

COMMENT ON FUNCTION api.widget_create_booking(text, uuid, timestamptz, text, integer, text, text, jsonb, text) IS
$$The public variant of create_booking, for anyone with the venue's embed key (anon): the same checks and holds, and
the same answer, an object (app.booking_answer: id, confirmation_code, status, experience_id, starts_at, ends_at,
party_size, places, price_minor, currency, hold_expires_at, cancel_reason, refund_due_minor, created_at). An
idempotency_key belongs to the venue and the customer's e-mail: the same request with it returns the same booking; a
visitor with another e-mail, or at another venue, never gets that booking. Errors: PT404 unknown key or experience;
PT400 naming the argument, as for create_booking (e-mail, name, phone, key, party, tickets, start); PT409 sold out
or taken; PT422 the key was already used for a different request (detail idempotency_key_reused).$$;

REVOKE ALL ON FUNCTION api.widget_create_booking(text, uuid, timestamptz, text, integer, text, text, jsonb, text)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.widget_create_booking(text, uuid, timestamptz, text, integer, text, text, jsonb, text)
  TO anon, authenticated;
