-- Functions of the `loyalty` area: points earned on payment, reversed in proportion on refund, redeemed at order
-- time and released when that order does not go ahead. Every change is a ledger row; the balance is one row per
-- customer whose CHECK (balance >= 0) refuses an overdraft in the statement that would make it, so concurrent
-- redemptions serialize on that row and the last one that does not fit fails. Earn, redeem and release happen once
-- per order and a reversal once per refund (unique indexes), so a retried transaction changes nothing.

CREATE OR REPLACE FUNCTION private.loyalty_change(p_org_id uuid, p_customer_id uuid, p_points integer)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  balance integer;
BEGIN
  INSERT INTO app.loyalty_accounts (org_id, customer_id) VALUES (p_org_id, p_customer_id)
  ON CONFLICT (org_id, customer_id) DO NOTHING;
  UPDATE app.loyalty_accounts a SET balance = a.balance + p_points, updated_at = pg_catalog.now()
   WHERE a.org_id = p_org_id AND a.customer_id = p_customer_id
  RETURNING a.balance INTO balance;
  RETURN balance;
END
$$;

COMMENT ON FUNCTION private.loyalty_change(uuid, uuid, integer) IS
'Adds p_points (negative: takes them off) to a customer''s balance, making the account on first use, and returns
the new balance. The balance''s CHECK raises check_violation rather than going below zero. Internal: the loyalty
functions write the ledger row beside it.';

REVOKE ALL ON FUNCTION private.loyalty_change(uuid, uuid, integer) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.loyalty_earn(p_order app.orders)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  per_major integer;
  digits    smallint;
  points    bigint;
  ledger_id uuid;
BEGIN
  SELECT s.loyalty_points_per_major INTO per_major FROM app.org_settings s WHERE s.org_id = p_order.org_id;
  SELECT c.minor_digits INTO digits FROM app.currencies c WHERE c.code = p_order.currency;
  -- Points per whole currency unit, pro rata and rounded down: 25.50 paid at 10 a unit is 255 points.
  points := (p_order.paid_minor * coalesce(per_major, 0)) / (10::bigint ^ coalesce(digits, 2))::bigint;
  IF points <= 0 THEN
    RETURN 0;
  END IF;
  points := least(points, 2147483647);
  INSERT INTO app.loyalty_ledger (org_id, customer_id, order_id, kind, points)
  VALUES (p_order.org_id, p_order.customer_id, p_order.id, 'earn', points::integer)
  ON CONFLICT (order_id, kind, org_id) WHERE kind IN ('earn', 'redeem', 'release') DO NOTHING
  RETURNING id INTO ledger_id;
  IF ledger_id IS NULL THEN
    RETURN 0;  -- earned already
  END IF;
  PERFORM private.loyalty_change(p_order.org_id, p_order.customer_id, points::integer);
  RETURN points::integer;
END
$$;

COMMENT ON FUNCTION private.loyalty_earn(app.orders) IS
'Credits the points a paid order earns: its paid_minor times the organization''s loyalty_points_per_major, divided
by the currency''s minor units (app.currencies.minor_digits), rounded down; once per order. Returns the points
credited (0 when none or already). Internal: called by private.apply_payment.';

REVOKE ALL ON FUNCTION private.loyalty_earn(app.orders) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.loyalty_reverse(p_order app.orders, p_refund app.refunds,
                                                   p_fulfilled_minor bigint, p_refunded_minor bigint)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  earned   integer;
  target   bigint;
  already  bigint;
  due      integer;
  balance  integer;
  taken    integer;
