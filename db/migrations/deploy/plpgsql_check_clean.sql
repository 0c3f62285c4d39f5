-- Deploy tessera:plpgsql_check_clean to pg
-- requires: booking_message_planned
--
-- Findings of plpgsql_check fixed: typed literals instead of implicit text casts, unused variables gone, record_refund_outcome locks the order with PERFORM

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.apply_payment(p_order_id uuid, p_provider text, p_provider_ref text, p_method text, p_amount_minor bigint, p_currency text, p_recorded_by uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  o        app.orders;
  before   app.order_status;
  pay      app.payments;
  booking  app.bookings;
  why      text;
  actions  jsonb := '[]'::jsonb;
  known    uuid[];
  recipient text;
BEGIN
  o := private.lock_order(p_order_id);
  IF o.id IS NULL THEN
    RETURN private.payment_answer(o, 'no such order', '[]');
  END IF;
  SELECT p.* INTO pay FROM app.payments p
   WHERE p.provider = p_provider AND p.provider_ref = p_provider_ref
     AND (p_provider <> 'offline' OR p.org_id = o.org_id);
  IF FOUND THEN
    RETURN private.payment_answer(o, 'payment already recorded', '[]');
  END IF;
  IF pg_catalog.upper(p_currency) IS DISTINCT FROM o.currency::text OR p_amount_minor IS NULL OR p_amount_minor < 1
     OR p_amount_minor > o.total_minor THEN
    RETURN private.payment_answer(o, pg_catalog.format('not applied: a payment of %s %s does not match the order '
                                                       '(%s %s)', p_amount_minor, p_currency, o.total_minor,
                                                       o.currency), '[]');
  END IF;
  before := o.status;
  INSERT INTO app.payments (org_id, order_id, provider, provider_ref, method, amount_minor, currency, recorded_by)
  VALUES (o.org_id, o.id, p_provider, p_provider_ref, p_method, p_amount_minor, o.currency, p_recorded_by)
  RETURNING * INTO pay;
  UPDATE app.orders x SET paid_minor = x.paid_minor + p_amount_minor WHERE x.id = o.id RETURNING * INTO o;

  IF before IN ('paid', 'partially_refunded', 'refunded') THEN
    why := 'paid twice: the order had been paid already';
  ELSIF before = 'cancelled' THEN
    why := 'paid after the order was cancelled';
  ELSIF o.paid_minor < o.total_minor THEN
    IF before = 'pending' THEN
      PERFORM private.replay_waiting(pay);
      RETURN private.payment_answer(o, pg_catalog.format('part paid: %s of %s', o.paid_minor, o.total_minor), '[]');
    END IF;
    why := 'part paid after the order had ended';
  ELSIF EXISTS (SELECT FROM app.orders x WHERE x.booking_id = o.booking_id AND x.id <> o.id
                   AND x.status IN ('pending', 'paid', 'partially_refunded', 'refunded')) THEN
    why := 'paid for an order the customer had replaced';
  ELSE
    SELECT b.* INTO booking FROM app.bookings b WHERE b.id = o.booking_id;
    IF booking.status IN ('pending', 'expired', 'confirmed', 'completed', 'no_show') THEN
      BEGIN
        UPDATE app.orders x SET status = 'paid' WHERE x.id = o.id RETURNING * INTO o;
        -- A pending booking is confirmed, its hold run out or not (its places still count until someone marks it
        -- expired); an expired one re-takes its places if they are still free: the counters' CHECKs and the
        -- rooms' exclusion constraint decide, in this statement.
        UPDATE app.bookings b SET status = 'confirmed' WHERE b.id = booking.id AND b.status IN ('pending', 'expired');
      EXCEPTION WHEN check_violation OR exclusion_violation THEN
        SELECT x.* INTO o FROM app.orders x WHERE x.id = p_order_id;
        why := 'paid after the hold had ended and its places were taken';
      END;
    ELSE
      why := pg_catalog.format('paid after the booking was %s', booking.status);
    END IF;
  END IF;

  SELECT c.email INTO recipient FROM app.customers c WHERE c.id = o.customer_id;
  IF why IS NULL THEN
    UPDATE app.customers c SET lifetime_value_minor = c.lifetime_value_minor + o.paid_minor,
                               paid_orders = c.paid_orders + 1
     WHERE c.id = o.customer_id;
    PERFORM private.loyalty_earn(o);
    PERFORM private.enqueue_notification(o.org_id, 'payment_received', recipient,
      coalesce((SELECT private.booking_message(b) FROM app.bookings b WHERE b.id = o.booking_id), '{}')
        || pg_catalog.jsonb_build_object('order_id', o.id, 'booking_id', o.booking_id, 'amount_minor', o.paid_minor,
                                         'currency', o.currency, 'provider', p_provider),
      'payment_received:' || o.id, p_customer_id => o.customer_id);
    -- Other payment pages of the order must not take its money a second time.
    SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('kind', 'expire_checkout',
                      'provider', c.provider, 'provider_ref', c.provider_ref) ORDER BY c.created_at), '[]')
      INTO actions FROM app.checkouts c WHERE c.order_id = o.id AND c.status = 'open';
    PERFORM private.replay_waiting(pay);
    RETURN private.payment_answer(o, 'paid', actions);
  END IF;

  -- Money that buys nothing goes back by itself: this payment when the order was paid already, else all of it.
  -- A pending order whose booking has gone ends here (as the booking's own expiry would have ended it), and its
  -- end refunds what was paid (private.orders_refund_on_end); the refunds made now are the service's actions.
  SELECT coalesce(pg_catalog.array_agg(r.id), '{}') INTO known FROM app.refunds r WHERE r.order_id = o.id;
  UPDATE app.orders x SET refund_required = true,
                          status = CASE WHEN x.status = 'pending' THEN 'expired' ELSE x.status END
   WHERE x.id = o.id;
  SELECT x.* INTO o FROM app.orders x WHERE x.id = p_order_id;
  IF before IN ('paid', 'partially_refunded', 'refunded') THEN
    PERFORM private.create_refund(o.id, pay, p_amount_minor, 'late_payment', why, NULL);
  ELSIF o.paid_minor > o.refund_requested_minor THEN
    PERFORM private.refund_order(o.id, o.paid_minor - o.refund_requested_minor, 'late_payment', why, NULL);
  END IF;
  SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('kind', 'refund', 'refund_id', r.id)
                                       ORDER BY r.created_at, r.id), '[]')
    INTO actions FROM app.refunds r
   WHERE r.order_id = o.id AND NOT r.id = ANY (known) AND r.provider <> 'offline' AND r.status = 'requested';
  PERFORM private.replay_waiting(pay);
  RETURN private.payment_answer(o, 'refund required: ' || why, actions);
