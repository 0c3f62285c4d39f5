-- Functions of the `tickets` area: signed tickets for confirmed bookings, and letting them in at the door.
-- A confirmed booking has one valid ticket per attendee place, issued by a trigger on app.bookings whichever path
-- confirmed it, and revoked by the same trigger when the booking is cancelled, rejected or expired (or issued anew
-- when it is rescheduled). A ticket's QR payload is computed from its row and its organization's key, never stored:
--
--   payload = base64url, without padding, of 59 bytes:
--     byte  0       version, 1
--     bytes 1-2     kid, the signing key's id (unsigned 16-bit, big-endian)
--     bytes 3-18    ticket id (uuid, 16 bytes)
--     bytes 19-34   slot id (uuid, 16 bytes): the session the ticket is for
--     bytes 35-38   valid_from, whole minutes since 1970-01-01 UTC (unsigned 32-bit, big-endian)
--     bytes 39-42   valid_until, the same
--     bytes 43-58   HMAC-SHA256 of bytes 0-42 with the key (org, kid), truncated to its first 16 bytes (128 bits)
--
-- 79 characters of [A-Za-z0-9_-]: a version 5 QR code at error correction M, easily read off a phone screen.
-- The organization is not in the payload: it is the ticket's, looked up by id, so another organization's ticket
-- verifies against nothing and looks forged to its staff.


-- Keys. --------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.ticket_key(p_org_id uuid)
RETURNS smallint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  current smallint;
BEGIN
  SELECT pg_catalog.max(k.kid) INTO current FROM app.ticket_keys k WHERE k.org_id = p_org_id AND k.retired_at IS NULL;
  IF current IS NULL THEN
    -- Created on first need; a concurrent first need waits on the key and then reads the winner's.
    INSERT INTO app.ticket_keys (org_id, kid, secret)
    VALUES (p_org_id, 1, extensions.gen_random_bytes(32))
    ON CONFLICT (org_id, kid) DO NOTHING;
    SELECT pg_catalog.max(k.kid) INTO current FROM app.ticket_keys k
     WHERE k.org_id = p_org_id AND k.retired_at IS NULL;
  END IF;
  RETURN current;
END
$$;

COMMENT ON FUNCTION private.ticket_key(uuid) IS
'The id of the key that signs an organization''s new tickets (its newest unretired one), made on first need.';

REVOKE ALL ON FUNCTION private.ticket_key(uuid) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.ticket_admin(p_org_id uuid)
RETURNS void
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  IF p_org_id IS NULL OR NOT p_org_id = ANY (private.org_ids('staff')) THEN
    RAISE EXCEPTION 'organization not found' USING ERRCODE = 'PT404';
  END IF;
  IF NOT p_org_id = ANY (private.org_ids('admin')) THEN
    RAISE EXCEPTION 'only an admin of the organization manages its ticket keys' USING ERRCODE = 'PT403';
  END IF;
END
$$;

COMMENT ON FUNCTION private.ticket_admin(uuid) IS
'Raises PT404 unless the caller is a member of the organization, PT403 unless an admin of it.';

REVOKE ALL ON FUNCTION private.ticket_admin(uuid) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.rotate_ticket_key(p_org_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  made app.ticket_keys;
BEGIN
  PERFORM private.ticket_admin(p_org_id);
  -- One rotation at a time per organization, so two never draw the same kid.
  PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('ticket_keys ' || p_org_id, 0));
  INSERT INTO app.ticket_keys (org_id, kid, secret)
  SELECT p_org_id, coalesce(pg_catalog.max(k.kid), 0) + 1, extensions.gen_random_bytes(32)
    FROM app.ticket_keys k WHERE k.org_id = p_org_id
  RETURNING * INTO made;
  RETURN pg_catalog.jsonb_build_object('org_id', made.org_id, 'kid', made.kid, 'created_at', made.created_at);
END
$$;

COMMENT ON FUNCTION private.rotate_ticket_key(uuid) IS
'Adds a new current signing key to an organization (its own check: the caller is an admin of it).';