BEGIN
  SELECT l.points INTO earned FROM app.loyalty_ledger l WHERE l.order_id = p_order.id AND l.kind = 'earn';
  IF earned IS NULL OR p_fulfilled_minor <= 0 THEN
    RETURN 0;
  END IF;
  -- Cumulative, so the result does not depend on the order refunds settle in: after every refund the order has
  -- given back floor(earned x refunded / paid) points in all, counting what the balance could not give (shortfall).
  target := (earned::bigint * least(p_refunded_minor, p_fulfilled_minor)) / p_fulfilled_minor;
  SELECT coalesce(pg_catalog.sum(-l.points + l.shortfall), 0) INTO already
    FROM app.loyalty_ledger l WHERE l.order_id = p_order.id AND l.kind = 'reverse';
  due := greatest(target - already, 0)::integer;
  IF due = 0 OR EXISTS (SELECT FROM app.loyalty_ledger l WHERE l.refund_id = p_refund.id) THEN
    RETURN 0;
  END IF;
  PERFORM private.loyalty_change(p_order.org_id, p_order.customer_id, 0);
  SELECT a.balance INTO balance FROM app.loyalty_accounts a
   WHERE a.org_id = p_order.org_id AND a.customer_id = p_order.customer_id FOR UPDATE;
  taken := least(due, balance);
  INSERT INTO app.loyalty_ledger (org_id, customer_id, order_id, refund_id, kind, points, shortfall)
  VALUES (p_order.org_id, p_order.customer_id, p_order.id, p_refund.id, 'reverse', -taken, due - taken);
  IF taken > 0 THEN
    PERFORM private.loyalty_change(p_order.org_id, p_order.customer_id, -taken);
  END IF;
  RETURN taken;
END
$$;

COMMENT ON FUNCTION private.loyalty_reverse(app.orders, app.refunds, bigint, bigint) IS
'Takes back the points of an order in proportion to what has been refunded of what was paid for it (p_refunded_minor
of p_fulfilled_minor): cumulative, so that after each settled refund the order has reversed floor(earned x refunded
/ paid) points in all, whatever order refunds settle in; once per refund. Never below zero: what the balance cannot
give is recorded as the reversal''s shortfall and counted as reversed. Returns the points taken. Internal: called
by private.apply_refund_settlement.';

REVOKE ALL ON FUNCTION private.loyalty_reverse(app.orders, app.refunds, bigint, bigint) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.loyalty_debit(p_org_id uuid, p_customer_id uuid, p_points integer,
                                                 p_order_id uuid)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  done    integer;
  balance integer;
BEGIN
  IF p_points IS NULL OR p_points < 1 THEN
    RAISE EXCEPTION 'redeem_points must be a whole number of at least 1' USING ERRCODE = 'PT400',
      DETAIL = 'out_of_range';
  END IF;
  FOR attempt IN 1..2 LOOP
    SELECT -l.points INTO done FROM app.loyalty_ledger l WHERE l.order_id = p_order_id AND l.kind = 'redeem';
    IF FOUND THEN
      -- The same order asking again (a retry) is answered as the first time; other points for it are a mistake.
      IF done <> p_points THEN
        RAISE EXCEPTION 'this order already redeemed % points', done USING ERRCODE = 'PT409',
          DETAIL = 'points_already_redeemed';
      END IF;
      SELECT a.balance INTO balance FROM app.loyalty_accounts a
       WHERE a.org_id = p_org_id AND a.customer_id = p_customer_id;
      RETURN balance;
    END IF;
    BEGIN
      balance := private.loyalty_change(p_org_id, p_customer_id, -p_points);
      INSERT INTO app.loyalty_ledger (org_id, customer_id, order_id, kind, points)
      VALUES (p_org_id, p_customer_id, p_order_id, 'redeem', -p_points);
      RETURN balance;
    EXCEPTION
      WHEN check_violation THEN
        SELECT a.balance INTO balance FROM app.loyalty_accounts a
         WHERE a.org_id = p_org_id AND a.customer_id = p_customer_id;
        RAISE EXCEPTION 'not enough loyalty points: % asked, % available', p_points, coalesce(balance, 0)
          USING ERRCODE = 'PT409', DETAIL = 'insufficient_points', HINT = 'redeem fewer points';
      WHEN unique_violation THEN
        NULL;  -- a concurrent call for the same order won; answer as it did
    END;
  END LOOP;
  RAISE EXCEPTION 'the points of this order are being redeemed by another request' USING ERRCODE = 'PT503';
END
$$;

COMMENT ON FUNCTION private.loyalty_debit(uuid, uuid, integer, uuid) IS
'Redeems p_points of a customer''s balance for an order (the orders area''s redeem_points at create_order) and
returns the balance left. Once per order: the same call again returns the balance without a second debit; other
points for the same order are PT409 points_already_redeemed. Never below zero: PT409 insufficient_points when the
balance does not cover it, decided by the balance''s CHECK in the statement that debits, so concurrent redemptions
cannot overdraw. PT400 for fewer than 1 point. For the orders area''s definer functions (they check the caller);
nobody else may call it.';