END
$function$
;

CREATE OR REPLACE FUNCTION private.apply_refund_settlement(p_refund_id uuid, p_provider_refund_id text DEFAULT NULL::text)
 RETURNS app.refunds
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  r          app.refunds;
  o          app.orders;
  fulfilled  boolean;
  paid_net   bigint;
  back_net   bigint;
  new_status app.order_status;
  recipient  text;
BEGIN
  SELECT x.* INTO r FROM app.refunds x WHERE x.id = p_refund_id FOR UPDATE;
  IF r.status = 'succeeded' THEN
    IF r.provider_refund_id IS NULL AND p_provider_refund_id IS NOT NULL THEN
      UPDATE app.refunds x SET provider_refund_id = p_provider_refund_id WHERE x.id = r.id RETURNING * INTO r;
    END IF;
    RETURN r;  -- settled already: nothing moves twice
  END IF;
  SELECT x.* INTO o FROM app.orders x WHERE x.id = r.order_id FOR UPDATE;
  IF r.status = 'failed' THEN
    -- Counted again: it was given back when it was recorded failed.
    UPDATE app.orders x SET refund_requested_minor = x.refund_requested_minor + r.amount_minor WHERE x.id = o.id;
  END IF;
  fulfilled := o.status IN ('paid', 'partially_refunded', 'refunded');
  UPDATE app.refunds x
     SET status = 'succeeded', settled_at = pg_catalog.now(), claimed_until = NULL,
         provider_refund_id = coalesce(x.provider_refund_id, p_provider_refund_id)
   WHERE x.id = r.id RETURNING * INTO r;
  UPDATE app.orders x SET refunded_minor = x.refunded_minor + r.amount_minor WHERE x.id = o.id RETURNING * INTO o;

  IF fulfilled AND r.kind <> 'late_payment' THEN
    -- What the booking was paid with, and what of that has come back (money paid twice is not the order's).
    paid_net := o.paid_minor - private.late_minor(o.id, false);
    back_net := o.refunded_minor - private.late_minor(o.id, true);
    new_status := CASE WHEN back_net >= paid_net THEN 'refunded'::app.order_status
                       ELSE 'partially_refunded'::app.order_status END;
    IF new_status IS DISTINCT FROM o.status THEN
      UPDATE app.orders x SET status = new_status WHERE x.id = o.id RETURNING * INTO o;
      IF new_status = 'refunded' THEN
        UPDATE app.customers c SET paid_orders = greatest(c.paid_orders - 1, 0) WHERE c.id = o.customer_id;
        -- A refund in full ends the booking (its tickets are revoked with it).
        UPDATE app.bookings b SET status = 'cancelled', cancel_reason = 'refunded in full'
         WHERE b.id = o.booking_id AND b.status IN ('pending', 'confirmed');
      END IF;
    END IF;
    UPDATE app.customers c SET lifetime_value_minor = greatest(c.lifetime_value_minor - r.amount_minor, 0)
     WHERE c.id = o.customer_id;
    PERFORM private.loyalty_reverse(o, r, paid_net, back_net);
  ELSIF NOT fulfilled AND o.refunded_minor >= o.paid_minor AND o.status <> 'refunded' THEN
    -- Money for an order that ended without it (a late payment) has all gone back.
    UPDATE app.orders x SET status = 'refunded' WHERE x.id = o.id;
  END IF;
  SELECT c.email INTO recipient FROM app.customers c WHERE c.id = o.customer_id;
  PERFORM private.enqueue_notification(r.org_id, 'refund_issued', recipient,
    coalesce((SELECT private.booking_message(b) FROM app.bookings b WHERE b.id = o.booking_id), '{}')
      || pg_catalog.jsonb_build_object('order_id', o.id, 'refund_id', r.id, 'amount_minor', r.amount_minor,
                                       'currency', r.currency, 'kind', r.kind),
    'refund_issued:' || r.id, p_customer_id => o.customer_id);
  RETURN r;
END
$function$
;

CREATE OR REPLACE FUNCTION private.claim_messages(p_worker text, p_limit integer, p_lease interval, p_channels text[] DEFAULT NULL::text[])
 RETURNS TABLE(id uuid, org_id uuid, kind text, channel text, recipient text, locale text, data jsonb, attempts integer, subject text, html text, body text, template_locale text, timezone text, currency text, org_name text, tickets jsonb, claimed_until timestamp with time zone)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  m app.notifications_outbox;
  reason text;
  taken uuid[] := '{}'::uuid[];
  lease_end timestamptz := pg_catalog.now() + p_lease;
BEGIN
  PERFORM private.require_service_role('take messages to deliver');
  IF p_worker IS NULL OR pg_catalog.length(p_worker) NOT BETWEEN 1 AND 200 THEN
    RAISE EXCEPTION 'worker is a name of 1 to 200 characters' USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
  IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 1000 THEN
    RAISE EXCEPTION 'limit is 1 to 1000 messages' USING ERRCODE = 'PT400', DETAIL = 'out_of_range';
  END IF;
  IF p_lease IS NULL OR p_lease NOT BETWEEN interval '1 second' AND interval '1 hour' THEN
    RAISE EXCEPTION 'lease is 1 second to 1 hour' USING ERRCODE = 'PT400', DETAIL = 'out_of_range';
  END IF;
  -- Expired leases first (their messages waited longest), then due messages oldest first; rows another worker
  -- holds are skipped, never waited for, so concurrent claims never answer one message twice. CTEs run as far
  -- as the limit reads them: the second locks only what the first left room for.
  FOR m IN
    WITH expired AS (
      SELECT o.* FROM app.notifications_outbox o
       WHERE o.status = 'sending' AND o.claimed_until < pg_catalog.now()
         AND (p_channels IS NULL OR o.channel = ANY (p_channels))
       ORDER BY o.claimed_until LIMIT p_limit FOR UPDATE SKIP LOCKED
    ), due AS (
      SELECT o.* FROM app.notifications_outbox o
       WHERE o.status = 'queued' AND o.next_attempt_at <= pg_catalog.now()
         AND (p_channels IS NULL OR o.channel = ANY (p_channels))
       ORDER BY o.next_attempt_at LIMIT p_limit FOR UPDATE SKIP LOCKED
    )
    SELECT x.* FROM (SELECT * FROM expired UNION ALL SELECT * FROM due) x LIMIT p_limit
  LOOP
    IF m.status = 'sending' THEN
      -- The worker holding it stopped answering: its attempt is recorded as lost, and the message goes again
      -- unless that was its last attempt.
      INSERT INTO app.notification_attempts AS a (org_id, message_id, attempt, worker, started_at, outcome, error)
      VALUES (m.org_id, m.id, GREATEST(m.attempts, 1), coalesce(m.claimed_by, 'unknown'),
              LEAST(coalesce(m.claimed_at, m.claimed_until), pg_catalog.now()),
              CASE WHEN m.attempts >= private.message_max_attempts() THEN 'dead' ELSE 'retry' END,
              'the worker''s lease ran out before it reported the outcome')
      ON CONFLICT DO NOTHING;
      IF m.attempts >= private.message_max_attempts() THEN
        UPDATE app.notifications_outbox o
           SET status = 'dead', claimed_until = NULL,
               last_error = 'the worker''s lease ran out on the last attempt'
         WHERE o.id = m.id;
        CONTINUE;
      END IF;
    END IF;
    reason := coalesce(private.message_wanted(m), private.message_refused(m));
    IF reason IS NOT NULL THEN
      UPDATE app.notifications_outbox o
         SET status = 'skipped', claimed_until = NULL, claimed_by = p_worker, claimed_at = pg_catalog.now(),
             attempts = o.attempts + 1, last_error = pg_catalog.left(reason, 2000)
       WHERE o.id = m.id;
      INSERT INTO app.notification_attempts (org_id, message_id, attempt, worker, started_at, outcome, error)
      VALUES (m.org_id, m.id, m.attempts + 1, p_worker, pg_catalog.now(), 'skipped', pg_catalog.left(reason, 2000))
      ON CONFLICT DO NOTHING;
      CONTINUE;
    END IF;
    UPDATE app.notifications_outbox o
       SET status = 'sending', claimed_by = p_worker, claimed_at = pg_catalog.now(), claimed_until = lease_end,
           attempts = o.attempts + 1
     WHERE o.id = m.id;
    taken := taken || m.id;
  END LOOP;

  RETURN QUERY
  SELECT o.id, o.org_id, o.kind, o.channel, o.recipient, o.locale, o.data, o.attempts::integer,
         t.subject, t.html, t.body, t.locale,
         coalesce(nullif(o.data ->> 'timezone', ''), 'UTC'),
         coalesce(nullif(o.data ->> 'currency', ''), s.currency::text),
         g.name,
         CASE WHEN o.kind = 'booking_confirmed' AND o.channel = 'email'
                   AND (o.data -> 'booking' ->> 'id') ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
              THEN coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                                      'id', k.id, 'seat_no', k.seat_no, 'payload', private.ticket_payload(k))
                                    ORDER BY k.seat_no, k.id)
                               FROM app.tickets k
                              WHERE k.org_id = o.org_id AND k.booking_id = (o.data -> 'booking' ->> 'id')::uuid
                                AND k.status = 'valid'), '[]'::jsonb)
              ELSE '[]'::jsonb END,
         o.claimed_until
    FROM app.notifications_outbox o
    JOIN app.organizations g ON g.id = o.org_id
    LEFT JOIN app.org_settings s ON s.org_id = o.org_id
    LEFT JOIN LATERAL private.message_template(o.org_id, o.kind, o.channel, o.locale) t ON true
   WHERE o.id = ANY (taken)
   ORDER BY o.next_attempt_at, o.id;