REVOKE ALL ON FUNCTION private.rotate_ticket_key(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.rotate_ticket_key(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.rotate_ticket_key(org_id uuid)
RETURNS jsonb LANGUAGE sql VOLATILE SET search_path = ''
AS $$ SELECT private.rotate_ticket_key(org_id) $$;
COMMENT ON FUNCTION api.rotate_ticket_key(uuid) IS
$$Makes a new signing key the organization's current one and answers {org_id, kid, created_at} (never the secret).
New tickets are signed with it; tickets signed with older keys keep their payloads and still verify until an admin
retires their key (retire_ticket_key). For admins of the organization. Errors: PT404 not a member; PT403 not an
admin.$$;
REVOKE ALL ON FUNCTION api.rotate_ticket_key(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.rotate_ticket_key(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION private.retire_ticket_key(p_org_id uuid, p_kid integer)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  current smallint;
  retired app.ticket_keys;
  moved integer;
BEGIN
  PERFORM private.ticket_admin(p_org_id);
  PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('ticket_keys ' || p_org_id, 0));
  SELECT pg_catalog.max(k.kid) INTO current FROM app.ticket_keys k WHERE k.org_id = p_org_id AND k.retired_at IS NULL;
  IF p_kid IS NULL OR NOT EXISTS (SELECT FROM app.ticket_keys k WHERE k.org_id = p_org_id AND k.kid = p_kid
                                                                 AND k.retired_at IS NULL) THEN
    RAISE EXCEPTION 'no ticket key % in use', p_kid USING ERRCODE = 'PT404';
  END IF;
  IF p_kid = current THEN
    RAISE EXCEPTION 'key % is the current one and cannot be retired', p_kid USING ERRCODE = 'PT409',
      DETAIL = 'current_key', HINT = 'rotate_ticket_key first';
  END IF;
  -- Valid tickets move to the current key: their payloads change, so images made before no longer scan.
  UPDATE app.tickets t SET kid = current WHERE t.org_id = p_org_id AND t.kid = p_kid AND t.status = 'valid';
  GET DIAGNOSTICS moved = ROW_COUNT;
  UPDATE app.ticket_keys k SET retired_at = pg_catalog.now() WHERE k.org_id = p_org_id AND k.kid = p_kid
  RETURNING * INTO retired;
  RETURN pg_catalog.jsonb_build_object('org_id', retired.org_id, 'kid', retired.kid,
                                       'retired_at', retired.retired_at, 'tickets_resigned', moved);
END
$$;

COMMENT ON FUNCTION private.retire_ticket_key(uuid, integer) IS
'Retires an organization''s older signing key, re-signing its valid tickets with the current key (its own check:
the caller is an admin of it).';

REVOKE ALL ON FUNCTION private.retire_ticket_key(uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.retire_ticket_key(uuid, integer) TO authenticated;


CREATE OR REPLACE FUNCTION api.retire_ticket_key(org_id uuid, kid integer)
RETURNS jsonb LANGUAGE sql VOLATILE SET search_path = ''
AS $$ SELECT private.retire_ticket_key(org_id, private.count_arg('kid', kid, 1, 32767)) $$;
COMMENT ON FUNCTION api.retire_ticket_key(uuid, integer) IS
$$Retires an older signing key (after a leak, say): payloads signed with it no longer verify (check_in answers
forged), and the valid tickets it signed are re-signed with the current key (get_tickets gives their new payloads).
Answers {org_id, kid, retired_at, tickets_resigned}. For admins of the organization. Errors: PT400 kid outside 1 to
32767; PT404 not a member, or no such key in use; PT403 not an admin; PT409 the current key (detail current_key:
rotate first).$$;
REVOKE ALL ON FUNCTION api.retire_ticket_key(uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.retire_ticket_key(uuid, integer) TO authenticated;


-- Signing. -----------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.ticket_bytes(p_ticket app.tickets)
RETURNS bytea
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  body bytea := '\x01'::bytea
    || pg_catalog.substr(pg_catalog.int4send(p_ticket.kid::integer), 3, 2)
    || pg_catalog.uuid_send(p_ticket.id)
    || pg_catalog.uuid_send(p_ticket.slot_id)
    || pg_catalog.int4send((EXTRACT(epoch FROM p_ticket.valid_from) / 60)::bigint::integer)
    || pg_catalog.int4send((EXTRACT(epoch FROM p_ticket.valid_until) / 60)::bigint::integer);
  secret bytea;
BEGIN
  SELECT k.secret INTO secret FROM app.ticket_keys k WHERE k.org_id = p_ticket.org_id AND k.kid = p_ticket.kid;
  RETURN body || pg_catalog.substr(extensions.hmac(body, secret, 'sha256'), 1, 16);
END
$$;

COMMENT ON FUNCTION private.ticket_bytes(app.tickets) IS
'The 59 signed bytes of a ticket''s payload (layout at the top of db/functions/tickets.sql): version 1, kid, ticket
id, slot id, validity window in minutes since the epoch, and 128 bits of HMAC-SHA256 over them with the key.';

REVOKE ALL ON FUNCTION private.ticket_bytes(app.tickets) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.ticket_payload(p_ticket app.tickets)
RETURNS text
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
BEGIN
  RETURN pg_catalog.translate(
           pg_catalog.rtrim(pg_catalog.encode(private.ticket_bytes(p_ticket), 'base64'), '='), E'+/\n', '-_');
END
$$;

COMMENT ON FUNCTION private.ticket_payload(app.tickets) IS
'A ticket''s QR payload: its signed bytes in base64url without padding (79 characters).';

REVOKE ALL ON FUNCTION private.ticket_payload(app.tickets) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.ticket_payload_decode(p_payload text)
RETURNS bytea
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
BEGIN
  IF p_payload !~ '^[A-Za-z0-9_-]{79}$' THEN
    RETURN NULL;
  END IF;
  RETURN pg_catalog.decode(pg_catalog.translate(p_payload, '-_', '+/') || '=', 'base64');
END
$$;

COMMENT ON FUNCTION private.ticket_payload_decode(text) IS
'The 59 bytes a payload carries, or NULL when it is not 79 characters of base64url.';

REVOKE ALL ON FUNCTION private.ticket_payload_decode(text) FROM PUBLIC;


-- Issue and revoke, whichever path moves the booking. -------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.issue_tickets(p_booking app.bookings)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  issued integer;
  venue uuid;
  kid smallint := private.ticket_key(p_booking.org_id);
BEGIN
  SELECT e.venue_id INTO venue FROM app.experiences e WHERE e.id = p_booking.experience_id;
  -- Doors open two hours before the start; a ticket lets in until the session ends. Whole minutes, as signed.
  INSERT INTO app.tickets (org_id, booking_id, slot_id, venue_id, seat_no, ticket_type_id, valid_from,
                           valid_until, kid)
  SELECT p_booking.org_id, p_booking.id, p_booking.slot_id, venue, s.seat, t.ticket_type_id,
         pg_catalog.date_trunc('minute', p_booking.starts_at - interval '2 hours'),
         pg_catalog.date_trunc('minute', p_booking.ends_at + interval '59 seconds'), kid
    FROM pg_catalog.generate_series(1, p_booking.party_size) AS s(seat)
    LEFT JOIN (SELECT pg_catalog.row_number() OVER (ORDER BY bt.ticket_type_id, g) AS seat, bt.ticket_type_id
                 FROM app.booking_tickets bt, pg_catalog.generate_series(1, bt.quantity) AS g
                WHERE bt.booking_id = p_booking.id) t ON t.seat = s.seat
  ON CONFLICT (booking_id, seat_no, org_id) WHERE status = 'valid' DO NOTHING;
  GET DIAGNOSTICS issued = ROW_COUNT;
  RETURN issued;
END
$$;

COMMENT ON FUNCTION private.issue_tickets(app.bookings) IS
'Issues the missing valid tickets of a confirmed booking: one per attendee place (party_size; a ticketed booking''s
seats take its ticket types in order), valid from two hours before the start until the end, signed with the
organization''s current key. Returns how many it issued; issuing again issues none.';

REVOKE ALL ON FUNCTION private.issue_tickets(app.bookings) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.bookings_tickets()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.status IN ('cancelled', 'rejected', 'expired')
     AND OLD.status NOT IN ('cancelled', 'rejected', 'expired') THEN
    UPDATE app.tickets t SET status = 'revoked', revoked_at = pg_catalog.now()
     WHERE t.org_id = NEW.org_id AND t.booking_id = NEW.id AND t.status = 'valid';
  ELSIF NEW.status = 'confirmed' AND TG_OP = 'UPDATE' AND OLD.status = 'confirmed'
        AND (OLD.slot_id, OLD.starts_at, OLD.ends_at, OLD.party_size)
            IS DISTINCT FROM (NEW.slot_id, NEW.starts_at, NEW.ends_at, NEW.party_size) THEN
    -- Rescheduled: the old tickets name the old session, so they go and new ones come.
    UPDATE app.tickets t SET status = 'revoked', revoked_at = pg_catalog.now()
     WHERE t.org_id = NEW.org_id AND t.booking_id = NEW.id AND t.status = 'valid';
    PERFORM private.issue_tickets(NEW);
  ELSIF NEW.status = 'confirmed' AND (TG_OP = 'INSERT' OR OLD.status <> 'confirmed') THEN
    PERFORM private.issue_tickets(NEW);
  END IF;
  RETURN NULL;
END
$$;

COMMENT ON FUNCTION private.bookings_tickets() IS
'Trigger: a booking that becomes confirmed (any path) gets its tickets; one that becomes cancelled, rejected or
expired has them revoked; a confirmed booking moved to another session has them revoked and issued anew.';

REVOKE ALL ON FUNCTION private.bookings_tickets() FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.booking_tickets_types()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  -- A booking confirmed at once gets its tickets before its lines exist: each line names the next untyped seats.
  UPDATE app.tickets t SET ticket_type_id = NEW.ticket_type_id
   WHERE t.org_id = NEW.org_id
     AND t.id IN (SELECT u.id FROM app.tickets u
                   WHERE u.org_id = NEW.org_id AND u.booking_id = NEW.booking_id AND u.status = 'valid'
                     AND u.ticket_type_id IS NULL
                   ORDER BY u.seat_no LIMIT NEW.quantity);
  RETURN NULL;
END
$$;

COMMENT ON FUNCTION private.booking_tickets_types() IS
'Trigger: a ticketed booking''s line, added after its booking was confirmed, gives its ticket type to the next
seats that have none.';

REVOKE ALL ON FUNCTION private.booking_tickets_types() FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.tickets_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  IF (NEW.id, NEW.org_id, NEW.booking_id, NEW.slot_id, NEW.venue_id, NEW.seat_no, NEW.valid_from, NEW.valid_until,
      NEW.created_at)
     IS DISTINCT FROM (OLD.id, OLD.org_id, OLD.booking_id, OLD.slot_id, OLD.venue_id, OLD.seat_no, OLD.valid_from,
                       OLD.valid_until, OLD.created_at)
     OR (OLD.ticket_type_id IS NOT NULL AND NEW.ticket_type_id IS DISTINCT FROM OLD.ticket_type_id) THEN
    RAISE EXCEPTION 'a ticket keeps what it was issued for' USING ERRCODE = 'PT409', DETAIL = 'illegal_transition';
  END IF;
  IF OLD.status = 'revoked' AND (NEW.status, NEW.revoked_at, NEW.kid) IS DISTINCT FROM (OLD.status, OLD.revoked_at, OLD.kid)
  THEN
    RAISE EXCEPTION 'a revoked ticket stays revoked' USING ERRCODE = 'PT409', DETAIL = 'illegal_transition';
  END IF;
  RETURN NEW;
END
$$;

COMMENT ON FUNCTION private.tickets_guard() IS
'Trigger: a ticket keeps its booking, session, venue, seat and window, and its ticket type once set; status moves
valid -> revoked only, and a revoked ticket never changes again (else PT409).';

REVOKE ALL ON FUNCTION private.tickets_guard() FROM PUBLIC;


CREATE OR REPLACE TRIGGER bookings_tickets
  AFTER INSERT OR UPDATE ON app.bookings FOR EACH ROW EXECUTE FUNCTION private.bookings_tickets();
CREATE OR REPLACE TRIGGER booking_tickets_types
  AFTER INSERT ON app.booking_tickets FOR EACH ROW EXECUTE FUNCTION private.booking_tickets_types();
CREATE OR REPLACE TRIGGER tickets_guard
  BEFORE UPDATE ON app.tickets FOR EACH ROW EXECUTE FUNCTION private.tickets_guard();


-- Customers fetch their tickets. -----------------------------------------------------------------------------------
-- A confirmation code and an e-mail together are a customer's capability (get_tickets here; get_waiver and
-- sign_waiver in waivers.sql): failed pairs are counted per code and per e-mail in one table, whichever function
-- was guessing, and after ten in a clock hour every lookup of that code or e-mail is refused until the hour ends.
CREATE OR REPLACE FUNCTION private.lookup_subjects(p_code text, p_email text)
RETURNS text[]
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
DECLARE
  subjects text[] := ARRAY['code ' || pg_catalog.upper(pg_catalog.btrim(p_code)),
                           'email ' || pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(
                                         pg_catalog.lower(pg_catalog.btrim(p_email)), 'UTF8')), 'hex')];
