-- Functions of the `notifications` area: writing messages to the outbox in the transaction of what they announce,
-- and finding the template a message is rendered with.

-- The outbox's writer gained its channel, locale, due time and recipients as defaulted arguments.
DROP FUNCTION IF EXISTS private.enqueue_notification(uuid, text, text, jsonb, text);

CREATE OR REPLACE FUNCTION private.enqueue_notification(p_org_id uuid, p_kind text, p_recipient text, p_data jsonb,
                                                        p_dedupe_key text, p_channel text DEFAULT 'email',
                                                        p_locale text DEFAULT NULL, p_due_at timestamptz DEFAULT NULL,
                                                        p_user_id uuid DEFAULT NULL, p_customer_id uuid DEFAULT NULL)
RETURNS uuid
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
-- PL/pgSQL, not SQL, for its plan: a SQL function's INSERT is planned again at every call, which was most of what a
-- booking's confirmation paid for its messages.
DECLARE
  made uuid;
BEGIN
  -- The key makes a retried transaction or a repeated event write the message once; the kind (its foreign key
  -- refuses an unknown one) decides whether it is transactional or marketing; the organization's locale is the
  -- default language.
  INSERT INTO app.notifications_outbox (org_id, kind, recipient, channel, template, locale, data, dedupe_key,
                                        category, due_at, next_attempt_at, user_id, customer_id)
  VALUES (p_org_id, p_kind, p_recipient, p_channel, p_kind,
          coalesce(p_locale, (SELECT s.locale FROM app.org_settings s WHERE s.org_id = p_org_id), 'en'),
          coalesce(p_data, '{}'), p_dedupe_key,
          coalesce((SELECT k.category FROM app.notification_kinds k WHERE k.kind = p_kind), 'transactional'),
          coalesce(p_due_at, pg_catalog.now()), coalesce(p_due_at, pg_catalog.now()), p_user_id, p_customer_id)
  ON CONFLICT (dedupe_key, org_id) DO NOTHING
  RETURNING id INTO made;
  RETURN made;
END
$$;

COMMENT ON FUNCTION private.enqueue_notification(uuid, text, text, jsonb, text, text, text, timestamptz, uuid, uuid) IS
'Queues one message of kind p_kind (one of app.notification_kinds: booking_confirmed, payment_received, invitation,
…) on p_channel (email, sms, in_app; in_app needs p_user_id) to p_recipient with its data, in p_locale (default: the
organization''s), due at p_due_at (default now), once per p_dedupe_key: a second call with the key writes nothing and
answers NULL, the first answers the message''s id. For definer functions and triggers of the areas that announce
things, in their transaction; nobody else may call it.';

REVOKE ALL ON FUNCTION private.enqueue_notification(uuid, text, text, jsonb, text, text, text, timestamptz, uuid, uuid)
  FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.booking_message(p_booking app.bookings)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
-- PL/pgSQL for its plan, kept by the session: a SQL function called by a trigger is planned again in every
-- transaction, which cost a booking's confirmation 0.3 ms, more than the outbox row it fills.
BEGIN
  -- The shape of app.notification_kinds.sample_data for the booking kinds: what every message about a booking
  -- carries, the kinds adding their own object beside it. Dates are shown in the venue's zone.
  RETURN (SELECT pg_catalog.jsonb_build_object(
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
    JOIN app.venues v ON v.org_id = e.org_id AND v.id = e.venue_id
    JOIN app.organizations o ON o.id = e.org_id
    LEFT JOIN app.customers c ON c.org_id = p_booking.org_id AND c.id = p_booking.customer_id
   WHERE e.org_id = p_booking.org_id AND e.id = p_booking.experience_id);
END
$$;

COMMENT ON FUNCTION private.booking_message(app.bookings) IS
'The data every message about booking p_booking carries: {timezone (the venue''s), currency, booking {id, code,
starts_at, ends_at, party_size, status, price_minor}, experience {id, name}, venue {id, name, timezone, address},
customer {id, name, email}, org {id, name}}, as the booking kinds'' sample data shows it. For the definers and
triggers that queue such messages.';