END
$function$
;

CREATE OR REPLACE FUNCTION private.claim_webhook_deliveries(p_worker text, p_limit integer, p_lease interval)
 RETURNS TABLE(id uuid, org_id uuid, endpoint_id uuid, webhook_id text, event_type text, payload jsonb, url text, secret text, attempts integer, claimed_until timestamp with time zone)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  d app.webhook_deliveries;
  taken uuid[] := '{}'::uuid[];
  lease_end timestamptz := pg_catalog.now() + p_lease;
  lost constant text := 'the worker''s lease ran out before it reported the outcome';
BEGIN
  PERFORM private.require_service_role('take webhooks to deliver');
  IF p_worker IS NULL OR pg_catalog.length(p_worker) NOT BETWEEN 1 AND 200 THEN
    RAISE EXCEPTION 'worker is a name of 1 to 200 characters' USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
  IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 1000 THEN
    RAISE EXCEPTION 'limit is 1 to 1000 deliveries' USING ERRCODE = 'PT400', DETAIL = 'out_of_range';
  END IF;
  IF p_lease IS NULL OR p_lease NOT BETWEEN interval '1 second' AND interval '1 hour' THEN
    RAISE EXCEPTION 'lease is 1 second to 1 hour' USING ERRCODE = 'PT400', DETAIL = 'out_of_range';
  END IF;
  -- As private.claim_messages: expired leases first, then due deliveries oldest first, of enabled endpoints only
  -- (a disabled endpoint's deliveries wait for it), skipping rows another worker holds.
  FOR d IN
    WITH expired AS (
      SELECT x.* FROM app.webhook_deliveries x
        JOIN app.webhook_endpoints w ON w.org_id = x.org_id AND w.id = x.endpoint_id AND w.enabled
       WHERE x.status = 'sending' AND x.claimed_until < pg_catalog.now()
       ORDER BY x.claimed_until LIMIT p_limit FOR UPDATE OF x SKIP LOCKED
    ), due AS (
      SELECT x.* FROM app.webhook_deliveries x
        JOIN app.webhook_endpoints w ON w.org_id = x.org_id AND w.id = x.endpoint_id AND w.enabled
       WHERE x.status = 'queued' AND x.next_attempt_at <= pg_catalog.now()
       ORDER BY x.next_attempt_at LIMIT p_limit FOR UPDATE OF x SKIP LOCKED
    )
    SELECT y.* FROM (SELECT * FROM expired UNION ALL SELECT * FROM due) y LIMIT p_limit
  LOOP
    IF d.status = 'sending' THEN
      INSERT INTO app.webhook_attempts (org_id, delivery_id, attempt, worker, started_at, outcome, error)
      VALUES (d.org_id, d.id, GREATEST(d.attempts, 1), coalesce(d.claimed_by, 'unknown'),
              LEAST(coalesce(d.claimed_at, d.claimed_until), pg_catalog.now()),
              CASE WHEN d.attempts >= private.webhook_max_attempts() THEN 'dead' ELSE 'retry' END, lost)
      ON CONFLICT DO NOTHING;
      IF d.attempts >= private.webhook_max_attempts() THEN
        UPDATE app.webhook_deliveries x SET status = 'dead', claimed_until = NULL, last_error = lost
         WHERE x.id = d.id;
        CONTINUE;
      END IF;
    END IF;
    UPDATE app.webhook_deliveries x
       SET status = 'sending', claimed_by = p_worker, claimed_at = pg_catalog.now(), claimed_until = lease_end,
           attempts = x.attempts + 1
     WHERE x.id = d.id;
    taken := taken || d.id;
  END LOOP;

  RETURN QUERY
  SELECT x.id, x.org_id, x.endpoint_id, x.webhook_id, x.event_type, x.payload, w.url, w.secret,
         x.attempts::integer, x.claimed_until
    FROM app.webhook_deliveries x
    JOIN app.webhook_endpoints w ON w.org_id = x.org_id AND w.id = x.endpoint_id
   WHERE x.id = ANY (taken)
   ORDER BY x.next_attempt_at, x.id;
END
$function$
;

CREATE OR REPLACE FUNCTION private.erase_customer(p_org_id uuid, p_customer_id uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  c app.customers := private.privacy_customer(p_org_id, p_customer_id);
  ids text[];
  erased_email text := 'erased-' || p_customer_id || '@erased.invalid';
  email_hash text;
  personal text[];
  request uuid := pg_catalog.gen_random_uuid();
  n integer;
  counts jsonb := '{}'::jsonb;
BEGIN
  -- One erasure of a person at a time: the record locked and read again, so a second call waiting here sees the
  -- first one's work.
  SELECT x.* INTO c FROM app.customers x WHERE x.id = c.id FOR UPDATE;
  IF c.erased_at IS NOT NULL THEN
    -- Idempotent: a second erasure answers what the first one did.
    SELECT q.summary INTO counts FROM app.customer_requests q
     WHERE q.customer_id = c.id AND q.kind = 'erasure' ORDER BY q.at LIMIT 1;
    RETURN counts;
  END IF;
  ids := private.customer_row_ids(c);
  personal := ARRAY[c.name, c.phone];
  email_hash := pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(c.email_key, 'UTF8')), 'hex');
  PERFORM pg_catalog.set_config('tessera.erasure', 'on', true);

  UPDATE app.customers x
     SET email = erased_email, name = NULL, phone = NULL, marketing_consent = false, marketing_consent_at = NULL,
         marketing_consent_source = NULL, erased_at = pg_catalog.now()
   WHERE x.id = c.id;
  counts := counts || pg_catalog.jsonb_build_object('customers', 1);

  DELETE FROM app.customer_tags t WHERE t.customer_id = c.id;
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('customer_tags', n);
  DELETE FROM app.customer_notes t WHERE t.customer_id = c.id;
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('customer_notes', n);

  -- Bookings keep their counts and money; a widget key's scope and fingerprint carry the address.
  UPDATE app.bookings b
     SET idempotency_scope = CASE WHEN b.idempotency_scope IS NOT NULL
                                  THEN pg_catalog.replace(b.idempotency_scope, c.email_key, erased_email) END,
         request_fingerprint = NULL
   WHERE b.customer_id = c.id AND (b.idempotency_scope IS NOT NULL OR b.request_fingerprint IS NOT NULL);
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('bookings', n);

  UPDATE app.waiver_signatures w
     SET participant_name = '[erased]', date_of_birth = DATE '1900-01-01', signature = '[erased]',
         guardian_name = CASE WHEN w.guardian_name IS NOT NULL THEN '[erased]' END,
         guardian_signature = CASE WHEN w.guardian_signature IS NOT NULL THEN '[erased]' END,
         client_ip = NULL, user_agent = NULL
    FROM app.bookings b
   WHERE b.id = w.booking_id AND b.customer_id = c.id;
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('waiver_signatures', n);

  UPDATE app.leads l
     SET contact_name = '[erased]', email = erased_email, phone = NULL, notes = NULL
   WHERE l.org_id = c.org_id AND pg_catalog.lower(pg_catalog.btrim(l.email)) = c.email_key;
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('leads', n);

  UPDATE app.event_partners p
     SET contact_name = NULL, email = erased_email, phone = NULL
   WHERE p.org_id = c.org_id AND pg_catalog.lower(pg_catalog.btrim(p.email)) = c.email_key;
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('event_partners', n);

  UPDATE app.notifications_outbox x
     SET recipient = erased_email, data = '{"erased": true}'
   WHERE x.org_id = c.org_id AND pg_catalog.lower(pg_catalog.btrim(x.recipient)) = c.email_key;
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('notifications_outbox', n);

  -- Provider events of the person's orders, and any naming the address (a payload the inbox could not match).
  UPDATE app.provider_events e
     SET payload = private.redact_jsonb(e.payload, c.email_key, erased_email, personal)
   WHERE (e.order_id IN (SELECT o.id FROM app.orders o WHERE o.customer_id = c.id)
          OR pg_catalog.strpos(pg_catalog.lower(e.payload::text), c.email_key) > 0)
     AND e.payload IS DISTINCT FROM private.redact_jsonb(e.payload, c.email_key, erased_email, personal);
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('provider_events', n);

  -- The lookup rate limit keeps the address only as its SHA-256; counters about it go.
  DELETE FROM app.ticket_lookup_failures f WHERE f.subject = 'email ' || email_hash;
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('ticket_lookup_failures', n);

  -- The privacy log's row holds the summary and no personal value; then the audit log, rows written by this
  -- erasure included, loses the person's values.
  INSERT INTO app.customer_requests (org_id, id, customer_id, kind, requested_by, summary)
  VALUES (c.org_id, request, c.id, 'erasure', auth.uid(), counts);
  n := private.audit_redact(c.org_id, request, c.email_key, erased_email, personal, ids);
  counts := counts || pg_catalog.jsonb_build_object('audit_log', n);
  -- The full count, for a second call to answer; this last write carries no personal value.
  UPDATE app.customer_requests q SET summary = counts WHERE q.id = request;
  PERFORM pg_catalog.set_config('tessera.erasure', 'off', true);
  RETURN counts;