BEGIN
  IF p_code IS NULL OR p_email IS NULL THEN
    RAISE EXCEPTION 'confirmation_code and email are required' USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  -- The limit counts failures whatever the pair, so it answers the same for codes that exist and codes that do not.
  IF EXISTS (SELECT FROM app.ticket_lookup_failures f
              WHERE f.subject = ANY (subjects) AND f.hour = pg_catalog.date_trunc('hour', pg_catalog.now())
                AND f.failures >= 10) THEN
    RAISE EXCEPTION 'too many failed attempts for this booking or e-mail: try again in an hour'
      USING ERRCODE = 'PT429', DETAIL = 'rate_limited',
            HINT = 'check the confirmation code and e-mail in your booking confirmation';
  END IF;
  RETURN subjects;
END
$$;

COMMENT ON FUNCTION private.lookup_subjects(text, text) IS
'The rate limit''s subjects of a confirmation code and e-mail pair (''code <code>'', ''email <sha-256 hex>''), or
PT400 when either is missing, or PT429 (detail rate_limited) when either failed ten times this clock hour. For the
definers that look a booking up by the pair; lookup_failed counts a miss.';

REVOKE ALL ON FUNCTION private.lookup_subjects(text, text) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.lookup_failed(p_subjects text[])
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  this_hour timestamptz := pg_catalog.date_trunc('hour', pg_catalog.now());
BEGIN
  INSERT INTO app.ticket_lookup_failures AS f (subject, hour)
  SELECT s, this_hour FROM pg_catalog.unnest(p_subjects) s
  ON CONFLICT (subject, hour) DO UPDATE SET failures = f.failures + 1;
  IF pg_catalog.random() < 0.01 THEN
    DELETE FROM app.ticket_lookup_failures f WHERE f.hour < pg_catalog.now() - interval '1 day';
  END IF;
  PERFORM pg_catalog.set_config('response.status', '404', true);
  RETURN pg_catalog.jsonb_build_object(
    'code', 'PT404', 'message', 'booking not found: check the confirmation code and e-mail', 'details', NULL,
    'hint', NULL);
