-- Functions of the `orders` area: organization money settings, prices and VAT, orders and their lines, promo
-- codes. Amounts are bigint minor units beside their currency; no floats anywhere.

-- Every organization has its settings row from the moment it exists. -------------------------------------------------
CREATE OR REPLACE FUNCTION private.org_settings_create()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  INSERT INTO app.org_settings (org_id) VALUES (NEW.id) ON CONFLICT (org_id) DO NOTHING;
  RETURN NULL;
END
$$;

COMMENT ON FUNCTION private.org_settings_create() IS
'Trigger on app.organizations: a new organization gets its app.org_settings row (currency not chosen, no VAT,
prices include VAT, refund defaults of 48 hours and 0 %). A definer: whoever may create an organization need not
write settings.';

REVOKE ALL ON FUNCTION private.org_settings_create() FROM PUBLIC;

CREATE OR REPLACE TRIGGER organizations_settings
  AFTER INSERT ON app.organizations
  FOR EACH ROW EXECUTE FUNCTION private.org_settings_create();
CREATE OR REPLACE TRIGGER org_settings_touch_updated_at
  BEFORE UPDATE ON app.org_settings
  FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();


-- Order status machine and immutable columns. ----------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.orders_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.status <> 'pending' OR NEW.paid_minor <> 0 OR NEW.refunded_minor <> 0 THEN
      RAISE EXCEPTION 'a new order is pending with nothing paid or refunded' USING ERRCODE = 'PT400';
    END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'an order is never deleted; cancel it instead' USING ERRCODE = 'PT409',
      DETAIL = 'illegal_transition';
  END IF;
  IF (NEW.id, NEW.org_id, NEW.booking_id, NEW.customer_id, NEW.currency, NEW.prices_include_vat, NEW.vat_rate_bp,
      NEW.subtotal_minor, NEW.discount_minor, NEW.vat_minor, NEW.total_minor, NEW.created_by, NEW.created_at)
     IS DISTINCT FROM
     (OLD.id, OLD.org_id, OLD.booking_id, OLD.customer_id, OLD.currency, OLD.prices_include_vat, OLD.vat_rate_bp,
      OLD.subtotal_minor, OLD.discount_minor, OLD.vat_minor, OLD.total_minor, OLD.created_by, OLD.created_at) THEN
    RAISE EXCEPTION 'an order keeps its booking, customer, currency and amounts' USING ERRCODE = 'PT409',
      DETAIL = 'illegal_transition';
  END IF;
  IF NEW.paid_minor < OLD.paid_minor OR NEW.refunded_minor < OLD.refunded_minor THEN
    RAISE EXCEPTION 'money received or refunded on an order is never taken back' USING ERRCODE = 'PT409',
      DETAIL = 'illegal_transition';
  END IF;
  IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
       (OLD.status = 'pending' AND NEW.status IN ('paid', 'failed', 'expired', 'cancelled'))
    OR (OLD.status IN ('failed', 'expired') AND NEW.status = 'paid')
    OR (OLD.status = 'paid' AND NEW.status IN ('partially_refunded', 'refunded'))
    OR (OLD.status = 'partially_refunded' AND NEW.status = 'refunded')
    OR (OLD.status IN ('failed', 'expired', 'cancelled') AND NEW.status = 'refunded' AND NEW.paid_minor > 0)) THEN
    RAISE EXCEPTION 'an order cannot go from % to %', OLD.status, NEW.status
      USING ERRCODE = 'PT409', DETAIL = 'illegal_transition',
            HINT = 'pending -> paid | failed | expired | cancelled; failed | expired -> paid; '
                   'paid -> partially_refunded | refunded; partially_refunded -> refunded; '
                   'failed | expired | cancelled -> refunded once money was received';
  END IF;
  IF NEW.status = 'paid' AND OLD.status IS DISTINCT FROM 'paid' AND NEW.paid_at IS NULL THEN
    NEW.paid_at := pg_catalog.now();
  END IF;
  IF OLD.paid_at IS NOT NULL AND NEW.paid_at IS DISTINCT FROM OLD.paid_at THEN
    RAISE EXCEPTION 'an order keeps the time it was paid' USING ERRCODE = 'PT409', DETAIL = 'illegal_transition';
  END IF;
  RETURN NEW;
END
$$;

COMMENT ON FUNCTION private.orders_guard() IS
'Trigger: a new order is pending with nothing paid; status moves forward only (pending -> paid | failed | expired |
cancelled; failed | expired -> paid, a late payment; paid -> partially_refunded | refunded; partially_refunded ->
refunded; failed | expired | cancelled -> refunded only once money was received), else PT409 illegal_transition;
booking, customer, currency, VAT terms and amounts never change; paid_minor and refunded_minor only grow; paid_at is
set once, when the order first becomes paid; orders are never deleted.';

REVOKE ALL ON FUNCTION private.orders_guard() FROM PUBLIC;

CREATE OR REPLACE TRIGGER orders_guard
  BEFORE INSERT OR UPDATE OR DELETE ON app.orders
  FOR EACH ROW EXECUTE FUNCTION private.orders_guard();
CREATE OR REPLACE TRIGGER orders_touch_updated_at
  BEFORE UPDATE ON app.orders
  FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();


CREATE OR REPLACE FUNCTION private.insert_only()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  RAISE EXCEPTION '% rows are never changed or deleted', TG_TABLE_NAME USING ERRCODE = 'PT409',
    DETAIL = 'illegal_transition';
END
$$;

COMMENT ON FUNCTION private.insert_only() IS
'Trigger for insert-only tables (app.order_lines): any UPDATE, DELETE or TRUNCATE is PT409 illegal_transition.';

REVOKE ALL ON FUNCTION private.insert_only() FROM PUBLIC;

CREATE OR REPLACE TRIGGER order_lines_insert_only
  BEFORE UPDATE OR DELETE ON app.order_lines
  FOR EACH ROW EXECUTE FUNCTION private.insert_only();
CREATE OR REPLACE TRIGGER order_lines_no_truncate
  BEFORE TRUNCATE ON app.order_lines
  FOR EACH STATEMENT EXECUTE FUNCTION private.insert_only();


-- The currency list, for everyone. ---------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.list_currencies()
RETURNS TABLE (code text, minor_digits smallint, name text)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT c.code::text, c.minor_digits, c.name FROM app.currencies c ORDER BY c.code
$$;

COMMENT ON FUNCTION private.list_currencies() IS
'The currency list for api.list_currencies: public facts, so no check; a definer because anon reaches no table.';

REVOKE ALL ON FUNCTION private.list_currencies() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.list_currencies() TO anon, authenticated, service_role;


CREATE OR REPLACE FUNCTION api.list_currencies()
RETURNS TABLE (code text, minor_digits smallint, name text)
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT * FROM private.list_currencies()
$$;

COMMENT ON FUNCTION api.list_currencies() IS
$$The ISO 4217 currencies an organization may sell in, by code, each with the number of digits of its minor unit
(amounts are integers of minor units: 1500 SAR minor units are 15.00 riyals, 1500 JPY are 1,500 yen, 1500 KWD are
1.500 dinars). For everyone, anon included.$$;

REVOKE ALL ON FUNCTION api.list_currencies() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.list_currencies() TO anon, authenticated, service_role;


-- Arguments of this area that the shared helpers do not cover. -----------------------------------------------------
CREATE OR REPLACE FUNCTION private.amount_arg(p_name text, p_value bigint, p_min bigint, p_max bigint)
RETURNS bigint
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
BEGIN
  IF p_value < p_min OR p_value > p_max THEN
    RAISE EXCEPTION '% must be a whole number of minor units from % to %, not %', p_name, p_min, p_max, p_value
      USING ERRCODE = 'PT400', DETAIL = 'out_of_range';
  END IF;
  RETURN p_value;
END
$$;

COMMENT ON FUNCTION private.amount_arg(text, bigint, bigint, bigint) IS
'Returns an api function''s amount argument p_name (minor units) unchanged (NULL too), or raises PT400 (detail
out_of_range) naming it when it is outside p_min to p_max.';