END
$function$
;

CREATE OR REPLACE FUNCTION private.price_cart(p_items jsonb, p_vat_rate_bp integer, p_prices_include_vat boolean, p_promo_percent integer DEFAULT NULL::integer, p_promo_amount_minor bigint DEFAULT NULL::bigint, p_promo_description text DEFAULT NULL::text, p_loyalty_minor bigint DEFAULT 0, p_loyalty_description text DEFAULT NULL::text)
 RETURNS jsonb
 LANGUAGE plpgsql
 IMMUTABLE PARALLEL SAFE
 SET search_path TO ''
AS $function$
DECLARE
  item      jsonb;
  lines     jsonb := '[]'::jsonb;
  n         integer := 0;
  amount    bigint;
  vat       bigint;
  subtotal  bigint := 0;
  discount  bigint := 0;
  vat_total bigint := 0;
  promo     bigint := 0;
  loyalty   bigint := 0;
BEGIN
  IF p_vat_rate_bp IS NULL OR p_vat_rate_bp NOT BETWEEN 0 AND 10000 OR p_prices_include_vat IS NULL THEN
    RAISE EXCEPTION 'VAT rate must be 0 to 100 %% (0 to 10000 basis points)' USING ERRCODE = 'PT400';
  END IF;
  FOR item IN SELECT i FROM pg_catalog.jsonb_array_elements(coalesce(p_items, '[]')) i LOOP
    IF (item ->> 'quantity')::bigint < 1 OR (item ->> 'unit_price_minor')::bigint < 0 THEN
      RAISE EXCEPTION 'an item has a quantity of at least 1 and a price of at least 0' USING ERRCODE = 'PT400';
    END IF;
    n := n + 1;
    amount := (item ->> 'quantity')::bigint * (item ->> 'unit_price_minor')::bigint;
    vat := private.vat_of(amount, p_vat_rate_bp, p_prices_include_vat);
    subtotal := subtotal + amount;
    vat_total := vat_total + vat;
    lines := lines || pg_catalog.jsonb_build_object(
      'line_no', n, 'kind', 'item', 'description', item ->> 'description',
      'ticket_type_id', item -> 'ticket_type_id', 'price_rule_id', item -> 'price_rule_id',
      'quantity', (item ->> 'quantity')::integer, 'unit_price_minor', (item ->> 'unit_price_minor')::bigint,
      'amount_minor', amount, 'vat_minor', vat);
  END LOOP;
  -- A promo takes off a share of the items (rounded like VAT) or a fixed amount, never more than they cost.
  IF p_promo_percent IS NOT NULL THEN
    promo := LEAST(private.div_round(subtotal::numeric * LEAST(GREATEST(
               p_promo_percent, 0), 100), 100), subtotal);
  ELSIF p_promo_amount_minor IS NOT NULL THEN
    promo := LEAST(GREATEST(p_promo_amount_minor, 0), subtotal);
  END IF;
  IF p_promo_percent IS NOT NULL OR p_promo_amount_minor IS NOT NULL THEN
    n := n + 1;
    discount := discount + promo;
    vat := private.discount_vat(subtotal - discount, vat_total, p_vat_rate_bp, p_prices_include_vat);
    vat_total := vat_total + vat;
    lines := lines || pg_catalog.jsonb_build_object(
      'line_no', n, 'kind', 'promo', 'description', coalesce(p_promo_description, 'Promo code'),
      'ticket_type_id', NULL, 'price_rule_id', NULL, 'quantity', 1, 'unit_price_minor', -promo,
      'amount_minor', -promo, 'vat_minor', vat);
  END IF;
  -- Points pay for what is left after the promo, never more.
  loyalty := LEAST(GREATEST(coalesce(p_loyalty_minor, 0), 0), subtotal - discount);
  IF loyalty > 0 THEN
    n := n + 1;
    discount := discount + loyalty;
    vat := private.discount_vat(subtotal - discount, vat_total, p_vat_rate_bp, p_prices_include_vat);
    vat_total := vat_total + vat;
    lines := lines || pg_catalog.jsonb_build_object(
      'line_no', n, 'kind', 'loyalty', 'description', coalesce(p_loyalty_description, 'Loyalty points'),
      'ticket_type_id', NULL, 'price_rule_id', NULL, 'quantity', 1, 'unit_price_minor', -loyalty,
      'amount_minor', -loyalty, 'vat_minor', vat);
  END IF;
  RETURN pg_catalog.jsonb_build_object(
    'lines', lines, 'subtotal_minor', subtotal, 'discount_minor', discount, 'vat_minor', vat_total,
    'total_minor', subtotal - discount + CASE WHEN p_prices_include_vat THEN 0 ELSE vat_total END,
    'prices_include_vat', p_prices_include_vat, 'vat_rate_bp', p_vat_rate_bp);