END
$$;

COMMENT ON FUNCTION private.lookup_failed(text[]) IS
'Counts a failed lookup for its subjects (private.lookup_subjects) and returns the not-found answer with
response.status 404: answered, not raised, since an error would roll back the count the limit reads.';

REVOKE ALL ON FUNCTION private.lookup_failed(text[]) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.get_tickets(p_code text, p_email text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  subjects text[] := private.lookup_subjects(p_code, p_email);
  answer jsonb;
BEGIN
  SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
           'booking_id', b.id, 'confirmation_code', b.confirmation_code, 'status', b.status,
           'experience', e.name, 'venue', v.name, 'venue_timezone', v.timezone,
           'starts_at', b.starts_at, 'ends_at', b.ends_at, 'party_size', b.party_size,
           'tickets', coalesce((
             SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                      'id', t.id, 'seat_no', t.seat_no, 'ticket_type', tt.name, 'status', t.status,
                      'valid_from', t.valid_from, 'valid_until', t.valid_until,
                      'payload', CASE WHEN t.status = 'valid' THEN private.ticket_payload(t) END)
                    ORDER BY t.status DESC, t.seat_no, t.created_at)
               FROM app.tickets t LEFT JOIN app.ticket_types tt ON tt.org_id = t.org_id AND tt.id = t.ticket_type_id
              WHERE t.org_id = b.org_id AND t.booking_id = b.id), '[]'::jsonb))
         ORDER BY b.starts_at)
    INTO answer
    FROM app.bookings b
    JOIN app.customers c ON c.org_id = b.org_id AND c.id = b.customer_id
    JOIN app.experiences e ON e.org_id = b.org_id AND e.id = b.experience_id
    JOIN app.venues v ON v.org_id = e.org_id AND v.id = e.venue_id
   WHERE b.confirmation_code = pg_catalog.upper(pg_catalog.btrim(p_code))
     AND c.email_key = pg_catalog.lower(pg_catalog.btrim(p_email));
  IF answer IS NOT NULL THEN
    RETURN answer;
  END IF;
  RETURN private.lookup_failed(subjects);
