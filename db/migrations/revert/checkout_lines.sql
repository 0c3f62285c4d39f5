-- Revert tessera:checkout_lines from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.begin_checkout(p_order_id uuid, p_provider text, p_embed_key text, p_customer_email text)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  o        app.orders;
  booking  app.bookings;
  email    text;
  exp      app.experiences;
  tz       text;
  open_one jsonb;
  lines    jsonb;
BEGIN
  IF p_provider IS NULL THEN
    RAISE EXCEPTION 'provider is required' USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  SELECT x.* INTO o FROM app.orders x WHERE x.id = p_order_id;
  SELECT b.* INTO booking FROM app.bookings b WHERE b.id = o.booking_id;
  -- Its own check, create_order's (private.may_order): staff of the organization; the signed-in customer whose
  -- e-mail the order is for; or the venue's widget (embed key) with that e-mail. Anyone else is told the order
  -- does not exist.
  IF o.id IS NULL OR NOT private.may_order(booking, p_embed_key, p_customer_email) THEN
    RAISE EXCEPTION 'order not found' USING ERRCODE = 'PT404';
  END IF;
  SELECT c.email INTO email FROM app.customers c WHERE c.id = o.customer_id;
  SELECT e.* INTO exp FROM app.experiences e WHERE e.id = booking.experience_id;
  SELECT v.timezone INTO tz FROM app.venues v WHERE v.id = exp.venue_id;
  IF o.status <> 'pending' THEN
    RAISE EXCEPTION 'this order is % and takes no payment', o.status USING ERRCODE = 'PT409',
      DETAIL = 'order_not_pending';
  END IF;
  IF o.expires_at <= pg_catalog.now() THEN
    RAISE EXCEPTION 'the hold on this booking ran out at %', o.expires_at USING ERRCODE = 'PT409',
      DETAIL = 'hold_expired', HINT = 'make a new booking';
  END IF;
  SELECT pg_catalog.jsonb_build_object('provider', c.provider, 'provider_ref', c.provider_ref, 'url', c.url,
                                       'expires_at', c.expires_at)
    INTO open_one FROM app.checkouts c
   WHERE c.order_id = o.id AND c.provider = p_provider AND c.status = 'open'
     AND (c.expires_at IS NULL OR c.expires_at > pg_catalog.now())
   ORDER BY c.created_at DESC LIMIT 1;
  SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
           'kind', l.kind, 'description', l.description, 'ticket_type_id', l.ticket_type_id, 'quantity', l.quantity,
           'unit_price_minor', l.unit_price_minor, 'amount_minor', l.amount_minor, 'vat_minor', l.vat_minor)
           ORDER BY l.line_no), '[]')
    INTO lines FROM app.order_lines l WHERE l.order_id = o.id;
  RETURN pg_catalog.jsonb_build_object(
    'order_id', o.id, 'org_id', o.org_id, 'amount_minor', o.total_minor - o.paid_minor, 'currency', o.currency,
    'description', exp.name || ', ' || pg_catalog.to_char(booking.starts_at AT TIME ZONE tz, 'YYYY-MM-DD HH24:MI'),
    'customer_email', email, 'expires_at', o.expires_at, 'lines', lines, 'open_checkout', open_one);
END
$function$
;
REVOKE ALL ON FUNCTION private.begin_checkout(uuid,text,text,text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION private.begin_checkout(uuid,text,text,text) TO anon;
GRANT EXECUTE ON FUNCTION private.begin_checkout(uuid,text,text,text) TO authenticated;
COMMENT ON FUNCTION private.begin_checkout(uuid,text,text,text) IS 'What the service needs to open a checkout (api.begin_checkout). Its own check, as create_order''s: staff of the
organization, the signed-in customer of the order, or the venue''s embed key with the customer''s e-mail.';

COMMIT;
