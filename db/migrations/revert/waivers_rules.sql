-- Revert tessera:waivers_rules from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop trigger if exists "waiver_signatures_fill" on "app"."waiver_signatures";

drop trigger if exists "waiver_signatures_guard" on "app"."waiver_signatures";

drop trigger if exists "waiver_signatures_no_truncate" on "app"."waiver_signatures";

drop trigger if exists "waiver_versions_guard" on "app"."waiver_versions";

drop policy "waiver_signatures_select" on "app"."waiver_signatures";

drop policy "waiver_templates_insert" on "app"."waiver_templates";

drop policy "waiver_templates_select" on "app"."waiver_templates";

drop policy "waiver_templates_update" on "app"."waiver_templates";

drop policy "waiver_versions_insert" on "app"."waiver_versions";

drop policy "waiver_versions_select" on "app"."waiver_versions";

drop policy "waiver_versions_update" on "app"."waiver_versions";

drop function if exists "api"."archive_waiver_template"(template_id uuid);

drop function if exists "api"."booking_waiver_status"(booking_id uuid);

drop function if exists "api"."create_waiver_template"(org_id uuid, name text, title text, body text);

drop function if exists "api"."create_waiver_version"(template_id uuid, title text, body text);

drop function if exists "api"."get_waiver"(confirmation_code text, email text);

drop function if exists "api"."list_waiver_templates"(org_id uuid, include_archived boolean);

drop function if exists "api"."set_experience_waiver"(experience_id uuid, template_id uuid, required_at_check_in boolean);

drop function if exists "api"."sign_waiver"(confirmation_code text, email text, full_name text, date_of_birth date, signature text, text_sha256 text, guardian_name text, guardian_signature text);

drop function if exists "api"."sign_waiver_at_venue"(booking_id uuid, full_name text, date_of_birth date, signature text, text_sha256 text, guardian_name text, guardian_signature text);

drop function if exists "api"."update_waiver_version"(version_id uuid, changes jsonb);

drop function if exists "private"."birth_date_arg"(p_name text, p_value date);

drop function if exists "private"."booking_by_pair"(p_code text, p_email text);

drop function if exists "private"."booking_waiver_status"(p_booking_id uuid);

drop function if exists "private"."check_in_waiver"(p_ticket app.tickets);

drop function if exists "private"."get_waiver"(p_code text, p_email text);

drop function if exists "private"."lookup_failed"(p_subjects text[]);

drop function if exists "private"."lookup_subjects"(p_code text, p_email text);

drop function if exists "private"."record_signature"(p_booking app.bookings, p_full_name text, p_date_of_birth date, p_signature text, p_text_sha256 text, p_guardian_name text, p_guardian_signature text, p_via text);

drop function if exists "private"."required_text"(p_name text, p_value text);

drop function if exists "private"."set_experience_waiver"(p_experience_id uuid, p_template_id uuid, p_required_at_check_in boolean);

drop function if exists "private"."sign_waiver"(p_code text, p_email text, p_full_name text, p_date_of_birth date, p_signature text, p_text_sha256 text, p_guardian_name text, p_guardian_signature text);

drop function if exists "private"."sign_waiver_at_venue"(p_booking_id uuid, p_full_name text, p_date_of_birth date, p_signature text, p_text_sha256 text, p_guardian_name text, p_guardian_signature text);

drop function if exists "private"."signature_args"(p_full_name text, p_date_of_birth date, p_signature text, p_text_sha256 text);

drop function if exists "private"."staff_booking"(p_booking_id uuid);

drop function if exists "private"."waiver_counts"(p_booking app.bookings);

drop function if exists "private"."waiver_manager"(p_org_id uuid);

drop function if exists "private"."waiver_signatures_fill"();

drop function if exists "private"."waiver_signatures_guard"();

drop function if exists "private"."waiver_signed_versions"(p_org_id uuid);

drop function if exists "private"."waiver_template_answer"(p_template_id uuid);

drop function if exists "private"."waiver_template_users"(p_template_id uuid);

drop function if exists "private"."waiver_version_answer"(p_version app.waiver_versions, p_signed uuid[]);