REVOKE ALL ON FUNCTION private.amount_arg(text, bigint, bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.amount_arg(text, bigint, bigint, bigint) TO anon, authenticated, service_role;


CREATE OR REPLACE FUNCTION private.currency_arg(p_name text, p_value text)
RETURNS char(3)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  PERFORM private.text_arg(p_name, p_value, 1, 10);
  IF p_value IS NOT NULL AND NOT EXISTS (SELECT FROM app.currencies c WHERE c.code = pg_catalog.upper(p_value)) THEN
    RAISE EXCEPTION 'unknown currency %: use an ISO 4217 code such as SAR, GBP, EUR', p_value
      USING ERRCODE = 'PT400', DETAIL = 'unknown_currency';
  END IF;
  RETURN pg_catalog.upper(p_value);
END
$$;

COMMENT ON FUNCTION private.currency_arg(text, text) IS
'Returns an api function''s currency argument p_name as its ISO 4217 code in capitals (NULL too), or raises PT400
naming it when it is over 10 characters, or "unknown currency XYZ" (detail unknown_currency) when ISO 4217 has no
such active code. A definer only to read the currency list.';

REVOKE ALL ON FUNCTION private.currency_arg(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.currency_arg(text, text) TO anon, authenticated, service_role;


-- Money arithmetic. -------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.div_round(p_numerator numeric, p_denominator numeric)
RETURNS bigint
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
STRICT
SET search_path = ''
AS $$
  -- Exact: integer division of integers, no decimal approximation of the quotient that could misplace a tie.
  SELECT (pg_catalog.sign(p_numerator) * pg_catalog.div(2 * pg_catalog.abs(p_numerator) + p_denominator,
                                                        2 * p_denominator))::bigint
$$;

COMMENT ON FUNCTION private.div_round(numeric, numeric) IS
'p_numerator / p_denominator (integers, denominator > 0) rounded to a whole number, halves away from zero:
div_round(5, 2) = 3, div_round(-5, 2) = -3, div_round(7, 3) = 2. Exact for any size (numeric arithmetic).';

REVOKE ALL ON FUNCTION private.div_round(numeric, numeric) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.vat_of(p_amount_minor bigint, p_vat_rate_bp integer, p_prices_include_vat boolean)
RETURNS bigint
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
STRICT
SET search_path = ''
AS $$
  SELECT CASE WHEN p_prices_include_vat
              THEN private.div_round(p_amount_minor::numeric * p_vat_rate_bp, 10000 + p_vat_rate_bp)
              ELSE private.div_round(p_amount_minor::numeric * p_vat_rate_bp, 10000) END
$$;

COMMENT ON FUNCTION private.vat_of(bigint, integer, boolean) IS
'The VAT of one line of p_amount_minor at p_vat_rate_bp basis points, rounded half away from zero to the minor
unit: exclusive prices, amount x rate / 10000 (added to the line); inclusive prices, amount x rate / (10000 + rate)
(the part of the line that is tax). Signed like the amount: a discount line''s VAT is negative.';

REVOKE ALL ON FUNCTION private.vat_of(bigint, integer, boolean) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.discount_vat(
  p_remaining_minor    bigint,
  p_vat_so_far_minor   bigint,
  p_vat_rate_bp        integer,
  p_prices_include_vat boolean
)
RETURNS bigint
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
STRICT
SET search_path = ''
AS $$
  -- The VAT of what is left to pay, less the VAT counted so far: never adding VAT, never taking off more than there
  -- is (per-line rounding of many small items can leave less, or more, than the VAT of their sum).
  SELECT LEAST(0, GREATEST(private.vat_of(p_remaining_minor, p_vat_rate_bp, p_prices_include_vat)
                           - p_vat_so_far_minor, -p_vat_so_far_minor))
$$;

COMMENT ON FUNCTION private.discount_vat(bigint, bigint, integer, boolean) IS
'The VAT a discount line takes off: the VAT of what remains to pay after it (p_remaining_minor, rounded like any
line) minus the VAT of the lines before it (p_vat_so_far_minor), kept between minus that VAT and 0. So the
order''s VAT is the VAT of what is paid (or, when per-line rounding of the items left less, theirs), never negative,
and a discount never adds VAT.';

REVOKE ALL ON FUNCTION private.discount_vat(bigint, bigint, integer, boolean) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.price_cart(
  p_items               jsonb,
  p_vat_rate_bp         integer,
  p_prices_include_vat  boolean,
  p_promo_percent       integer DEFAULT NULL,
  p_promo_amount_minor  bigint DEFAULT NULL,
  p_promo_description   text DEFAULT NULL,
  p_loyalty_minor       bigint DEFAULT 0,
  p_loyalty_description text DEFAULT NULL
)
RETURNS jsonb
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
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
$$;

COMMENT ON FUNCTION private.price_cart(jsonb, integer, boolean, integer, bigint, text, bigint, text) IS
$$The arithmetic of every price, pure: items [{description, quantity, unit_price_minor, ticket_type_id,
price_rule_id}] become lines with amount = quantity x unit price; then an optional promo line (p_promo_percent of
the items, rounded half away from zero, or p_promo_amount_minor, never more than the items) and an optional loyalty
line (p_loyalty_minor, never more than what is left), both negative. Each item's VAT is computed on the line alone
(private.vat_of: half away from zero to the minor unit; inclusive prices contain it, exclusive ones add it); a
discount line's VAT is what it takes off (private.discount_vat: the VAT of what remains to pay after it, less the
VAT before it, between minus that and 0). The
answer's totals are the sums of its lines: subtotal = items, discount = -(promo + loyalty), vat = every line's VAT,
total = subtotal - discount (+ vat when prices exclude VAT). So the lines always sum to the totals, and the total
is never negative. Agreement of the two VAT modes: for a line of net amount P, exclusive VAT v = round(P x r) and
the inclusive VAT of its gross G = P + v is round(G x r / (1 + r)) = v exactly, for every rate 0 to 100 % (G x r /
(1 + r) lies between P x r and v, and every number there rounds to v); so a cart priced exclusive and the same cart
priced inclusive at each line's gross (the items, and a fixed discount at its gross) have the same VAT on every line
and the same total, to the minor unit (what remains after a discount is then the gross of what remained net, so
its VAT agrees too).$$;

REVOKE ALL ON FUNCTION private.price_cart(jsonb, integer, boolean, integer, bigint, text, bigint, text) FROM PUBLIC;


-- The one price of a booking: used by place_booking, quote and create_order. -------------------------------------
CREATE OR REPLACE FUNCTION private.price_lines(
  p_experience app.experiences,
  p_starts_at  timestamptz,
  p_party_size integer,
  p_tickets    jsonb,
  p_booked_at  timestamptz
)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
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
      JOIN app.ticket_types tt ON tt.org_id = exp.org_id AND tt.id = l.ticket_type_id AND tt.experience_id = exp.id
                              AND tt.active
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
$$;

COMMENT ON FUNCTION private.price_lines(app.experiences, timestamptz, integer, jsonb, timestamptz) IS
$$The one price of a booking, before promo codes, points and VAT, as item lines [{description, ticket_type_id,
quantity, unit_price_minor, price_rule_id}] for private.price_cart: a private session is one line (the party at the
person price of its tier, or one group at the group price), a ticketed event one line per ticket type asked for,
cheapest first (then by name), so a booking's order lists them as its quote did whatever order they were asked in. A
line's unit price is its base price, or when price rules of the experience apply (early-bird: booked p_booked_at at
least min_lead before the start and/or before booked_before; time-based: the start's venue-local ISO weekday and
time of day), the lowest unit price any of them gives (ties: the older rule), whose name the line's description then
carries. The sum of the amounts is the booking's price_minor. PT400 as place_booking says: a party outside the
experience's limits, no price for the party, tickets unknown, outside their per-order maximum or sales window at
p_booked_at, or a party size that does not match them. Runs with its caller's rights (definers only).$$;

REVOKE ALL ON FUNCTION private.price_lines(app.experiences, timestamptz, integer, jsonb, timestamptz) FROM PUBLIC;


-- Organization settings. -------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.org_settings_answer(s app.org_settings)
RETURNS jsonb
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT pg_catalog.jsonb_build_object(
    'org_id', s.org_id, 'currency', s.currency::text,
    'minor_digits', (SELECT c.minor_digits FROM app.currencies c WHERE c.code = s.currency),
    'vat_rate_bp', s.vat_rate_bp, 'prices_include_vat', s.prices_include_vat, 'vat_number', s.vat_number,
    'loyalty_points_per_major', s.loyalty_points_per_major, 'loyalty_point_value_minor', s.loyalty_point_value_minor,
    'full_refund_before', s.full_refund_before, 'late_refund_percent', s.late_refund_percent,
    'updated_at', s.updated_at)
$$;

COMMENT ON FUNCTION private.org_settings_answer(app.org_settings) IS
'An organization''s settings as get_org_settings and update_org_settings answer them (a JSON object).';

