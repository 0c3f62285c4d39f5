-- Deploy tessera:booking_message to pg
-- requires: notification_defaults
--
-- Messages about bookings carry one shape (private.booking_message: the venue's zone, the currency, booking, experience, venue, customer and organization), and the payment, refund and invitation messages carry it too beside their own keys, with the customer they are for

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
  actions  jsonb := '[]';
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
    new_status := CASE WHEN back_net >= paid_net THEN 'refunded' ELSE 'partially_refunded' END;
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

CREATE OR REPLACE FUNCTION private.create_refund(p_order_id uuid, p_payment app.payments, p_amount_minor bigint, p_kind text, p_reason text, p_requested_by uuid, p_provider_refund_id text DEFAULT NULL::text)
 RETURNS app.refunds
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  made app.refunds;
  recipient text;
  customer uuid;
  message jsonb;
BEGIN
  INSERT INTO app.refunds (org_id, order_id, payment_id, amount_minor, currency, reason, kind, provider,
                           provider_refund_id, requested_by)
  VALUES (p_payment.org_id, p_order_id, p_payment.id, p_amount_minor, p_payment.currency, p_reason, p_kind,
          p_payment.provider, p_provider_refund_id, p_requested_by)
  RETURNING * INTO made;
  -- The CHECK on this counter refuses, in this statement, any refund beyond what was paid, whatever runs beside.
  UPDATE app.orders o SET refund_requested_minor = o.refund_requested_minor + p_amount_minor WHERE o.id = p_order_id;
  IF p_kind = 'late_payment' THEN
    SELECT c.email, c.id, private.booking_message(b) INTO recipient, customer, message
      FROM app.orders o JOIN app.customers c ON c.id = o.customer_id JOIN app.bookings b ON b.id = o.booking_id
     WHERE o.id = p_order_id;
    PERFORM private.enqueue_notification(made.org_id, 'late_payment_refund', recipient,
      coalesce(message, '{}') || pg_catalog.jsonb_build_object(
        'order_id', p_order_id, 'refund_id', made.id, 'amount_minor', made.amount_minor, 'currency', made.currency,
        'reason', made.reason),
      'late_payment_refund:' || made.id, p_customer_id => customer);
  END IF;
  IF made.provider = 'offline' OR p_kind = 'external' THEN
    -- Cash is handed back at the desk and a provider's own refund has happened: both are settled now.
    made := private.apply_refund_settlement(made.id, p_provider_refund_id);
  ELSE
    PERFORM pg_catalog.pg_notify('tessera_refunds', made.id::text);
  END IF;
  RETURN made;
END
$function$
;

CREATE OR REPLACE FUNCTION private.invite_member(p_org_id uuid, p_email text, p_role app.member_role)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  actor      app.member_role := private.team_role(p_org_id, 'manager');
  address    text := pg_catalog.lower(pg_catalog.btrim(p_email));
  token      text;
  invitation app.invitations;
BEGIN
  -- A missing role is refused by api.invite_member's enum_arg, like any value not a role.
  IF address IS NULL THEN
    RAISE EXCEPTION 'email is required' USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  PERFORM private.may_grant(actor, p_role);
  IF EXISTS (SELECT FROM app.memberships m JOIN auth.users u ON u.id = m.user_id
              WHERE m.org_id = p_org_id AND pg_catalog.lower(u.email) = address) THEN
    RAISE EXCEPTION 'that person is already a member' USING ERRCODE = 'PT409', DETAIL = 'already_member',
      HINT = 'change their role instead (api.change_member_role)';
  END IF;
  -- Inviting again replaces the open invitation: the earlier link stops working. Invitations of one address
  -- queue here, so that of two at once the second replaces the first instead of colliding with it.
  PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('invitation:' || p_org_id || ':' || address, 0));
  UPDATE app.invitations i SET revoked_at = pg_catalog.now()
   WHERE i.org_id = p_org_id AND i.email = address AND i.accepted_at IS NULL AND i.revoked_at IS NULL;
  IF (SELECT pg_catalog.count(*) FROM app.invitations i
       WHERE i.org_id = p_org_id AND i.accepted_at IS NULL AND i.revoked_at IS NULL
         AND i.expires_at > pg_catalog.now()) >= 200 THEN
    RAISE EXCEPTION 'this organization has 200 open invitations' USING ERRCODE = 'PT409',
      DETAIL = 'too_many_invitations', HINT = 'revoke some (api.revoke_invitation) or wait for them to expire';
  END IF;
  -- 256 random bits, URL-safe; the prefix tells a leaked token for what it is.
  token := 'inv_' || pg_catalog.translate(pg_catalog.encode(extensions.gen_random_bytes(32), 'base64'), '+/=', '-_');
  INSERT INTO app.invitations (org_id, email, role, token_hash, invited_by, expires_at)
  VALUES (p_org_id, address, p_role, pg_catalog.sha256(pg_catalog.convert_to(token, 'UTF8')), auth.uid(),
          pg_catalog.now() + interval '7 days')
  RETURNING * INTO invitation;
  PERFORM private.enqueue_notification(
    p_org_id, 'invitation', address,
    (SELECT pg_catalog.jsonb_build_object(
              'timezone', 'UTC', 'org', pg_catalog.jsonb_build_object('id', o.id, 'name', o.name),
              'invitation_id', invitation.id, 'token', token, 'role', p_role, 'expires_at', invitation.expires_at,
              'organization', o.name,
              'invited_by', (SELECT p.display_name FROM app.profiles p WHERE p.user_id = auth.uid()))
       FROM app.organizations o WHERE o.id = p_org_id),
    'invitation:' || invitation.id);
  RETURN pg_catalog.jsonb_build_object('invitation_id', invitation.id, 'email', address, 'role', p_role,
                                       'expires_at', invitation.expires_at, 'token', token);
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
REVOKE ALL ON FUNCTION private.booking_message(app.bookings) FROM PUBLIC;
COMMENT ON FUNCTION private.booking_message(app.bookings) IS 'The data every message about booking p_booking carries: {timezone (the venue''s), currency, booking {id, code,
starts_at, ends_at, party_size, status, price_minor}, experience {id, name}, venue {id, name, timezone, address},
customer {id, name, email}, org {id, name}}, as the booking kinds'' sample data shows it. For the definers and
triggers that queue such messages.';
REVOKE ALL ON FUNCTION private.create_refund(uuid,app.payments,bigint,text,text,uuid,text) FROM PUBLIC;
COMMENT ON FUNCTION private.create_refund(uuid,app.payments,bigint,text,text,uuid,text) IS 'Records a refund of p_amount_minor from one payment and counts it against the order (PT409-free: the caller checked
the amount; the CHECK orders_refunds_within_paid is the last word). A provider refund waits as requested for the
service (NOTIFY tessera_refunds, payload the refund id); an offline refund and an external one are settled at once.
A late-payment refund queues its late_payment_refund e-mail. Internal.';
REVOKE ALL ON FUNCTION private.invite_member(uuid,text,app.member_role) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.invite_member(uuid,text,app.member_role) TO authenticated;
COMMENT ON FUNCTION private.invite_member(uuid,text,app.member_role) IS 'Invites p_email into p_org_id as p_role for api.invite_member: the token is made here, answered once and queued in
the invitation e-mail; the table keeps its SHA-256. Its own checks: the caller is a manager or above and grants no
role above their own.';

COMMIT;