drop function if exists "private"."waiver_versions_guard"();

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.check_in(p_payload text, p_nonce text, p_venue_id uuid, p_slot_id uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
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
    -- Concurrent scans meet in the UNIQUE index: one inserts, the others wait for it and insert nothing.
    INSERT INTO app.check_ins (org_id, ticket_id, scanner_nonce, checked_in_by)
    VALUES (t.org_id, t.id, p_nonce, auth.uid())
    ON CONFLICT (ticket_id) DO NOTHING
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
$function$
;

CREATE OR REPLACE FUNCTION private.get_tickets(p_code text, p_email text)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  code text := pg_catalog.upper(pg_catalog.btrim(p_code));
  lookup_key text := pg_catalog.lower(pg_catalog.btrim(p_email));
  subjects text[];
  this_hour timestamptz := pg_catalog.date_trunc('hour', pg_catalog.now());
  answer jsonb;
BEGIN
  IF p_code IS NULL OR p_email IS NULL THEN
    RAISE EXCEPTION 'confirmation_code and email are required' USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  subjects := ARRAY['code ' || code,
                    'email ' || pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(lookup_key, 'UTF8')), 'hex')];
  -- The limit counts failures whatever the pair, so it answers the same for codes that exist and codes that do not.
  IF EXISTS (SELECT FROM app.ticket_lookup_failures f
              WHERE f.subject = ANY (subjects) AND f.hour = this_hour AND f.failures >= 10) THEN
    RAISE EXCEPTION 'too many failed attempts for this booking or e-mail: try again in an hour'
      USING ERRCODE = 'PT429', DETAIL = 'rate_limited',
            HINT = 'check the confirmation code and e-mail in your booking confirmation';
  END IF;

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
               FROM app.tickets t LEFT JOIN app.ticket_types tt ON tt.id = t.ticket_type_id
              WHERE t.booking_id = b.id), '[]'::jsonb))
         ORDER BY b.starts_at)
    INTO answer
    FROM app.bookings b
    JOIN app.customers c ON c.id = b.customer_id
    JOIN app.experiences e ON e.id = b.experience_id
    JOIN app.venues v ON v.id = e.venue_id
   WHERE b.confirmation_code = code AND c.email_key = lookup_key;
  IF answer IS NOT NULL THEN
    RETURN answer;
  END IF;

  -- Not found. Answered, not raised: an error would roll back the count the limit reads.
  INSERT INTO app.ticket_lookup_failures AS f (subject, hour)
  SELECT s, this_hour FROM pg_catalog.unnest(subjects) s
  ON CONFLICT (subject, hour) DO UPDATE SET failures = f.failures + 1;
  IF pg_catalog.random() < 0.01 THEN
    DELETE FROM app.ticket_lookup_failures f WHERE f.hour < pg_catalog.now() - interval '1 day';
  END IF;
  PERFORM pg_catalog.set_config('response.status', '404', true);
  RETURN pg_catalog.jsonb_build_object(
    'code', 'PT404', 'message', 'booking not found: check the confirmation code and e-mail', 'details', NULL,
    'hint', NULL);
END
$function$
;
COMMENT ON FUNCTION api.check_in(text,text,uuid,uuid) IS 'Scans a ticket at the door of venue_id (and, when given, session slot_id): verifies the payload''s signature and
lets the ticket in once, answering {outcome: "checked_in", ticket_id, seat_no, ticket_type, checked_in_at,
scanner_nonce, booking: {id, confirmation_code, party_size, customer_name, experience, starts_at}}. scanner_nonce
(1 to 200 characters) is the scanner''s id for this scan: a retry with it gets the same answer. For staff of the
ticket''s organization. Errors, each with its DETAIL: PT400 forged (not a ticket: malformed, bad signature, unknown
or retired key, or another organization''s ticket); PT409 revoked (booking cancelled, rejected, expired or
rescheduled); PT409 wrong_venue; PT409 wrong_session; PT409 outside_window (hint too early / too late; valid from two
hours before the start to the end); PT409 already_checked_in ("already checked in at 19:04 on 2026-12-12 by Sam",
venue-local time, staff display name; nothing is written); PT400 a payload or nonce missing or over 200 characters,
or no venue_id.';
REVOKE ALL ON FUNCTION private.check_in(text,text,uuid,uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.check_in(text,text,uuid,uuid) TO authenticated;
COMMENT ON FUNCTION private.check_in(text,text,uuid,uuid) IS 'Verifies a presented payload and lets its ticket in once (its own check: the caller is staff of the ticket''s
organization; for anyone else the ticket looks forged).';
REVOKE ALL ON FUNCTION private.get_tickets(text,text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION private.get_tickets(text,text) TO anon;
GRANT EXECUTE ON FUNCTION private.get_tickets(text,text) TO authenticated;
COMMENT ON FUNCTION private.get_tickets(text,text) IS 'The bookings (in practice one) with this confirmation code whose customer has this e-mail, with their tickets; or
the not-found answer, counted for the rate limit. Its own check: the pair itself.';

COMMIT;