END
$function$
;

CREATE OR REPLACE FUNCTION private.price_lines(p_experience app.experiences, p_starts_at timestamp with time zone, p_party_size integer, p_tickets jsonb, p_booked_at timestamp with time zone)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE
 SET search_path TO ''
AS $function$
DECLARE
  exp     app.experiences := p_experience;
  tz      text;
  local_ts timestamp;
  base    bigint;
  places  integer;
  items   jsonb := '[]'::jsonb;
BEGIN
  SELECT v.timezone INTO tz FROM app.venues v WHERE v.id = exp.venue_id;
  local_ts := p_starts_at AT TIME ZONE tz;
  IF exp.kind = 'private_session' THEN
    IF p_party_size IS NULL OR p_party_size NOT BETWEEN exp.min_party AND exp.max_party THEN
      RAISE EXCEPTION 'a party of % cannot book %', p_party_size, exp.name USING ERRCODE = 'PT400',
        HINT = format('parties of %s to %s', exp.min_party, exp.max_party);
    END IF;
    SELECT t.price_minor INTO base FROM app.price_tiers t
     WHERE t.experience_id = exp.id AND p_party_size BETWEEN t.min_party AND t.max_party;
    IF base IS NULL THEN
      RAISE EXCEPTION 'no price is set for a party of %', p_party_size USING ERRCODE = 'PT400';
    END IF;
    -- Per person: the party's size at the person price; per group: one group at the group price.
    items := pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
      'ticket_type_id', NULL, 'base', base,
      'quantity', CASE exp.pricing_mode WHEN 'per_person' THEN p_party_size ELSE 1 END,
      'description', CASE exp.pricing_mode WHEN 'per_person' THEN exp.name
                          ELSE pg_catalog.format('%s, party of %s', exp.name, p_party_size) END));
  ELSE
    IF p_tickets IS NULL OR pg_catalog.jsonb_typeof(p_tickets) <> 'array' OR pg_catalog.jsonb_array_length(p_tickets) = 0
    THEN
      RAISE EXCEPTION 'say which tickets: [{"ticket_type_id": …, "quantity": …}]' USING ERRCODE = 'PT400';
    END IF;
    SELECT pg_catalog.sum(l.quantity),
           pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
             'ticket_type_id', tt.id, 'base', tt.price_minor, 'quantity', l.quantity,
             'description', pg_catalog.format('%s: %s', exp.name, tt.name)) ORDER BY tt.price_minor, tt.name, tt.id)
      INTO places, items
      FROM pg_catalog.jsonb_to_recordset(p_tickets) AS l(ticket_type_id uuid, quantity integer)
      JOIN app.ticket_types tt ON tt.id = l.ticket_type_id AND tt.experience_id = exp.id AND tt.active
     WHERE l.quantity >= 1 AND l.quantity <= tt.per_order_max
       AND (tt.sales_start IS NULL OR tt.sales_start <= p_booked_at)
       AND (tt.sales_end IS NULL OR p_booked_at < tt.sales_end);
    IF places IS NULL OR places <> (SELECT pg_catalog.sum((l ->> 'quantity')::integer)
                                      FROM pg_catalog.jsonb_array_elements(p_tickets) l) THEN
      RAISE EXCEPTION 'some tickets cannot be sold: unknown ticket type, quantity outside 1 to its per-order '
                      'maximum, or outside its sales window' USING ERRCODE = 'PT400';
    END IF;
    IF p_party_size IS NOT NULL AND p_party_size <> places THEN
      RAISE EXCEPTION 'party size % does not match % tickets', p_party_size, places USING ERRCODE = 'PT400';
    END IF;
  END IF;

  -- Each line at the lowest unit price among the rules that apply to it; at its base price when none does.
  SELECT pg_catalog.jsonb_agg(CASE WHEN r.id IS NULL
           THEN pg_catalog.jsonb_build_object('ticket_type_id', i ->> 'ticket_type_id', 'quantity', i -> 'quantity',
                  'unit_price_minor', i -> 'base', 'price_rule_id', NULL, 'description', i ->> 'description')
           ELSE pg_catalog.jsonb_build_object('ticket_type_id', i ->> 'ticket_type_id', 'quantity', i -> 'quantity',
                  'unit_price_minor', r.unit, 'price_rule_id', r.id,
                  'description', pg_catalog.format('%s (%s)', i ->> 'description', r.name)) END ORDER BY i.n)
    INTO items
    FROM pg_catalog.jsonb_array_elements(items) WITH ORDINALITY AS i(i, n)
    LEFT JOIN LATERAL (
      SELECT pr.id, pr.name, u.unit
        FROM app.price_rules pr
       CROSS JOIN LATERAL (SELECT CASE
                 WHEN pr.percent_off IS NOT NULL
                   THEN (i ->> 'base')::bigint - private.div_round((i ->> 'base')::numeric * pr.percent_off, 100)
                 WHEN pr.amount_off_minor IS NOT NULL
                   THEN GREATEST((i ->> 'base')::bigint - pr.amount_off_minor, 0)
                 ELSE pr.replacement_price_minor END AS unit) u
       WHERE pr.org_id = exp.org_id AND pr.experience_id = exp.id AND pr.active
         AND (pr.ticket_type_id IS NULL OR pr.ticket_type_id = (i ->> 'ticket_type_id')::uuid)
         AND CASE pr.kind
               WHEN 'early_bird' THEN (pr.min_lead IS NULL OR p_starts_at - p_booked_at >= pr.min_lead)
                                      AND (pr.booked_before IS NULL OR p_booked_at < pr.booked_before)
               ELSE (pr.weekdays IS NULL OR EXTRACT(isodow FROM local_ts)::smallint = ANY (pr.weekdays))
                    AND (pr.starts_from IS NULL OR local_ts::time >= pr.starts_from)
                    AND (pr.starts_until IS NULL OR local_ts::time < pr.starts_until) END
       ORDER BY u.unit, pr.created_at, pr.id
       LIMIT 1) r ON true;
  RETURN items;