END
$$;

COMMENT ON FUNCTION private.get_tickets(text, text) IS
'The bookings (in practice one) with this confirmation code whose customer has this e-mail, with their tickets; or
the not-found answer, counted for the rate limit. Its own check: the pair itself.';

REVOKE ALL ON FUNCTION private.get_tickets(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.get_tickets(text, text) TO anon, authenticated;


CREATE OR REPLACE FUNCTION api.get_tickets(confirmation_code text, email text)
RETURNS jsonb LANGUAGE sql VOLATILE SET search_path = ''
AS $$
  SELECT private.get_tickets(private.text_arg('confirmation_code', confirmation_code, 1, 20),
                             private.email_arg('email', email))
$$;
COMMENT ON FUNCTION api.get_tickets(text, text) IS
$$A customer's tickets, without an account: the booking with this confirmation code (any case) booked with this
e-mail (any case), as an array of {booking_id, confirmation_code, status, experience, venue, venue_timezone,
starts_at, ends_at, party_size, tickets: [{id, seat_no, ticket_type, status, valid_from, valid_until, payload}]}
(a pending booking has no tickets yet; a revoked ticket has no payload). The payload is what the QR code carries
(base64url of version, kid, ticket id, slot id, validity window and a 128-bit HMAC-SHA256; README "Tickets and
check-in"); GET /tickets/{id}.png or .svg renders it. For anyone (anon and signed in). Any wrong pair is answered
the same: HTTP 404 with {"code": "PT404", "message": "booking not found: …"} — returned with response.status 404
rather than raised, so that the failure is counted. Rate limit: after 10 failed lookups in a clock hour for a
confirmation code, or for an e-mail, every lookup of that code or e-mail is PT429 (detail rate_limited) until the
hour ends, right pairs included. Errors: PT400 a code over 20 characters, an e-mail that is not one, either
missing; PT429.$$;
REVOKE ALL ON FUNCTION api.get_tickets(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.get_tickets(text, text) TO anon, authenticated;


CREATE OR REPLACE FUNCTION private.ticket_payload_by_id(p_ticket_id uuid)
RETURNS text
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  t app.tickets;
BEGIN
  SELECT * INTO t FROM app.tickets WHERE id = p_ticket_id AND status = 'valid';
  IF NOT FOUND THEN
    RAISE EXCEPTION 'ticket not found' USING ERRCODE = 'PT404';
  END IF;
  RETURN private.ticket_payload(t);
END
$$;

COMMENT ON FUNCTION private.ticket_payload_by_id(uuid) IS
'A valid ticket''s payload by its id, or PT404. Its own check: the random ticket id is the capability.';

REVOKE ALL ON FUNCTION private.ticket_payload_by_id(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.ticket_payload_by_id(uuid) TO anon, authenticated, service_role;


CREATE OR REPLACE FUNCTION api.ticket_payload(ticket_id uuid)
RETURNS text LANGUAGE sql STABLE SET search_path = ''
AS $$ SELECT private.ticket_payload_by_id(ticket_id) $$;
COMMENT ON FUNCTION api.ticket_payload(uuid) IS
$$The QR payload of a valid ticket, by its id, for rendering (the service's GET /tickets/{id}.png and .svg call
it). For anyone: a ticket id is random (122 bits) and reached only through get_tickets or a check-in, so it is the
capability, as a link in the customer's e-mail is; it reveals nothing the payload does not carry. Errors: PT404 an
unknown or revoked ticket.$$;
REVOKE ALL ON FUNCTION api.ticket_payload(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.ticket_payload(uuid) TO anon, authenticated, service_role;


-- At the door. -------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.check_in_answer(p_ticket app.tickets, p_check_in app.check_ins)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  RETURN (SELECT pg_catalog.jsonb_build_object(
           'outcome', 'checked_in', 'ticket_id', p_ticket.id, 'seat_no', p_ticket.seat_no, 'ticket_type', tt.name,
           'checked_in_at', p_check_in.checked_in_at, 'scanner_nonce', p_check_in.scanner_nonce,
           'booking', pg_catalog.jsonb_build_object(
             'id', b.id, 'confirmation_code', b.confirmation_code, 'party_size', b.party_size,
             'customer_name', c.name, 'experience', e.name, 'starts_at', b.starts_at))
    FROM app.bookings b
    JOIN app.customers c ON c.org_id = b.org_id AND c.id = b.customer_id
    JOIN app.experiences e ON e.org_id = b.org_id AND e.id = b.experience_id
    LEFT JOIN app.ticket_types tt ON tt.org_id = b.org_id AND tt.id = p_ticket.ticket_type_id
   WHERE b.org_id = p_ticket.org_id AND b.id = p_ticket.booking_id);
END
$$;

COMMENT ON FUNCTION private.check_in_answer(app.tickets, app.check_ins) IS
'What check_in answers for a ticket let in: built from the check-in row, so a retry gets it again unchanged.';

REVOKE ALL ON FUNCTION private.check_in_answer(app.tickets, app.check_ins) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.check_in(p_payload text, p_nonce text, p_venue_id uuid, p_slot_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  presented bytea := private.ticket_payload_decode(p_payload);
  t app.tickets;
  secret bytea;
  done app.check_ins;
  who text;
  tz text;
BEGIN
  IF p_nonce IS NULL OR p_venue_id IS NULL THEN
    RAISE EXCEPTION 'scanner_nonce and venue_id are required' USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  IF presented IS NOT NULL AND pg_catalog.get_byte(presented, 0) = 1 THEN
    SELECT * INTO t FROM app.tickets
     WHERE id = pg_catalog.encode(pg_catalog.substr(presented, 4, 16), 'hex')::uuid
       AND kid = (pg_catalog.get_byte(presented, 1) << 8) | pg_catalog.get_byte(presented, 2);
    SELECT k.secret INTO secret FROM app.ticket_keys k
     WHERE k.org_id = t.org_id AND k.kid = t.kid AND k.retired_at IS NULL;
  END IF;
  -- Another organization's ticket, an unknown or retired key, a bad MAC, garbage: one answer. The MACs are compared
  -- through another HMAC, so the comparison's timing says nothing about the expected bytes.
  IF secret IS NULL OR NOT t.org_id = ANY (private.org_ids('staff'))
     OR extensions.hmac(presented, secret, 'sha256') <> extensions.hmac(private.ticket_bytes(t), secret, 'sha256')
  THEN
    RAISE EXCEPTION 'this is not a valid ticket' USING ERRCODE = 'PT400', DETAIL = 'forged',
      HINT = 'ask for the ticket from the booking confirmation';
  END IF;

  SELECT * INTO done FROM app.check_ins WHERE ticket_id = t.id;
  IF FOUND AND done.scanner_nonce = p_nonce THEN
    RETURN private.check_in_answer(t, done);  -- the scanner's retry
  END IF;
  IF t.status = 'revoked' THEN
    RAISE EXCEPTION 'this ticket was revoked (its booking was cancelled or moved)' USING ERRCODE = 'PT409',
      DETAIL = 'revoked';
  END IF;
  IF t.venue_id <> p_venue_id THEN
    RAISE EXCEPTION 'this ticket is for another venue' USING ERRCODE = 'PT409', DETAIL = 'wrong_venue';
  END IF;
  IF p_slot_id IS NOT NULL AND t.slot_id <> p_slot_id THEN
    RAISE EXCEPTION 'this ticket is for another session' USING ERRCODE = 'PT409', DETAIL = 'wrong_session';
  END IF;
  SELECT v.timezone INTO tz FROM app.venues v WHERE v.id = t.venue_id;
  IF pg_catalog.now() < t.valid_from OR pg_catalog.now() >= t.valid_until THEN
    RAISE EXCEPTION 'this ticket is valid from % to %',
      pg_catalog.to_char(t.valid_from AT TIME ZONE tz, 'YYYY-MM-DD HH24:MI'),
      pg_catalog.to_char(t.valid_until AT TIME ZONE tz, 'YYYY-MM-DD HH24:MI')
      USING ERRCODE = 'PT409', DETAIL = 'outside_window',
            HINT = CASE WHEN pg_catalog.now() < t.valid_from THEN 'too early' ELSE 'too late' END;
  END IF;

  IF done.ticket_id IS NULL THEN
    PERFORM private.check_in_waiver(t);  -- PT409 waiver_missing, when the experience asks for waivers at the door
    -- Concurrent scans meet in the UNIQUE index: one inserts, the others wait for it and insert nothing.
    INSERT INTO app.check_ins (org_id, ticket_id, scanner_nonce, checked_in_by)
    VALUES (t.org_id, t.id, p_nonce, auth.uid())
    ON CONFLICT (ticket_id, org_id) DO NOTHING
    RETURNING * INTO done;
    IF FOUND THEN
      RETURN private.check_in_answer(t, done);
    END IF;
    SELECT * INTO done FROM app.check_ins WHERE ticket_id = t.id;
    IF done.scanner_nonce = p_nonce THEN
      RETURN private.check_in_answer(t, done);
    END IF;
  END IF;
  SELECT coalesce(p.display_name, u.email, 'a staff member') INTO who
    FROM auth.users u LEFT JOIN app.profiles p ON p.user_id = u.id
   WHERE u.id = done.checked_in_by;
  RAISE EXCEPTION 'already checked in at % by %',
    pg_catalog.to_char(done.checked_in_at AT TIME ZONE tz, 'HH24:MI "on" YYYY-MM-DD'), coalesce(who, 'a staff member')
    USING ERRCODE = 'PT409', DETAIL = 'already_checked_in';
END
$$;

COMMENT ON FUNCTION private.check_in(text, text, uuid, uuid) IS
'Verifies a presented payload and lets its ticket in once (its own check: the caller is staff of the ticket''s
organization; for anyone else the ticket looks forged).';

REVOKE ALL ON FUNCTION private.check_in(text, text, uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.check_in(text, text, uuid, uuid) TO authenticated;


-- PL/pgSQL, as every call on the door's hot path: planned once per session, where SQL with SET is planned each call.
CREATE OR REPLACE FUNCTION api.check_in(payload text, scanner_nonce text, venue_id uuid, slot_id uuid DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql VOLATILE SET search_path = ''
AS $$
BEGIN
  RETURN private.check_in(private.text_arg('payload', payload, 1, 200),
                          private.text_arg('scanner_nonce', scanner_nonce, 1, 200), venue_id, slot_id);
END
$$;
COMMENT ON FUNCTION api.check_in(text, text, uuid, uuid) IS
$$Scans a ticket at the door of venue_id (and, when given, session slot_id): verifies the payload's signature and
lets the ticket in once, answering {outcome: "checked_in", ticket_id, seat_no, ticket_type, checked_in_at,
scanner_nonce, booking: {id, confirmation_code, party_size, customer_name, experience, starts_at}}. scanner_nonce
(1 to 200 characters) is the scanner's id for this scan: a retry with it gets the same answer. For staff of the
ticket's organization. Errors, each with its DETAIL: PT400 forged (not a ticket: malformed, bad signature, unknown
or retired key, or another organization's ticket); PT409 revoked (booking cancelled, rejected, expired or
rescheduled); PT409 wrong_venue; PT409 wrong_session; PT409 outside_window (hint too early / too late; valid from two
hours before the start to the end); PT409 waiver_missing (the experience requires waivers at check-in and the
booking has no more signatures than tickets already let in); PT409 already_checked_in ("already checked in at 19:04 on 2026-12-12 by Sam",
venue-local time, staff display name; nothing is written); PT400 a payload or nonce missing or over 200 characters,
or no venue_id.$$;
REVOKE ALL ON FUNCTION api.check_in(text, text, uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.check_in(text, text, uuid, uuid) TO authenticated;