REVOKE ALL ON FUNCTION private.booking_message(app.bookings) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.message_template(p_org_id uuid, p_kind text, p_channel text, p_locale text)
RETURNS TABLE (subject text, html text, body text, locale text, overridden boolean)
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  -- The language first: the exact locale over its language (ar-SA falls back to ar) over English; within one, the
  -- organization's own template over Tessera's default. A kind with no template at all answers no row.
  WITH wanted (loc, rank) AS (
    VALUES (p_locale, 1), (split_part(p_locale, '-', 1), 2), ('en', 3)
  ), candidates AS (
    SELECT t.subject, t.html, t.body, t.locale, true AS overridden, 2 * w.rank AS rank
      FROM app.notification_templates t JOIN wanted w ON w.loc = t.locale
     WHERE t.org_id = p_org_id AND t.kind = p_kind AND t.channel = p_channel
    UNION ALL
    SELECT d.subject, d.html, d.body, d.locale, false, 2 * w.rank + 1
      FROM app.default_templates d JOIN wanted w ON w.loc = d.locale
     WHERE d.kind = p_kind AND d.channel = p_channel
  )
  SELECT c.subject, c.html, c.body, c.locale, c.overridden FROM candidates c ORDER BY c.rank LIMIT 1
$$;

COMMENT ON FUNCTION private.message_template(uuid, text, text, text) IS
'The template a message of p_kind on p_channel in p_locale is rendered with for organization p_org_id:
the exact locale, else its language, else English; in each, its own override before Tessera''s default. No row when none exists.
For the delivery worker and the template functions.';

REVOKE ALL ON FUNCTION private.message_template(uuid, text, text, text) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.message_wanted(p_message app.notifications_outbox)
RETURNS text
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
  -- Each kind whose message can stop making sense before it goes adds its rule here; a recipient's preferences
  -- are checked where they are kept. A session's reminder and its waiver message are for the booking and start
  -- they were queued for: skipped when the booking is no longer confirmed, its start moved (the new start has a
  -- message of its own) or the session has begun. That is the catch-up rule: a reminder found late (the worker
  -- was down) still goes while its session has not started, and is skipped once it has. A reminder is also
  -- skipped when its booking was confirmed or moved at or after the reminder's time: that message said it all.
  SELECT CASE
           WHEN p_message.kind = 'waitlist_offer' THEN private.waitlist_offer_unwanted(p_message)
           WHEN p_message.kind NOT IN ('session_reminder', 'waiver_missing') THEN NULL
           WHEN b.id IS NULL THEN 'booking_gone'
           WHEN b.status <> 'confirmed' THEN 'booking_' || b.status::text
           WHEN b.starts_at IS DISTINCT FROM (p_message.data -> 'booking' ->> 'starts_at')::timestamptz
             THEN 'session_moved'
           WHEN b.starts_at <= pg_catalog.now() THEN 'session_started'
           WHEN p_message.kind = 'session_reminder' AND EXISTS (
                  SELECT 1 FROM app.notifications_outbox n
                   WHERE n.org_id = p_message.org_id AND n.customer_id = p_message.customer_id
                     AND n.kind IN ('booking_confirmed', 'booking_rescheduled')
                     AND n.data -> 'booking' ->> 'id' = b.id::text
                     AND n.created_at >= p_message.due_at)
             THEN 'told_after_due'
           WHEN p_message.kind = 'waiver_missing' AND (private.waiver_counts(b) ->> 'missing')::integer = 0
             THEN 'waiver_signed'
         END
    FROM (SELECT) AS one
    LEFT JOIN app.bookings b
      ON b.org_id = p_message.org_id
     AND b.id = CASE WHEN p_message.kind IN ('session_reminder', 'waiver_missing')
                     THEN (p_message.data -> 'booking' ->> 'id')::uuid END
$$;

COMMENT ON FUNCTION private.message_wanted(app.notifications_outbox) IS
'NULL when a due message should still go out, else the reason it is skipped instead. A session_reminder or
waiver_missing message is skipped when its booking is gone (booking_gone) or no longer confirmed (booking_cancelled,
booking_completed, booking_no_show, …), when the booking''s start is no longer the one it was queued for
(session_moved: the new start has its own), when the session has started (session_started: a reminder found late
still goes until then, never after), a session_reminder when its customer was told of the booking (confirmed or
rescheduled) at or after the reminder''s time (told_after_due: that message has just said it all), and a
waiver_missing message when every participant has signed
(waiver_signed). A waitlist_offer message is skipped once its offer is no longer open (offer_ended,
private.waitlist_offer_unwanted). Other kinds always go. Asked by the delivery worker for each message it takes, at the moment it
takes it; a definer, since it reads the booking whoever asks.';

REVOKE ALL ON FUNCTION private.message_wanted(app.notifications_outbox) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.message_wanted(app.notifications_outbox) TO service_role;