END
$function$
;

CREATE OR REPLACE FUNCTION private.record_refund_outcome(p_refund_id uuid, p_provider_refund_id text, p_failure text)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  r app.refunds;
BEGIN
  PERFORM private.require_service_role('record refunds');
  SELECT x.* INTO r FROM app.refunds x WHERE x.id = p_refund_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'refund not found' USING ERRCODE = 'PT404';
  END IF;
  PERFORM private.lock_order(r.order_id);
  SELECT x.* INTO r FROM app.refunds x WHERE x.id = p_refund_id FOR UPDATE;
  IF p_failure IS NOT NULL THEN
    IF r.status = 'succeeded' THEN
      RAISE EXCEPTION 'this refund has succeeded already' USING ERRCODE = 'PT409', DETAIL = 'refund_settled';
    END IF;
    r := private.fail_refund(r.id, p_failure);
  ELSE
    IF r.status = 'failed' THEN
      RAISE EXCEPTION 'this refund was recorded failed' USING ERRCODE = 'PT409', DETAIL = 'refund_settled';
    END IF;
    IF p_provider_refund_id IS NOT NULL AND r.provider_refund_id IS NOT NULL
       AND r.provider_refund_id <> p_provider_refund_id THEN
      RAISE EXCEPTION 'this refund has another provider refund id' USING ERRCODE = 'PT409',
        DETAIL = 'illegal_transition';
    END IF;
    UPDATE app.refunds x
       SET status = CASE WHEN x.status = 'requested' THEN 'submitted' ELSE x.status END,
           submitted_at = coalesce(x.submitted_at, pg_catalog.now()), claimed_until = NULL,
           provider_refund_id = coalesce(x.provider_refund_id, p_provider_refund_id)
     WHERE x.id = r.id RETURNING * INTO r;
  END IF;
  RETURN private.refund_answer(r);