REVOKE ALL ON FUNCTION private.loyalty_debit(uuid, uuid, integer, uuid) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.loyalty_release(p_order_id uuid)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  redeemed app.loyalty_ledger;
  ledger_id uuid;
BEGIN
  SELECT l.* INTO redeemed FROM app.loyalty_ledger l WHERE l.order_id = p_order_id AND l.kind = 'redeem';
  IF NOT FOUND THEN
    RETURN 0;
  END IF;
  INSERT INTO app.loyalty_ledger (org_id, customer_id, order_id, kind, points)
  VALUES (redeemed.org_id, redeemed.customer_id, p_order_id, 'release', -redeemed.points)
  ON CONFLICT (order_id, kind, org_id) WHERE kind IN ('earn', 'redeem', 'release') DO NOTHING
  RETURNING id INTO ledger_id;
  IF ledger_id IS NULL THEN
    RETURN 0;  -- given back already
  END IF;
  PERFORM private.loyalty_change(redeemed.org_id, redeemed.customer_id, -redeemed.points);
  RETURN -redeemed.points;
END
$$;

COMMENT ON FUNCTION private.loyalty_release(uuid) IS
'Gives back the points an order redeemed (its order expired, failed or was cancelled) and returns how many; once:
0 when it redeemed none or they were given back already. For the orders area''s definer functions and triggers;
nobody else may call it.';

REVOKE ALL ON FUNCTION private.loyalty_release(uuid) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.loyalty_balance(p_org_id uuid, p_customer_email text)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  wanted    text := pg_catalog.lower(pg_catalog.btrim(p_customer_email));
  balance   integer;
  settings  app.org_settings;
BEGIN
  IF p_customer_email IS NULL THEN
    RAISE EXCEPTION 'customer_email is required' USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  -- Its own check: staff of the organization, or the signed-in customer asking about their own e-mail.
  IF NOT coalesce(p_org_id = ANY (private.org_ids('staff'))
                  OR (auth.uid() IS NOT NULL AND pg_catalog.lower(pg_catalog.btrim(auth.email())) = wanted), false) THEN
    RAISE EXCEPTION 'no loyalty account found' USING ERRCODE = 'PT404';
  END IF;
  SELECT a.balance INTO balance
    FROM app.customers c JOIN app.loyalty_accounts a ON a.org_id = c.org_id AND a.customer_id = c.id
   WHERE c.org_id = p_org_id AND c.email_key = wanted;
  SELECT s.* INTO settings FROM app.org_settings s WHERE s.org_id = p_org_id;
  RETURN pg_catalog.jsonb_build_object(
    'org_id', p_org_id, 'customer_email', wanted, 'balance', coalesce(balance, 0),
    'point_value_minor', coalesce(settings.loyalty_point_value_minor, 0), 'currency', settings.currency,
    'points_per_major', coalesce(settings.loyalty_points_per_major, 0));
END
$$;

COMMENT ON FUNCTION private.loyalty_balance(uuid, text) IS
'The loyalty balance behind api.get_loyalty_balance. Its own check: staff of the organization, or a signed-in user
whose e-mail is the one asked about; anyone else is PT404.';

REVOKE ALL ON FUNCTION private.loyalty_balance(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.loyalty_balance(uuid, text) TO authenticated;


CREATE OR REPLACE FUNCTION api.get_loyalty_balance(org_id uuid, customer_email text)
RETURNS jsonb
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT private.loyalty_balance(org_id, private.email_arg('customer_email', customer_email))
$$;

COMMENT ON FUNCTION api.get_loyalty_balance(uuid, text) IS
$$A customer's loyalty points with an organization: {"org_id": uuid, "customer_email": text (lower-cased),
"balance": integer points, "point_value_minor": integer (minor units a redeemed point is worth, 0 = no redemption),
"currency": text or null, "points_per_major": integer (earned per whole currency unit paid)}. A customer with no
points (or unknown) has balance 0. For staff of the organization, or a signed-in customer for their own e-mail.
Errors: PT400 customer_email missing or not an address; PT404 anyone else.$$;

REVOKE ALL ON FUNCTION api.get_loyalty_balance(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.get_loyalty_balance(uuid, text) TO authenticated;