REVOKE ALL ON FUNCTION private.org_settings_answer(app.org_settings) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.get_org_settings(p_org_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  hit app.org_settings;
BEGIN
  SELECT s.* INTO hit FROM app.org_settings s
   WHERE s.org_id = p_org_id AND (s.org_id = ANY (private.org_ids('staff')) OR private.is_super_admin());
  IF NOT FOUND THEN
    RAISE EXCEPTION 'organization not found' USING ERRCODE = 'PT404';
  END IF;
  RETURN private.org_settings_answer(hit);
END
$$;

COMMENT ON FUNCTION private.get_org_settings(uuid) IS
'The settings of an organization the caller is a member of (any role); PT404 otherwise.';

REVOKE ALL ON FUNCTION private.get_org_settings(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.get_org_settings(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.get_org_settings(org_id uuid)
RETURNS jsonb
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT private.get_org_settings(org_id)
$$;

COMMENT ON FUNCTION api.get_org_settings(uuid) IS
$$An organization's money settings, as one object: currency (ISO 4217, null until chosen) and its minor_digits,
vat_rate_bp (basis points: 1500 = 15 %), prices_include_vat, vat_number, loyalty_points_per_major (points earned per
whole currency unit paid; 0 = no loyalty), loyalty_point_value_minor (minor units a redeemed point is worth; 0 = no
redemption), full_refund_before and late_refund_percent (the refund policy of experiences that set none),
updated_at. For members of the organization, any role. Errors: PT404 not a member (or no such organization).$$;

REVOKE ALL ON FUNCTION api.get_org_settings(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.get_org_settings(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION private.update_org_settings(
  p_org_id                    uuid,
  p_currency                  char(3),
  p_vat_rate_bp               integer,
  p_prices_include_vat        boolean,
  p_vat_number                text,
  p_loyalty_points_per_major  integer,
  p_loyalty_point_value_minor integer,
  p_full_refund_before        interval,
  p_late_refund_percent       integer
)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  current app.org_settings;
  other   text;
BEGIN
  IF NOT p_org_id = ANY (private.org_ids('staff')) THEN
    RAISE EXCEPTION 'organization not found' USING ERRCODE = 'PT404';
  END IF;
  IF NOT p_org_id = ANY (private.org_ids('admin')) THEN
    RAISE EXCEPTION 'only an admin or the owner changes the organization''s settings' USING ERRCODE = 'PT403';
  END IF;
  SELECT s.* INTO current FROM app.org_settings s WHERE s.org_id = p_org_id FOR UPDATE;
  IF p_currency IS NOT NULL AND p_currency IS DISTINCT FROM current.currency THEN
    -- Every experience is sold in the organization's currency; the experiences trigger keeps it so afterwards.
    SELECT e.currency INTO other FROM app.experiences e
     WHERE e.org_id = p_org_id AND e.currency <> p_currency ORDER BY e.currency LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'some experiences of this organization are sold in %, not %', other, p_currency
        USING ERRCODE = 'PT409', DETAIL = 'currency_mismatch',
              HINT = 'change those experiences'' currency first, or choose the currency they use';
    END IF;
  END IF;
  UPDATE app.org_settings s
     SET currency = coalesce(p_currency, s.currency),
         vat_rate_bp = coalesce(p_vat_rate_bp, s.vat_rate_bp),
         prices_include_vat = coalesce(p_prices_include_vat, s.prices_include_vat),
         vat_number = CASE WHEN p_vat_number IS NULL THEN s.vat_number
                           ELSE nullif(pg_catalog.btrim(p_vat_number), '') END,
         loyalty_points_per_major = coalesce(p_loyalty_points_per_major, s.loyalty_points_per_major),
         loyalty_point_value_minor = coalesce(p_loyalty_point_value_minor, s.loyalty_point_value_minor),
         full_refund_before = coalesce(p_full_refund_before, s.full_refund_before),
         late_refund_percent = coalesce(p_late_refund_percent, s.late_refund_percent)
   WHERE s.org_id = p_org_id
  RETURNING s.* INTO current;
  RETURN private.org_settings_answer(current);
END
$$;

COMMENT ON FUNCTION private.update_org_settings(uuid, char, integer, boolean, text, integer, integer, interval,
                                                integer) IS
'Changes an organization''s settings for api.update_org_settings (which checked the arguments): NULL keeps a value,
an empty vat_number removes it. Its own checks: PT404 for non-members, PT403 for staff and managers, PT409
(currency_mismatch) for a currency some experience of the organization does not use.';

REVOKE ALL ON FUNCTION private.update_org_settings(uuid, char, integer, boolean, text, integer, integer, interval,
                                                  integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.update_org_settings(uuid, char, integer, boolean, text, integer, integer, interval,
                                                      integer) TO authenticated;


CREATE OR REPLACE FUNCTION api.update_org_settings(
  org_id                    uuid,
  currency                  text DEFAULT NULL,
  vat_rate_bp               integer DEFAULT NULL,
  prices_include_vat        boolean DEFAULT NULL,
  vat_number                text DEFAULT NULL,
  loyalty_points_per_major  integer DEFAULT NULL,
  loyalty_point_value_minor integer DEFAULT NULL,
  full_refund_before        interval DEFAULT NULL,
  late_refund_percent       integer DEFAULT NULL
)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
BEGIN
  IF vat_rate_bp NOT BETWEEN 0 AND 10000 THEN
    RAISE EXCEPTION 'VAT rate must be 0 to 100 %% (0 to 10000 basis points), not % basis points', vat_rate_bp
      USING ERRCODE = 'PT400', DETAIL = 'out_of_range', HINT = 'vat_rate_bp: 1500 is 15 %';
  END IF;
  RETURN private.update_org_settings(
    org_id, private.currency_arg('currency', currency), vat_rate_bp, prices_include_vat,
    private.text_arg('vat_number', vat_number, 0, 50),
    private.count_arg('loyalty_points_per_major', loyalty_points_per_major, 0, 1000000),
    private.count_arg('loyalty_point_value_minor', loyalty_point_value_minor, 0, 1000000),
    private.interval_arg('full_refund_before', full_refund_before, interval '0 minutes', interval '366 days'),
    private.count_arg('late_refund_percent', late_refund_percent, 0, 100));
END
$$;

COMMENT ON FUNCTION api.update_org_settings(uuid, text, integer, boolean, text, integer, integer, interval, integer)
IS $$Changes an organization's money settings and answers them as get_org_settings does. Every argument but org_id
defaults to NULL, which keeps the value; vat_number '' removes it. currency: an ISO 4217 code (any case); once set,
every experience of the organization must use it (and new ones must). vat_rate_bp: 0 to 10000 basis points (1500 =
15 %); prices_include_vat: whether prices shown include VAT (true: VAT is the part of each price that is tax;
false: it is added). loyalty_points_per_major, loyalty_point_value_minor: 0 to 1000000. full_refund_before: 0 to
366 days; late_refund_percent: 0 to 100. For admins and the owner; every change is audited. Errors: PT400 "unknown
currency XYZ", "VAT rate must be 0 to 100 % (0 to 10000 basis points)", or naming the argument out of its range;
PT403 staff and managers; PT404 not a member; PT409 (currency_mismatch) an experience is sold in another currency.$$;

REVOKE ALL ON FUNCTION api.update_org_settings(uuid, text, integer, boolean, text, integer, integer, interval, integer)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.update_org_settings(uuid, text, integer, boolean, text, integer, integer, interval,
                                                  integer) TO authenticated;


CREATE OR REPLACE FUNCTION private.experiences_currency()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  chosen char(3);
BEGIN
  -- A malformed code is the table's CHECK to refuse; a well-formed one must be a currency.
  IF NEW.currency ~ '^[A-Z]{3}$' AND NOT EXISTS (SELECT FROM app.currencies c WHERE c.code = NEW.currency) THEN
    RAISE EXCEPTION 'unknown currency %: use an ISO 4217 code such as SAR, GBP, EUR', NEW.currency
      USING ERRCODE = 'PT400', DETAIL = 'unknown_currency';
  END IF;
  SELECT s.currency INTO chosen FROM app.org_settings s WHERE s.org_id = NEW.org_id;
  IF chosen IS NOT NULL AND NEW.currency IS DISTINCT FROM chosen THEN
    RAISE EXCEPTION 'this organization sells in %, not %', chosen, NEW.currency
      USING ERRCODE = 'PT409', DETAIL = 'currency_mismatch', HINT = 'use the organization''s currency';
  END IF;
  RETURN NEW;
END
$$;

COMMENT ON FUNCTION private.experiences_currency() IS
'Trigger on app.experiences: the currency is an ISO 4217 code (PT400 unknown currency) and, once the organization
has chosen its currency, that one (PT409 currency_mismatch). A definer to read the settings whoever writes.';

REVOKE ALL ON FUNCTION private.experiences_currency() FROM PUBLIC;

CREATE OR REPLACE TRIGGER experiences_currency
  BEFORE INSERT OR UPDATE OF currency, org_id ON app.experiences
  FOR EACH ROW EXECUTE FUNCTION private.experiences_currency();


-- Promo codes. ---------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.promo_check(
  p_org_id        uuid,
  p_code          text,
  p_experience_id uuid,
  p_currency      char(3),
  p_customer_id   uuid,
  p_at            timestamptz
)
RETURNS TABLE (promo app.promo_codes, valid boolean, reason text)
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
DECLARE
  hit app.promo_codes;
BEGIN
  SELECT p.* INTO hit FROM app.promo_codes p
   WHERE p.org_id = p_org_id AND p.code_key = pg_catalog.lower(pg_catalog.btrim(p_code)) AND p.active;
  RETURN QUERY SELECT hit, r IS NULL, r FROM (SELECT CASE
    WHEN hit.id IS NULL THEN 'unknown'
    WHEN hit.valid_from IS NOT NULL AND p_at < hit.valid_from THEN 'not_started'
    WHEN hit.valid_until IS NOT NULL AND p_at >= hit.valid_until THEN 'expired'
    WHEN EXISTS (SELECT FROM app.promo_code_experiences x WHERE x.promo_code_id = hit.id)
         AND NOT EXISTS (SELECT FROM app.promo_code_experiences x
                          WHERE x.promo_code_id = hit.id AND x.experience_id = p_experience_id)
      THEN 'not_for_this_experience'
    WHEN hit.currency IS NOT NULL AND hit.currency <> p_currency THEN 'wrong_currency'
    WHEN hit.max_uses IS NOT NULL AND hit.uses >= hit.max_uses THEN 'used_up'
    WHEN p_customer_id IS NOT NULL AND hit.max_uses_per_customer IS NOT NULL
         AND (SELECT u.uses FROM app.promo_customer_uses u
               WHERE u.promo_code_id = hit.id AND u.customer_id = p_customer_id) >= hit.max_uses_per_customer
      THEN 'customer_limit_reached'
  END AS r) x;
END
$$;

COMMENT ON FUNCTION private.promo_check(uuid, text, uuid, char, uuid, timestamptz) IS
'Whether a promo code (whatever its case) applies to an experience, a currency and, when known, a customer at a
time; reason when not: unknown (or deactivated), not_started, expired, not_for_this_experience, wrong_currency
(an amount in another currency), used_up, customer_limit_reached (only checked for a known customer). Definers only.';

REVOKE ALL ON FUNCTION private.promo_check(uuid, text, uuid, char, uuid, timestamptz) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.promo_message(p_reason text)
RETURNS text
LANGUAGE sql
IMMUTABLE
SET search_path = ''
AS $$
  SELECT CASE p_reason
    WHEN 'unknown' THEN 'this promo code does not exist'
    WHEN 'not_started' THEN 'this promo code is not valid yet'
    WHEN 'expired' THEN 'this promo code has expired'
    WHEN 'not_for_this_experience' THEN 'this promo code is not valid for this experience'
    WHEN 'wrong_currency' THEN 'this promo code is for another currency'
    WHEN 'used_up' THEN 'this promo code has been used up'
    WHEN 'customer_limit_reached' THEN 'you have already used this promo code as often as it allows'
  END
$$;

COMMENT ON FUNCTION private.promo_message(text) IS 'The customer''s sentence for a reason of private.promo_check.';

REVOKE ALL ON FUNCTION private.promo_message(text) FROM PUBLIC;


-- Who may act on a booking's order: staff, its customer signed in, or the widget with the customer's e-mail. ----
CREATE OR REPLACE FUNCTION private.may_order(p_booking app.bookings, p_embed_key text, p_customer_email text)
RETURNS boolean
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
DECLARE
  email_key text;
BEGIN
  IF p_booking.id IS NULL THEN
    RETURN false;
  END IF;
  SELECT c.email_key INTO email_key FROM app.customers c WHERE c.id = p_booking.customer_id;
  IF p_embed_key IS NOT NULL THEN
    -- The widget: the venue's key and the booking's e-mail together are the capability (the id is random).
    -- Never NULL: a missing e-mail is a refusal, not an unknown.
    RETURN coalesce(p_embed_key = (SELECT v.embed_key FROM app.experiences e
                                      JOIN app.venues v ON v.org_id = e.org_id AND v.id = e.venue_id
                                    WHERE e.org_id = p_booking.org_id AND e.id = p_booking.experience_id)
                    AND pg_catalog.lower(pg_catalog.btrim(p_customer_email)) = email_key, false);
  END IF;
  RETURN coalesce(p_booking.org_id = ANY (private.org_ids('staff'))
                  OR (auth.uid() IS NOT NULL AND pg_catalog.lower(pg_catalog.btrim(auth.email())) = email_key),
                  false);
END
$$;

COMMENT ON FUNCTION private.may_order(app.bookings, text, text) IS
'Whether the caller may make or cancel the order of a booking: staff of its organization; the signed-in user whose
e-mail is the booking customer''s; or, with the embed key of the booking''s venue, whoever also gives the
customer''s e-mail. Definers only.';

REVOKE ALL ON FUNCTION private.may_order(app.bookings, text, text) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.order_answer(p_order_id uuid)
RETURNS jsonb
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT pg_catalog.jsonb_build_object(
    'id', o.id, 'org_id', o.org_id, 'booking_id', o.booking_id, 'customer_id', o.customer_id,
    'status', o.status::text, 'currency', o.currency::text, 'prices_include_vat', o.prices_include_vat,
    'vat_rate_bp', o.vat_rate_bp, 'subtotal_minor', o.subtotal_minor, 'discount_minor', o.discount_minor,
    'vat_minor', o.vat_minor, 'total_minor', o.total_minor, 'paid_minor', o.paid_minor,
    'refunded_minor', o.refunded_minor, 'expires_at', o.expires_at, 'refund_required', o.refund_required,
    'created_at', o.created_at, 'paid_at', o.paid_at,
    'promo_code', (SELECT p.code FROM app.promo_redemptions r
                     JOIN app.promo_codes p ON p.org_id = r.org_id AND p.id = r.promo_code_id
                    WHERE r.org_id = o.org_id AND r.order_id = o.id),
    'lines', (SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                'line_no', l.line_no, 'kind', l.kind, 'description', l.description,
                'ticket_type_id', l.ticket_type_id, 'quantity', l.quantity, 'unit_price_minor', l.unit_price_minor,
                'amount_minor', l.amount_minor, 'vat_minor', l.vat_minor, 'price_rule_id', l.price_rule_id)
                ORDER BY l.line_no), '[]')
                FROM app.order_lines l WHERE l.order_id = o.id))
    FROM app.orders o WHERE o.id = p_order_id
$$;

COMMENT ON FUNCTION private.order_answer(uuid) IS
'An order as create_order and cancel_order answer it: its fields, the promo code it used (or null) and its lines,
amounts as integers in minor units. Definers only.';

REVOKE ALL ON FUNCTION private.order_answer(uuid) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.points_arg(p_settings app.org_settings, p_points integer)
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
BEGIN
  IF coalesce(p_points, 0) > 0 AND coalesce(p_settings.loyalty_point_value_minor, 0) = 0 THEN
    RAISE EXCEPTION 'this organization does not take loyalty points as payment' USING ERRCODE = 'PT400',
      DETAIL = 'loyalty_unavailable', HINT = 'send redeem_points 0';
  END IF;
END
$$;

COMMENT ON FUNCTION private.points_arg(app.org_settings, integer) IS
'Refuses points to redeem (PT400 loyalty_unavailable) where the organization gives its points no value.';

REVOKE ALL ON FUNCTION private.points_arg(app.org_settings, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.points_arg(app.org_settings, integer) TO anon, authenticated, service_role;


-- Quotes. ------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.quote(
  p_experience_id  uuid,
  p_starts_at      timestamptz,
  p_party_size     integer,
  p_tickets        jsonb,
  p_promo_code     text,
  p_redeem_points  integer,
  p_embed_key      text,
  p_customer_email text
)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  exp       app.experiences;
  settings  app.org_settings;
  customer  uuid;
  checked   record;
  promo     app.promo_codes;
  valid     boolean;
  reason    text;
  priced    jsonb;
BEGIN
  SELECT e.* INTO exp FROM app.experiences e WHERE e.id = p_experience_id AND private.is_offered(e.id);
  IF exp.id IS NULL
     OR (p_embed_key IS NULL AND NOT exp.org_id = ANY (private.org_ids('staff')))
     OR (p_embed_key IS NOT NULL AND p_embed_key IS DISTINCT FROM
           (SELECT v.embed_key FROM app.venues v WHERE v.id = exp.venue_id)) THEN
    RAISE EXCEPTION 'experience not found' USING ERRCODE = 'PT404';
  END IF;
  IF p_starts_at IS NULL THEN
    RAISE EXCEPTION 'starts_at is required' USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  SELECT s.* INTO settings FROM app.org_settings s WHERE s.org_id = exp.org_id;
  PERFORM private.points_arg(settings, p_redeem_points);
  IF p_promo_code IS NOT NULL THEN
    SELECT c.id INTO customer FROM app.customers c
     WHERE c.org_id = exp.org_id AND c.email_key = pg_catalog.lower(pg_catalog.btrim(p_customer_email));
    SELECT * INTO checked
      FROM private.promo_check(exp.org_id, p_promo_code, exp.id, exp.currency, customer, pg_catalog.now());
    valid := checked.valid;
    reason := checked.reason;
    IF valid THEN
      promo := checked.promo;
    END IF;
  END IF;
  -- The points are priced, not checked against anyone's balance: a quote tells nobody what a customer holds.
  priced := private.price_cart(
    private.price_lines(exp, p_starts_at, p_party_size, p_tickets, pg_catalog.now()),
    settings.vat_rate_bp, settings.prices_include_vat,
    promo.percent_off, promo.amount_off_minor, 'Promo code ' || promo.code,
    coalesce(p_redeem_points, 0)::bigint * settings.loyalty_point_value_minor, 'Loyalty points');
  RETURN priced || pg_catalog.jsonb_build_object(
    'currency', exp.currency::text,
    'promo', CASE WHEN p_promo_code IS NOT NULL THEN pg_catalog.jsonb_build_object(
               'code', p_promo_code, 'valid', valid, 'reason', reason,
               'message', private.promo_message(reason)) END);
END
$$;

COMMENT ON FUNCTION private.quote(uuid, timestamptz, integer, jsonb, text, integer, text, text) IS
'The work of api.quote, which checked the arguments. Its own check: staff of the experience''s organization, or the
embed key of its venue; anything else is PT404 experience not found. Writes nothing.';

REVOKE ALL ON FUNCTION private.quote(uuid, timestamptz, integer, jsonb, text, integer, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.quote(uuid, timestamptz, integer, jsonb, text, integer, text, text)
  TO anon, authenticated;


CREATE OR REPLACE FUNCTION api.quote(
  experience_id  uuid,
  starts_at      timestamptz,
  party_size     integer DEFAULT NULL,
  tickets        jsonb DEFAULT NULL,
  promo_code     text DEFAULT NULL,
  redeem_points  integer DEFAULT 0,
  embed_key      text DEFAULT NULL,
  customer_email text DEFAULT NULL
)
RETURNS jsonb
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT private.quote(experience_id, private.time_arg('starts_at', starts_at), private.party_size_arg(party_size),
                       private.tickets_arg('tickets', tickets), private.text_arg('promo_code', promo_code, 1, 40),
                       private.count_arg('redeem_points', redeem_points, 0, 1000000),
                       private.text_arg('embed_key', embed_key, 1, 100),
                       private.email_arg('customer_email', customer_email))
$$;

COMMENT ON FUNCTION api.quote(uuid, timestamptz, integer, jsonb, text, integer, text, text) IS
$$Prices a prospective booking without writing anything: what create_booking and then create_order would charge.
Private sessions take party_size, ticketed events tickets ([{"ticket_type_id": "…", "quantity": 2}]). Answers
{currency, lines: [{line_no, kind ('item', 'promo', 'loyalty'), description, ticket_type_id, price_rule_id, quantity,
unit_price_minor, amount_minor, vat_minor}], subtotal_minor, discount_minor, vat_minor, total_minor,
prices_include_vat, vat_rate_bp, promo: {code, valid, reason, message} or null}, every amount an integer in minor
units of currency. Item lines carry the lowest price any applicable price rule gives (early-bird, time-based in the
venue's local time; the description names the rule). A promo code that does not apply is no error: promo.valid is
false and reason says why (unknown, not_started, expired, not_for_this_experience, wrong_currency, used_up, and
customer_limit_reached only when customer_email is given). VAT is computed per line and rounded half away from zero
to the minor unit: with prices_include_vat it is amount x rate / (10000 + rate) of each item line (contained in the
price), otherwise amount x rate / 10000 (added); a discount line takes off the VAT of what it discounts (the VAT of
what remains to pay after it, less the VAT before it, never below 0 in all). The lines always sum to the totals:
subtotal_minor = the items,
discount_minor = minus the promo and loyalty lines, vat_minor = all lines' VAT, total_minor = subtotal_minor -
discount_minor (+ vat_minor when prices exclude VAT). redeem_points prices a loyalty line of that many points at
loyalty_point_value_minor each (never more than is left to pay), without looking at anyone's balance. For staff of
the experience's
organization, or anyone with its venue's embed key (anon). Errors: PT404 experience not found (or not the key's
venue); PT400 naming the argument (starts_at outside 2000-01-01 to five years from now, party_size outside 1 to 1000
or the experience's limits, tickets malformed, unknown or not on sale, promo_code over 40 characters,
customer_email malformed, redeem_points outside 0 to 1000000; loyalty_unavailable when the organization gives
points no value).$$;

REVOKE ALL ON FUNCTION api.quote(uuid, timestamptz, integer, jsonb, text, integer, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.quote(uuid, timestamptz, integer, jsonb, text, integer, text, text)
  TO anon, authenticated;


-- Orders. --------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.same_points(p_order app.orders, p_points integer)
RETURNS boolean
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  -- The points an order spent are its ledger's redemption: fewer than asked only when they paid for it all.
  SELECT coalesce(l.points, 0) = coalesce(p_points, 0) OR (l.points < p_points AND p_order.total_minor = 0)
    FROM (SELECT -pg_catalog.sum(x.points) AS points FROM app.loyalty_ledger x
           WHERE x.org_id = p_order.org_id AND x.order_id = p_order.id AND x.kind = 'redeem') l
$$;

COMMENT ON FUNCTION private.same_points(app.orders, integer) IS
'Whether create_order asking for p_points is the request that made the order, as far as points go. Definers only.';

REVOKE ALL ON FUNCTION private.same_points(app.orders, integer) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.create_order(
  p_booking_id     uuid,
  p_promo_code     text,
  p_redeem_points  integer,
  p_embed_key      text,
  p_customer_email text
)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  booking   app.bookings;
  exp       app.experiences;
  settings  app.org_settings;
  live      app.orders;
  checked   record;
  promo     app.promo_codes;
  priced    jsonb;
  tickets   jsonb;
  order_id  uuid;
  points    integer;
  constraint_name text;
BEGIN
  -- The booking row is the order's lock: two requests for one booking take turns.
  SELECT b.* INTO booking FROM app.bookings b WHERE b.id = p_booking_id FOR UPDATE;
  IF NOT private.may_order(booking, p_embed_key, p_customer_email) THEN
    RAISE EXCEPTION 'booking not found' USING ERRCODE = 'PT404';
  END IF;
  IF coalesce(p_redeem_points, 0) > 0 AND p_embed_key IS NOT NULL THEN
    -- Anyone may book under any e-mail through the widget, so the widget's capability never spends points.
    RAISE EXCEPTION 'sign in to redeem loyalty points' USING ERRCODE = 'PT401', DETAIL = 'sign_in_to_redeem',
      HINT = 'call create_order signed in as the customer, or ask staff';
  END IF;
  SELECT e.* INTO exp FROM app.experiences e WHERE e.id = booking.experience_id;
  IF NOT exp.requires_payment THEN
    RAISE EXCEPTION 'booking % needs no payment', booking.confirmation_code USING ERRCODE = 'PT409',
      DETAIL = 'no_payment_needed';
  END IF;

  SELECT o.* INTO live FROM app.orders o
   WHERE o.booking_id = booking.id AND o.status IN ('pending', 'paid', 'partially_refunded', 'refunded');
  IF FOUND THEN
    -- A retry of the same request gets its order; another request while one is live is a conflict.
    IF pg_catalog.lower(pg_catalog.btrim(p_promo_code)) IS NOT DISTINCT FROM
       (SELECT p.code_key FROM app.promo_redemptions r
          JOIN app.promo_codes p ON p.org_id = r.org_id AND p.id = r.promo_code_id
         WHERE r.org_id = live.org_id AND r.order_id = live.id)
       AND private.same_points(live, p_redeem_points) THEN
      RETURN private.order_answer(live.id);
    END IF;
    RAISE EXCEPTION 'booking % already has an order', booking.confirmation_code USING ERRCODE = 'PT409',
      DETAIL = 'order_exists', HINT = 'cancel the pending order first to change its promo code';
  END IF;
  IF booking.status <> 'pending' OR booking.hold_expires_at <= pg_catalog.now() THEN
    RAISE EXCEPTION 'the hold on booking % has ended', booking.confirmation_code USING ERRCODE = 'PT409',
      DETAIL = 'hold_expired', HINT = 'make a new booking';
  END IF;

  SELECT s.* INTO settings FROM app.org_settings s WHERE s.org_id = booking.org_id;
  PERFORM private.points_arg(settings, p_redeem_points);
  IF p_promo_code IS NOT NULL THEN
    SELECT * INTO checked FROM private.promo_check(booking.org_id, p_promo_code, exp.id, booking.currency,
                                                   booking.customer_id, pg_catalog.now());
    IF checked.reason = 'used_up' THEN
      -- Uses held by orders whose hold ran out come back before anyone is told the code is used up.
      UPDATE app.bookings b SET status = 'expired'
       WHERE b.status = 'pending' AND b.hold_expires_at <= pg_catalog.now()
         AND b.id IN (SELECT o.booking_id FROM app.promo_redemptions r
                        JOIN app.orders o ON o.org_id = r.org_id AND o.id = r.order_id
                       WHERE r.org_id = booking.org_id AND r.promo_code_id = (checked.promo).id
                         AND r.released_at IS NULL AND o.status = 'pending');
      SELECT * INTO checked FROM private.promo_check(booking.org_id, p_promo_code, exp.id, booking.currency,
                                                     booking.customer_id, pg_catalog.now());
    END IF;
    IF NOT checked.valid THEN
      RAISE EXCEPTION '%', private.promo_message(checked.reason) USING ERRCODE = 'PT409',
        DETAIL = 'promo_' || checked.reason;
    END IF;
    promo := checked.promo;
  END IF;

  -- The same price the booking was made at: the same rules, at the time it was made.
  SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('ticket_type_id', t.ticket_type_id,
                                                            'quantity', t.quantity) ORDER BY t.ticket_type_id)
    INTO tickets FROM app.booking_tickets t WHERE t.booking_id = booking.id;
  priced := private.price_cart(
    private.price_lines(exp, booking.starts_at, booking.party_size, tickets, booking.created_at),
    settings.vat_rate_bp, settings.prices_include_vat,
    promo.percent_off, promo.amount_off_minor, 'Promo code ' || promo.code,
    coalesce(p_redeem_points, 0)::bigint * settings.loyalty_point_value_minor, 'Loyalty points');
  -- Points beyond what is left to pay are not spent: the line's description says how many it took.
  points := (SELECT ((-(l ->> 'amount_minor')::bigint + settings.loyalty_point_value_minor - 1)
                     / settings.loyalty_point_value_minor)::integer
               FROM pg_catalog.jsonb_array_elements(priced -> 'lines') l WHERE l ->> 'kind' = 'loyalty');
  IF points IS NOT NULL THEN
    priced := pg_catalog.jsonb_set(priced, '{lines}', (
      SELECT pg_catalog.jsonb_agg(CASE WHEN l ->> 'kind' = 'loyalty'
                                       THEN l || pg_catalog.jsonb_build_object(
                                                 'description', pg_catalog.format('Loyalty points (%s)', points))
                                       ELSE l END ORDER BY (l ->> 'line_no')::integer)
        FROM pg_catalog.jsonb_array_elements(priced -> 'lines') l));
  END IF;

  INSERT INTO app.orders (org_id, booking_id, customer_id, currency, prices_include_vat, vat_rate_bp,
                          subtotal_minor, discount_minor, vat_minor, total_minor, expires_at, created_by)
  VALUES (booking.org_id, booking.id, booking.customer_id, booking.currency, settings.prices_include_vat,
          settings.vat_rate_bp, (priced ->> 'subtotal_minor')::bigint, (priced ->> 'discount_minor')::bigint,
          (priced ->> 'vat_minor')::bigint, (priced ->> 'total_minor')::bigint, booking.hold_expires_at, auth.uid())
  RETURNING id INTO order_id;
  INSERT INTO app.order_lines (org_id, order_id, line_no, kind, ticket_type_id, description, quantity,
                               unit_price_minor, amount_minor, vat_minor, price_rule_id)
  SELECT booking.org_id, order_id, l.line_no, l.kind, l.ticket_type_id, l.description, l.quantity,
         l.unit_price_minor, l.amount_minor, l.vat_minor, l.price_rule_id
    FROM pg_catalog.jsonb_to_recordset(priced -> 'lines') AS l(line_no smallint, kind text, ticket_type_id uuid,
           description text, quantity integer, unit_price_minor bigint, amount_minor bigint, vat_minor bigint,
           price_rule_id uuid);

  IF promo.id IS NOT NULL THEN
    -- Taking a use is one counter UPDATE under its CHECK: of racers for the last use, one gets it.
    BEGIN
      UPDATE app.promo_codes p SET uses = p.uses + 1 WHERE p.id = promo.id;
      IF promo.max_uses_per_customer IS NOT NULL THEN
        INSERT INTO app.promo_customer_uses AS u (org_id, promo_code_id, customer_id, max_uses, uses)
        VALUES (booking.org_id, promo.id, booking.customer_id, promo.max_uses_per_customer, 1)
        ON CONFLICT (promo_code_id, customer_id, org_id) DO UPDATE SET uses = u.uses + 1;
      END IF;
    EXCEPTION WHEN check_violation THEN
      GET STACKED DIAGNOSTICS constraint_name = CONSTRAINT_NAME;
      IF constraint_name = 'promo_codes_uses_within_max' THEN
        RAISE EXCEPTION '%', private.promo_message('used_up') USING ERRCODE = 'PT409', DETAIL = 'promo_used_up',
          HINT = 'order without the code, or try another';
      ELSIF constraint_name = 'promo_customer_uses_within_max' THEN
        RAISE EXCEPTION '%', private.promo_message('customer_limit_reached') USING ERRCODE = 'PT409',
          DETAIL = 'promo_customer_limit_reached';
      END IF;
      RAISE;
    END;
    INSERT INTO app.promo_redemptions (org_id, promo_code_id, order_id, customer_id, amount_minor)
    VALUES (booking.org_id, promo.id, order_id, booking.customer_id,
            -(SELECT pg_catalog.sum((l ->> 'amount_minor')::bigint)
                FROM pg_catalog.jsonb_array_elements(priced -> 'lines') l WHERE l ->> 'kind' = 'promo'));
  END IF;
  IF points IS NOT NULL THEN
    -- The balance's CHECK decides, in this statement: concurrent orders never spend more than it holds.
    PERFORM private.loyalty_debit(booking.org_id, booking.customer_id, points, order_id);
  END IF;
  IF (priced ->> 'total_minor')::bigint = 0 THEN
    -- Nothing to pay (a code or points cover it all): no provider takes a payment of 0, so it is settled here.
    UPDATE app.orders o SET status = 'paid' WHERE o.id = order_id;
    UPDATE app.bookings b SET status = 'confirmed' WHERE b.id = booking.id;
  END IF;
  RETURN private.order_answer(order_id);
END
$$;

COMMENT ON FUNCTION private.create_order(uuid, text, integer, text, text) IS
'The work of api.create_order, which checked the arguments; its own check is private.may_order (else PT404). Prices
the booking with private.price_lines at the time it was booked and private.price_cart, takes the promo code''s use
under its counters'' CHECKs, and writes the order and its lines.';

REVOKE ALL ON FUNCTION private.create_order(uuid, text, integer, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.create_order(uuid, text, integer, text, text) TO anon, authenticated;


CREATE OR REPLACE FUNCTION api.create_order(
  booking_id     uuid,
  promo_code     text DEFAULT NULL,
  redeem_points  integer DEFAULT 0,
  embed_key      text DEFAULT NULL,
  customer_email text DEFAULT NULL
)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.create_order(booking_id, private.text_arg('promo_code', promo_code, 1, 40),
                              private.count_arg('redeem_points', redeem_points, 0, 1000000),
                              private.text_arg('embed_key', embed_key, 1, 100),
                              private.email_arg('customer_email', customer_email))
$$;

COMMENT ON FUNCTION api.create_order(uuid, text, integer, text, text) IS
$$Turns a pending booking with a live hold into a pending order to pay, priced as api.quote prices it (the same
lines, VAT rounded per line half away from zero, the lines summing to the totals), with an optional promo code.
Answers the order: {id, org_id, booking_id, customer_id, status, currency, prices_include_vat, vat_rate_bp,
subtotal_minor, discount_minor, vat_minor, total_minor, paid_minor, refunded_minor, expires_at (the payment
deadline: the booking's hold), refund_required, created_at, paid_at, promo_code, lines: [{line_no, kind,
description, ticket_type_id, quantity, unit_price_minor, amount_minor, vat_minor, price_rule_id}]}, amounts in minor
units. Idempotent: while the booking has a live order, the same request (same promo code, whatever its case)
answers it again. The code's use is taken now and given back if the order expires, is cancelled or fails. Callers:
staff of the booking's organization; the signed-in user whose e-mail is the booking's customer's; or anyone with
the venue's embed key AND the booking's customer_email. redeem_points (0 to 1000000) spends the customer's loyalty
points as a 'loyalty' line worth loyalty_point_value_minor each, never more than is left to pay (its description
says how many points it spent); only signed-in customers and staff redeem, since the widget can book under anyone's
e-mail. The points are debited now and given back with the promo use. An order with nothing left to pay is paid at
once and its booking confirmed. Errors: PT404 booking not found (or the caller may not order it); PT400 naming the
argument, loyalty_unavailable (the organization gives points no value); PT401 sign_in_to_redeem (points asked
through the widget); PT409 hold_expired (not pending, or its hold ended), no_payment_needed (the experience takes
no payment), order_exists (a live order with another promo code or other points), insufficient_points,
promo_used_up, promo_customer_limit_reached, promo_unknown, promo_not_started, promo_expired,
promo_not_for_this_experience, promo_wrong_currency (the detail; the message is the customer's sentence).$$;

REVOKE ALL ON FUNCTION api.create_order(uuid, text, integer, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.create_order(uuid, text, integer, text, text) TO anon, authenticated;


CREATE OR REPLACE FUNCTION private.cancel_order(p_order_id uuid, p_embed_key text, p_customer_email text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  hit   app.orders;
  booking app.bookings;
BEGIN
  SELECT o.* INTO hit FROM app.orders o WHERE o.id = p_order_id;
  SELECT b.* INTO booking FROM app.bookings b WHERE b.org_id = hit.org_id AND b.id = hit.booking_id FOR UPDATE;
  IF NOT private.may_order(booking, p_embed_key, p_customer_email) THEN
    RAISE EXCEPTION 'order not found' USING ERRCODE = 'PT404';
  END IF;
  SELECT o.* INTO hit FROM app.orders o WHERE o.org_id = hit.org_id AND o.id = p_order_id FOR UPDATE;
  IF hit.status <> 'pending' THEN
    RAISE EXCEPTION 'only a pending order can be cancelled; this one is %', hit.status USING ERRCODE = 'PT409',
      DETAIL = 'illegal_transition';
  END IF;
  UPDATE app.orders o SET status = 'cancelled' WHERE o.org_id = hit.org_id AND o.id = p_order_id;
  RETURN private.order_answer(p_order_id);
END
$$;

COMMENT ON FUNCTION private.cancel_order(uuid, text, text) IS
'The work of api.cancel_order; its own check is private.may_order on the order''s booking (else PT404).';

REVOKE ALL ON FUNCTION private.cancel_order(uuid, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.cancel_order(uuid, text, text) TO anon, authenticated;


CREATE OR REPLACE FUNCTION api.cancel_order(order_id uuid, embed_key text DEFAULT NULL, customer_email text DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.cancel_order(order_id, private.text_arg('embed_key', embed_key, 1, 100),
                              private.email_arg('customer_email', customer_email))
$$;

COMMENT ON FUNCTION api.cancel_order(uuid, text, text) IS
$$Cancels a pending order (nothing paid yet) and answers it as create_order does; its promo code's use is given
back. The booking keeps its hold, so a new order (another promo code, say) can be made while it lasts. The same
callers as create_order. Errors: PT404 order not found (or the caller may not act on it); PT400 naming the
argument; PT409 illegal_transition when the order is not pending.$$;

REVOKE ALL ON FUNCTION api.cancel_order(uuid, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.cancel_order(uuid, text, text) TO anon, authenticated;


-- An order follows its booking; a use of a promo code comes back once with its order. ------------------------------
CREATE OR REPLACE FUNCTION private.bookings_order_follow()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  UPDATE app.orders o
     SET status = CASE WHEN NEW.status = 'expired' THEN 'expired' ELSE 'cancelled' END::app.order_status
   WHERE o.org_id = NEW.org_id AND o.booking_id = NEW.id AND o.status = 'pending';
  RETURN NULL;
END
$$;

COMMENT ON FUNCTION private.bookings_order_follow() IS
'Trigger on app.bookings: when a booking becomes expired, cancelled or rejected, its pending order becomes expired
(the booking expired) or cancelled (otherwise) in the same transaction. A definer: whoever moves a booking need not
write orders.';

REVOKE ALL ON FUNCTION private.bookings_order_follow() FROM PUBLIC;

CREATE OR REPLACE TRIGGER bookings_order_follow
  AFTER UPDATE OF status ON app.bookings
  FOR EACH ROW WHEN (NEW.status IN ('expired', 'cancelled', 'rejected') AND OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION private.bookings_order_follow();


CREATE OR REPLACE FUNCTION private.orders_release()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  released app.promo_redemptions;
BEGIN
  -- Once: the redemption row is marked released in the statement that finds it unreleased.
  UPDATE app.promo_redemptions r SET released_at = pg_catalog.now()
   WHERE r.org_id = NEW.org_id AND r.order_id = NEW.id AND r.released_at IS NULL
  RETURNING r.* INTO released;
  IF FOUND THEN
    UPDATE app.promo_codes p SET uses = p.uses - 1 WHERE p.org_id = NEW.org_id AND p.id = released.promo_code_id;
    UPDATE app.promo_customer_uses u SET uses = u.uses - 1
     WHERE u.org_id = NEW.org_id AND u.promo_code_id = released.promo_code_id
       AND u.customer_id = released.customer_id;
  END IF;
  PERFORM private.loyalty_release(NEW.id);
  RETURN NULL;
END
$$;

COMMENT ON FUNCTION private.orders_release() IS
'Trigger on app.orders: when a pending order fails, expires or is cancelled, the promo code use it took is given
back, once (its redemption''s released_at), to the code''s counter and the customer''s, and the loyalty points it
spent come back to the customer''s balance, once (private.loyalty_release).';

REVOKE ALL ON FUNCTION private.orders_release() FROM PUBLIC;

CREATE OR REPLACE TRIGGER orders_release
  AFTER UPDATE OF status ON app.orders
  FOR EACH ROW WHEN (OLD.status = 'pending' AND NEW.status IN ('failed', 'expired', 'cancelled'))
  EXECUTE FUNCTION private.orders_release();


-- Managing promo codes (managers). ----------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.promo_code_answer(p app.promo_codes)
RETURNS jsonb
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT pg_catalog.jsonb_build_object(
    'id', p.id, 'org_id', p.org_id, 'code', p.code, 'percent_off', p.percent_off,
    'amount_off_minor', p.amount_off_minor, 'currency', p.currency::text, 'valid_from', p.valid_from,
    'valid_until', p.valid_until, 'max_uses', p.max_uses, 'uses', p.uses,
    'max_uses_per_customer', p.max_uses_per_customer, 'active', p.active,
    'experience_ids', (SELECT coalesce(pg_catalog.jsonb_agg(x.experience_id ORDER BY x.experience_id), '[]')
                         FROM app.promo_code_experiences x WHERE x.promo_code_id = p.id),
    'created_at', p.created_at)
$$;

COMMENT ON FUNCTION private.promo_code_answer(app.promo_codes) IS
'A promo code as the management functions answer it, with its live uses and the experiences it is restricted to.';

REVOKE ALL ON FUNCTION private.promo_code_answer(app.promo_codes) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.create_promo_code(
  p_org_id                uuid,
  p_code                  text,
  p_percent_off           integer,
  p_amount_off_minor      bigint,
  p_currency              char(3),
  p_valid_from            timestamptz,
  p_valid_until           timestamptz,
  p_max_uses              integer,
  p_max_uses_per_customer integer,
  p_experience_ids        uuid[]
)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  made app.promo_codes;
BEGIN
  IF NOT p_org_id = ANY (private.org_ids('staff')) THEN
    RAISE EXCEPTION 'organization not found' USING ERRCODE = 'PT404';
  END IF;
  IF NOT p_org_id = ANY (private.org_ids('manager')) THEN
    RAISE EXCEPTION 'only a manager, an admin or the owner manages promo codes' USING ERRCODE = 'PT403';
  END IF;
  IF p_code IS NULL OR p_code !~ '^[A-Za-z0-9][A-Za-z0-9_-]{1,39}$' THEN
    RAISE EXCEPTION 'code must be 2 to 40 letters, digits, - or _, starting with a letter or digit'
      USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
  IF (p_percent_off IS NULL) = (p_amount_off_minor IS NULL) THEN
    RAISE EXCEPTION 'give either percent_off or amount_off_minor' USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
  IF p_amount_off_minor IS NOT NULL AND p_currency IS NULL THEN
    RAISE EXCEPTION 'currency is required with amount_off_minor' USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  IF p_valid_from >= p_valid_until THEN
    RAISE EXCEPTION 'valid_until must be after valid_from' USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
  IF EXISTS (SELECT FROM pg_catalog.unnest(p_experience_ids) x
              WHERE NOT EXISTS (SELECT FROM app.experiences e WHERE e.id = x AND e.org_id = p_org_id)) THEN
    RAISE EXCEPTION 'experience_ids names an experience this organization does not have' USING ERRCODE = 'PT400',
      DETAIL = 'invalid';
  END IF;
  BEGIN
    INSERT INTO app.promo_codes (org_id, code, percent_off, amount_off_minor, currency, valid_from, valid_until,
                                 max_uses, max_uses_per_customer, created_by)
    VALUES (p_org_id, p_code, p_percent_off, p_amount_off_minor,
            CASE WHEN p_amount_off_minor IS NOT NULL THEN p_currency END, p_valid_from, p_valid_until, p_max_uses,
            p_max_uses_per_customer, auth.uid())
    RETURNING * INTO made;
  EXCEPTION WHEN unique_violation THEN
    RAISE EXCEPTION 'the organization already has the code %', p_code USING ERRCODE = 'PT409',
      DETAIL = 'promo_code_exists', HINT = 'codes are the same whatever their case';
  END;
  INSERT INTO app.promo_code_experiences (org_id, promo_code_id, experience_id)
  SELECT DISTINCT p_org_id, made.id, x FROM pg_catalog.unnest(p_experience_ids) x;
  RETURN private.promo_code_answer(made);
END
$$;

COMMENT ON FUNCTION private.create_promo_code(uuid, text, integer, bigint, char, timestamptz, timestamptz, integer,
                                              integer, uuid[]) IS
'The work of api.create_promo_code, which checked the arguments. Its own checks: PT404 for non-members, PT403 for
staff.';

REVOKE ALL ON FUNCTION private.create_promo_code(uuid, text, integer, bigint, char, timestamptz, timestamptz, integer,
                                                 integer, uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.create_promo_code(uuid, text, integer, bigint, char, timestamptz, timestamptz,
                                                    integer, integer, uuid[]) TO authenticated;


CREATE OR REPLACE FUNCTION api.create_promo_code(
  org_id                uuid,
  code                  text,
  percent_off           integer DEFAULT NULL,
  amount_off_minor      bigint DEFAULT NULL,
  currency              text DEFAULT NULL,
  valid_from            timestamptz DEFAULT NULL,
  valid_until           timestamptz DEFAULT NULL,
  max_uses              integer DEFAULT NULL,
  max_uses_per_customer integer DEFAULT NULL,
  experience_ids        uuid[] DEFAULT NULL
)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
BEGIN
  IF pg_catalog.cardinality(experience_ids) > 100 THEN
    RAISE EXCEPTION 'experience_ids lists at most 100 experiences' USING ERRCODE = 'PT400', DETAIL = 'out_of_range';
  END IF;
  RETURN private.create_promo_code(
    org_id, private.text_arg('code', code, 2, 40), private.count_arg('percent_off', percent_off, 1, 100),
    private.amount_arg('amount_off_minor', amount_off_minor, 1, 100000000), private.currency_arg('currency', currency),
    private.time_arg('valid_from', valid_from), private.time_arg('valid_until', valid_until),
    private.count_arg('max_uses', max_uses, 1, 10000000),
    private.count_arg('max_uses_per_customer', max_uses_per_customer, 1, 1000), experience_ids);
END
$$;

COMMENT ON FUNCTION api.create_promo_code(uuid, text, integer, bigint, text, timestamptz, timestamptz, integer, integer,
                                          uuid[]) IS
$$Makes a promo code and answers it ({id, org_id, code, percent_off, amount_off_minor, currency, valid_from,
valid_until, max_uses, uses, max_uses_per_customer, active, experience_ids, created_at}). code: 2 to 40 letters,
digits, - or _, unique in the organization whatever its case (customers may type it in any case). Either
percent_off (1 to 100) or amount_off_minor (1 to 100000000, with its currency); valid in [valid_from, valid_until)
(either open); max_uses orders at most (1 to 10000000; NULL = unlimited) and max_uses_per_customer (1 to 1000;
NULL = unlimited); experience_ids restricts it (at most 100; NULL or empty = every experience). A use is taken by
create_order and given back when the order expires, is cancelled or fails; the limits hold under any concurrency.
For managers, admins and the owner. Errors: PT400 naming the argument; PT403 staff; PT404 not a member; PT409
promo_code_exists.$$;

REVOKE ALL ON FUNCTION api.create_promo_code(uuid, text, integer, bigint, text, timestamptz, timestamptz, integer,
                                             integer, uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.create_promo_code(uuid, text, integer, bigint, text, timestamptz, timestamptz, integer,
                                                integer, uuid[]) TO authenticated;


CREATE OR REPLACE FUNCTION private.list_promo_codes(p_org_id uuid)
RETURNS SETOF jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  IF NOT p_org_id = ANY (private.org_ids('staff')) THEN
    RAISE EXCEPTION 'organization not found' USING ERRCODE = 'PT404';
  END IF;
  IF NOT p_org_id = ANY (private.org_ids('manager')) THEN
    RAISE EXCEPTION 'only a manager, an admin or the owner manages promo codes' USING ERRCODE = 'PT403';
  END IF;
  RETURN QUERY SELECT private.promo_code_answer(p) FROM app.promo_codes p
                WHERE p.org_id = p_org_id ORDER BY p.active DESC, p.code_key;
END
$$;

COMMENT ON FUNCTION private.list_promo_codes(uuid) IS
'The work of api.list_promo_codes. Its own checks: PT404 for non-members, PT403 for staff.';

REVOKE ALL ON FUNCTION private.list_promo_codes(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.list_promo_codes(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.list_promo_codes(org_id uuid)
RETURNS SETOF jsonb
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT * FROM private.list_promo_codes(org_id)
$$;

COMMENT ON FUNCTION api.list_promo_codes(uuid) IS
$$The organization's promo codes, active first, by code, each as create_promo_code answers it (uses: the orders
holding a use now). For managers, admins and the owner. Errors: PT403 staff; PT404 not a member.$$;

REVOKE ALL ON FUNCTION api.list_promo_codes(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.list_promo_codes(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION private.deactivate_promo_code(p_promo_code_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  hit app.promo_codes;
BEGIN
  SELECT p.* INTO hit FROM app.promo_codes p
   WHERE p.id = p_promo_code_id AND p.org_id = ANY (private.org_ids('staff')) FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'promo code not found' USING ERRCODE = 'PT404';
  END IF;
  IF NOT hit.org_id = ANY (private.org_ids('manager')) THEN
    RAISE EXCEPTION 'only a manager, an admin or the owner manages promo codes' USING ERRCODE = 'PT403';
  END IF;
  UPDATE app.promo_codes p SET active = false WHERE p.id = hit.id RETURNING p.* INTO hit;
  RETURN private.promo_code_answer(hit);
END
$$;

COMMENT ON FUNCTION private.deactivate_promo_code(uuid) IS
'The work of api.deactivate_promo_code. Its own checks: PT404 unless staff of the code''s organization, PT403 staff.';

REVOKE ALL ON FUNCTION private.deactivate_promo_code(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.deactivate_promo_code(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.deactivate_promo_code(promo_code_id uuid)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.deactivate_promo_code(promo_code_id)
$$;

COMMENT ON FUNCTION api.deactivate_promo_code(uuid) IS
$$Stops a promo code from being used by new orders (orders that took it keep their discount) and answers it. Again
on an inactive code changes nothing. For managers, admins and the owner. Errors: PT403 staff; PT404 not found.$$;

REVOKE ALL ON FUNCTION api.deactivate_promo_code(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.deactivate_promo_code(uuid) TO authenticated;

CREATE OR REPLACE TRIGGER promo_codes_touch_updated_at
  BEFORE UPDATE ON app.promo_codes
  FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();
CREATE OR REPLACE TRIGGER price_rules_touch_updated_at
  BEFORE UPDATE ON app.price_rules
  FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();


-- Managing price rules (managers). ------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.price_rule_answer(r app.price_rules)
RETURNS jsonb
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT pg_catalog.jsonb_build_object(
    'id', r.id, 'org_id', r.org_id, 'experience_id', r.experience_id, 'ticket_type_id', r.ticket_type_id,
    'name', r.name, 'kind', r.kind, 'min_lead', r.min_lead, 'booked_before', r.booked_before,
    'weekdays', pg_catalog.to_jsonb(r.weekdays), 'starts_from', r.starts_from, 'starts_until', r.starts_until,
    'percent_off', r.percent_off, 'amount_off_minor', r.amount_off_minor,
    'replacement_price_minor', r.replacement_price_minor, 'active', r.active, 'created_at', r.created_at)
$$;

COMMENT ON FUNCTION private.price_rule_answer(app.price_rules) IS
'A price rule as the management functions answer it.';

REVOKE ALL ON FUNCTION private.price_rule_answer(app.price_rules) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.create_price_rule(
  p_experience_id           uuid,
  p_name                    text,
  p_kind                    text,
  p_ticket_type_id          uuid,
  p_min_lead                interval,
  p_booked_before           timestamptz,
  p_weekdays                smallint[],
  p_starts_from             time,
  p_starts_until            time,
  p_percent_off             integer,
  p_amount_off_minor        bigint,
  p_replacement_price_minor bigint
)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  exp  app.experiences;
  made app.price_rules;
BEGIN
  SELECT e.* INTO exp FROM app.experiences e
   WHERE e.id = p_experience_id AND e.org_id = ANY (private.org_ids('staff'));
  IF exp.id IS NULL THEN
    RAISE EXCEPTION 'experience not found' USING ERRCODE = 'PT404';
  END IF;
  IF NOT exp.org_id = ANY (private.org_ids('manager')) THEN
    RAISE EXCEPTION 'only a manager, an admin or the owner manages price rules' USING ERRCODE = 'PT403';
  END IF;
  IF p_kind IS NULL OR p_kind NOT IN ('early_bird', 'time_based') THEN
    RAISE EXCEPTION 'kind must be one of early_bird, time_based, not %', coalesce(pg_catalog.quote_literal(p_kind),
                                                                                  'null')
      USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
  IF pg_catalog.num_nonnulls(p_percent_off, p_amount_off_minor, p_replacement_price_minor) <> 1 THEN
    RAISE EXCEPTION 'give one of percent_off, amount_off_minor or replacement_price_minor' USING ERRCODE = 'PT400',
      DETAIL = 'invalid';
  END IF;
  IF p_kind = 'early_bird' AND (pg_catalog.num_nonnulls(p_min_lead, p_booked_before) = 0
                                OR pg_catalog.num_nonnulls(p_weekdays, p_starts_from, p_starts_until) > 0) THEN
    RAISE EXCEPTION 'an early_bird rule takes min_lead and/or booked_before, and nothing else'
      USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
  IF p_kind = 'time_based' AND (pg_catalog.num_nonnulls(p_weekdays, p_starts_from, p_starts_until) = 0
                                OR pg_catalog.num_nonnulls(p_min_lead, p_booked_before) > 0) THEN
    RAISE EXCEPTION 'a time_based rule takes weekdays, starts_from and/or starts_until, and nothing else'
      USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
  IF p_weekdays IS NOT NULL AND (pg_catalog.cardinality(p_weekdays) = 0 OR NOT p_weekdays <@ '{1,2,3,4,5,6,7}') THEN
    RAISE EXCEPTION 'weekdays are ISO weekdays, 1 (Monday) to 7 (Sunday)' USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
  IF p_starts_from >= p_starts_until THEN
    RAISE EXCEPTION 'starts_until must be after starts_from' USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
  IF p_ticket_type_id IS NOT NULL AND NOT EXISTS (SELECT FROM app.ticket_types t
                                                   WHERE t.id = p_ticket_type_id AND t.experience_id = exp.id) THEN
    RAISE EXCEPTION 'ticket_type_id is not a ticket type of this experience' USING ERRCODE = 'PT400',
      DETAIL = 'invalid';
  END IF;
  INSERT INTO app.price_rules (org_id, experience_id, ticket_type_id, name, kind, min_lead, booked_before, weekdays,
                               starts_from, starts_until, percent_off, amount_off_minor, replacement_price_minor)
  VALUES (exp.org_id, exp.id, p_ticket_type_id, pg_catalog.btrim(p_name), p_kind, p_min_lead, p_booked_before,
          p_weekdays, p_starts_from, p_starts_until, p_percent_off, p_amount_off_minor, p_replacement_price_minor)
  RETURNING * INTO made;
  RETURN private.price_rule_answer(made);
END
$$;

COMMENT ON FUNCTION private.create_price_rule(uuid, text, text, uuid, interval, timestamptz, smallint[], time, time,
                                              integer, bigint, bigint) IS
'The work of api.create_price_rule, which checked the arguments. Its own checks: PT404 unless staff of the
experience''s organization, PT403 staff; PT400 for a rule of the wrong shape.';

REVOKE ALL ON FUNCTION private.create_price_rule(uuid, text, text, uuid, interval, timestamptz, smallint[], time, time,
                                                 integer, bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.create_price_rule(uuid, text, text, uuid, interval, timestamptz, smallint[], time,
                                                    time, integer, bigint, bigint) TO authenticated;


CREATE OR REPLACE FUNCTION api.create_price_rule(
  experience_id           uuid,
  name                    text,
  kind                    text,
  ticket_type_id          uuid DEFAULT NULL,
  min_lead                interval DEFAULT NULL,
  booked_before           timestamptz DEFAULT NULL,
  weekdays                smallint[] DEFAULT NULL,
  starts_from             time DEFAULT NULL,
  starts_until            time DEFAULT NULL,
  percent_off             integer DEFAULT NULL,
  amount_off_minor        bigint DEFAULT NULL,
  replacement_price_minor bigint DEFAULT NULL
)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.create_price_rule(
    experience_id, private.text_arg('name', name, 1, 100), private.text_arg('kind', kind, 1, 20), ticket_type_id,
    private.interval_arg('min_lead', min_lead, interval '1 minute', interval '366 days'),
    private.time_arg('booked_before', booked_before), weekdays, starts_from, starts_until,
    private.count_arg('percent_off', percent_off, 1, 100),
    private.amount_arg('amount_off_minor', amount_off_minor, 1, 100000000),
    private.amount_arg('replacement_price_minor', replacement_price_minor, 0, 100000000))
$$;

COMMENT ON FUNCTION api.create_price_rule(uuid, text, text, uuid, interval, timestamptz, smallint[], time, time,
                                          integer, bigint, bigint) IS
$$Adds a price rule to an experience (or one of its ticket types) and answers it. kind early_bird: it applies to
bookings made at least min_lead (1 minute to 366 days) before the start and/or before booked_before; kind
time_based: to sessions whose venue-local start is on one of weekdays (ISO, 1 = Monday) and/or at or after
starts_from and before starts_until. It changes the unit price by exactly one of percent_off (1 to 100, rounded half
away from zero), amount_off_minor (never below 0) or replacement_price_minor. Of the rules that apply to a line,
the one giving the lowest unit price wins; the line's description names it. quote, create_booking and create_order
all price with it from then on; bookings already made keep their price. For managers, admins and the owner.
Errors: PT400 naming the argument, or a rule of the wrong shape; PT403 staff; PT404 experience not found.$$;

REVOKE ALL ON FUNCTION api.create_price_rule(uuid, text, text, uuid, interval, timestamptz, smallint[], time, time,
                                             integer, bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.create_price_rule(uuid, text, text, uuid, interval, timestamptz, smallint[], time, time,
                                                integer, bigint, bigint) TO authenticated;


CREATE OR REPLACE FUNCTION private.set_price_rule_active(p_price_rule_id uuid, p_active boolean)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  hit app.price_rules;
BEGIN
  SELECT r.* INTO hit FROM app.price_rules r
   WHERE r.id = p_price_rule_id AND r.org_id = ANY (private.org_ids('staff')) FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'price rule not found' USING ERRCODE = 'PT404';
  END IF;
  IF NOT hit.org_id = ANY (private.org_ids('manager')) THEN
    RAISE EXCEPTION 'only a manager, an admin or the owner manages price rules' USING ERRCODE = 'PT403';
  END IF;
  UPDATE app.price_rules r SET active = coalesce(p_active, r.active) WHERE r.id = hit.id RETURNING r.* INTO hit;
  RETURN private.price_rule_answer(hit);
END
$$;

COMMENT ON FUNCTION private.set_price_rule_active(uuid, boolean) IS
'The work of api.deactivate_price_rule. Its own checks: PT404 unless staff of the rule''s organization, PT403 staff.';

REVOKE ALL ON FUNCTION private.set_price_rule_active(uuid, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.set_price_rule_active(uuid, boolean) TO authenticated;


CREATE OR REPLACE FUNCTION api.deactivate_price_rule(price_rule_id uuid)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.set_price_rule_active(price_rule_id, false)
$$;

COMMENT ON FUNCTION api.deactivate_price_rule(uuid) IS
$$Stops a price rule from pricing new quotes, bookings and orders and answers it. For managers, admins and the
owner. Errors: PT403 staff; PT404 not found.$$;

REVOKE ALL ON FUNCTION api.deactivate_price_rule(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.deactivate_price_rule(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION private.list_price_rules(p_experience_id uuid)
RETURNS SETOF jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  IF NOT EXISTS (SELECT FROM app.experiences e
                  WHERE e.id = p_experience_id AND e.org_id = ANY (private.org_ids('staff'))) THEN
    RAISE EXCEPTION 'experience not found' USING ERRCODE = 'PT404';
  END IF;
  RETURN QUERY SELECT private.price_rule_answer(r) FROM app.price_rules r
                WHERE r.experience_id = p_experience_id ORDER BY r.active DESC, r.created_at, r.id;
END
$$;

COMMENT ON FUNCTION private.list_price_rules(uuid) IS
'The work of api.list_price_rules. Its own check: PT404 unless staff of the experience''s organization.';

REVOKE ALL ON FUNCTION private.list_price_rules(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.list_price_rules(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.list_price_rules(experience_id uuid)
RETURNS SETOF jsonb
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT * FROM private.list_price_rules(experience_id)
$$;

COMMENT ON FUNCTION api.list_price_rules(uuid) IS
$$An experience's price rules, active first, each as create_price_rule answers it. For staff of its organization
(they see why a price is what it is). Errors: PT404 experience not found.$$;

REVOKE ALL ON FUNCTION api.list_price_rules(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.list_price_rules(uuid) TO authenticated;