END
$function$
;

CREATE OR REPLACE FUNCTION private.waiver_signed_versions(p_org_id uuid)
 RETURNS uuid[]
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
BEGIN
  IF NOT p_org_id = ANY (private.org_ids('staff')) THEN
    RETURN '{}'::uuid[];
  END IF;
  RETURN ARRAY(SELECT DISTINCT s.version_id FROM app.waiver_signatures s WHERE s.org_id = p_org_id);
END
$function$
;
REVOKE ALL ON FUNCTION private.apply_payment(uuid,text,text,text,bigint,text,uuid) FROM PUBLIC;
COMMENT ON FUNCTION private.apply_payment(uuid,text,text,text,bigint,text,uuid) IS 'Money landed on an order: the one path for Stripe, Moyasar and offline payments. Records the payment once (the same
provider payment again changes nothing; a currency other than the order''s or more than its total is not applied and
says so), adds it to paid_minor, and once the total is paid: the order becomes paid and its booking confirmed (a
pending booking whatever its hold; an expired one only if its places are still free), the customer''s lifetime
value and paid orders grow, points are earned, payment_received is queued and other open checkouts of the order are
returned to expire. Money that cannot buy the booking (paid twice, after the order was cancelled or replaced, after
the hold ended with the places gone) sets refund_required and becomes late_payment refunds, returned as actions.
Answers {duplicate, ignored, order_id, order_status, outcome, actions}. Internal: for the definer functions of this
area, which checked their caller.';
REVOKE ALL ON FUNCTION private.apply_refund_settlement(uuid,text) FROM PUBLIC;
COMMENT ON FUNCTION private.apply_refund_settlement(uuid,text) IS 'A refund has succeeded: marks it so (keeping the provider''s refund id), adds it to the order''s refunded_minor and
moves the order to partially_refunded or refunded (counting only what paid for the booking: a late-payment refund
leaves a paid order paid, and an ended order that received money late becomes refunded once all of it is back),
reduces the customer''s lifetime value, reverses points in proportion (private.loyalty_reverse), cancels the booking
on a refund in full, and queues the refund_issued e-mail. Idempotent: a settled refund changes nothing. Internal.';
REVOKE ALL ON FUNCTION private.claim_messages(text,integer,interval,text[]) FROM PUBLIC, service_role;
GRANT EXECUTE ON FUNCTION private.claim_messages(text,integer,interval,text[]) TO service_role;
COMMENT ON FUNCTION private.claim_messages(text,integer,interval,text[]) IS 'Takes up to p_limit (1 to 1000) messages for worker p_worker (a name unique to the process, 1 to 200 characters)
for p_lease (1 s to 1 h), of the channels p_channels (NULL: all; a worker takes only what it can deliver): those whose lease ran out (a worker killed mid-send: that attempt is recorded as lost,
and the message is dead if it was the last of its 8), then queued ones due (next_attempt_at passed), oldest first,
skipping rows another worker holds (FOR UPDATE SKIP LOCKED), so concurrent workers never take one message twice.
Each taken message is first judged by private.message_wanted, then by its recipient''s preferences
(private.message_refused): one no longer wanted is skipped with the reason (an
attempt of outcome skipped) and not answered; the rest become sending under the lease with one more attempt. One
row per message to send: id, org_id, kind, channel, recipient, locale, data, attempts (this one included), the
template parts (subject, html, body, template_locale; NULL when the kind has no template), timezone (data.timezone,
else UTC) and currency (data.currency, else the organization''s) to format with, org_name, tickets (for a
booking_confirmed e-mail: [{id, seat_no, payload}] of the live tickets of data.booking.id, the QR payloads; else
[]) and claimed_until. Report each with private.complete_message or private.fail_message. For service_role (or
the database owner without request claims). Errors: PT400 an argument out of range; PT403 anyone else.';
REVOKE ALL ON FUNCTION private.claim_webhook_deliveries(text,integer,interval) FROM PUBLIC, service_role;
GRANT EXECUTE ON FUNCTION private.claim_webhook_deliveries(text,integer,interval) TO service_role;
COMMENT ON FUNCTION private.claim_webhook_deliveries(text,integer,interval) IS 'Takes up to p_limit (1 to 1000) webhook deliveries of enabled endpoints for worker p_worker (1 to 200 characters)
for p_lease (1 s to 1 h): those whose lease ran out (that attempt is recorded as lost, and the delivery is dead if
it was the last of its 12), then queued ones due, oldest first, skipping rows another worker holds (FOR UPDATE SKIP
LOCKED). Each becomes sending under the lease with one more attempt. One row per delivery: id, org_id,
endpoint_id, webhook_id (the webhook-id header), event_type, payload, url, secret (to sign with), attempts (this one
included), claimed_until. Report each with private.complete_webhook_delivery or private.fail_webhook_delivery, or
give it back untried with private.release_webhook_deliveries. For service_role (or the database owner without
request claims). Errors: PT400 an argument out of range; PT403 anyone else.';
REVOKE ALL ON FUNCTION private.erase_customer(uuid,uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.erase_customer(uuid,uuid) TO authenticated;
COMMENT ON FUNCTION private.erase_customer(uuid,uuid) IS 'The body of api.erase_customer: checks the caller (private.privacy_customer) and anonymises the person
everywhere in one transaction, redacting the audit log last (private.audit_redact).';
REVOKE ALL ON FUNCTION private.price_cart(jsonb,integer,boolean,integer,bigint,text,bigint,text) FROM PUBLIC;
COMMENT ON FUNCTION private.price_cart(jsonb,integer,boolean,integer,bigint,text,bigint,text) IS 'The arithmetic of every price, pure: items [{description, quantity, unit_price_minor, ticket_type_id,
price_rule_id}] become lines with amount = quantity x unit price; then an optional promo line (p_promo_percent of
the items, rounded half away from zero, or p_promo_amount_minor, never more than the items) and an optional loyalty
line (p_loyalty_minor, never more than what is left), both negative. Each item''s VAT is computed on the line alone
(private.vat_of: half away from zero to the minor unit; inclusive prices contain it, exclusive ones add it); a
discount line''s VAT is what it takes off (private.discount_vat: the VAT of what remains to pay after it, less the
VAT before it, between minus that and 0). The
answer''s totals are the sums of its lines: subtotal = items, discount = -(promo + loyalty), vat = every line''s VAT,
total = subtotal - discount (+ vat when prices exclude VAT). So the lines always sum to the totals, and the total
is never negative. Agreement of the two VAT modes: for a line of net amount P, exclusive VAT v = round(P x r) and
the inclusive VAT of its gross G = P + v is round(G x r / (1 + r)) = v exactly, for every rate 0 to 100 % (G x r /
(1 + r) lies between P x r and v, and every number there rounds to v); so a cart priced exclusive and the same cart
priced inclusive at each line''s gross (the items, and a fixed discount at its gross) have the same VAT on every line
and the same total, to the minor unit (what remains after a discount is then the gross of what remained net, so
its VAT agrees too).';
REVOKE ALL ON FUNCTION private.price_lines(app.experiences,timestamp with time zone,integer,jsonb,timestamp with time zone) FROM PUBLIC;
COMMENT ON FUNCTION private.price_lines(app.experiences,timestamp with time zone,integer,jsonb,timestamp with time zone) IS 'The one price of a booking, before promo codes, points and VAT, as item lines [{description, ticket_type_id,
quantity, unit_price_minor, price_rule_id}] for private.price_cart: a private session is one line (the party at the
person price of its tier, or one group at the group price), a ticketed event one line per ticket type asked for,
cheapest first (then by name), so a booking''s order lists them as its quote did whatever order they were asked in. A
line''s unit price is its base price, or when price rules of the experience apply (early-bird: booked p_booked_at at
least min_lead before the start and/or before booked_before; time-based: the start''s venue-local ISO weekday and
time of day), the lowest unit price any of them gives (ties: the older rule), whose name the line''s description then
carries. The sum of the amounts is the booking''s price_minor. PT400 as place_booking says: a party outside the
experience''s limits, no price for the party, tickets unknown, outside their per-order maximum or sales window at
p_booked_at, or a party size that does not match them. Runs with its caller''s rights (definers only).';
REVOKE ALL ON FUNCTION private.record_refund_outcome(uuid,text,text) FROM PUBLIC, service_role;
GRANT EXECUTE ON FUNCTION private.record_refund_outcome(uuid,text,text) TO service_role;
COMMENT ON FUNCTION private.record_refund_outcome(uuid,text,text) IS 'Records what the provider answered to a refund the service submitted (api.record_refund_submission,
api.record_refund_failure). Its own check: service_role.';
REVOKE ALL ON FUNCTION private.waiver_signed_versions(uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.waiver_signed_versions(uuid) TO authenticated;
COMMENT ON FUNCTION private.waiver_signed_versions(uuid) IS 'The ids of an organization''s waiver versions that someone signed (those that can no longer change), for its
members; empty for anyone else. Its own check: membership.';

COMMIT;
