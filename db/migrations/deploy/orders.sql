-- Deploy tessera:orders to pg
-- requires: booking
--
-- What a venue charges and what a customer owes, in integer minor units beside an ISO 4217 currency, never floats:
--   currencies    the ISO 4217 active codes with their minor digits (SAR 2, JPY 0, KWD 3, CLF 4), readable by all
--   org_settings  one row per organization, made with it: currency (NULL until chosen), VAT rate in basis points
--                 and whether prices include it, VAT number, loyalty rates, refund policy defaults
--   orders        what a booking costs to pay: a snapshot of its totals, currency and VAT terms, the money received
--                 and refunded so far, and its payment status; at most one live order per booking
--   order_lines   the lines of an order (items, promo and loyalty discounts, signed), insert-only
-- The identity every order keeps, by CHECK: total = subtotal - discount, plus vat when prices exclude it (when
-- they include it, vat is the part of the total that is tax). Status moves and insert-only lines are kept by
-- triggers (orders_rules); only SECURITY DEFINER functions write orders and lines.

BEGIN;

CREATE TABLE app.currencies (
  code          char(3)  NOT NULL PRIMARY KEY CHECK (code ~ '^[A-Z]{3}$'),
  minor_digits  smallint NOT NULL CHECK (minor_digits BETWEEN 0 AND 4),
  name          text     NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100)
);
COMMENT ON TABLE app.currencies IS
  'ISO 4217 active currency codes (those with minor units), and how many digits their minor unit has.';

INSERT INTO app.currencies (code, minor_digits, name) VALUES
  ('AED', 2, 'UAE Dirham'), ('AFN', 2, 'Afghani'), ('ALL', 2, 'Lek'), ('AMD', 2, 'Armenian Dram'),
  ('AOA', 2, 'Kwanza'), ('ARS', 2, 'Argentine Peso'), ('AUD', 2, 'Australian Dollar'), ('AWG', 2, 'Aruban Florin'),
  ('AZN', 2, 'Azerbaijan Manat'), ('BAM', 2, 'Convertible Mark'), ('BBD', 2, 'Barbados Dollar'),
  ('BDT', 2, 'Taka'), ('BHD', 3, 'Bahraini Dinar'), ('BIF', 0, 'Burundi Franc'), ('BMD', 2, 'Bermudian Dollar'),
  ('BND', 2, 'Brunei Dollar'), ('BOB', 2, 'Boliviano'), ('BOV', 2, 'Mvdol'), ('BRL', 2, 'Brazilian Real'),
  ('BSD', 2, 'Bahamian Dollar'), ('BTN', 2, 'Ngultrum'), ('BWP', 2, 'Pula'), ('BYN', 2, 'Belarusian Ruble'),
  ('BZD', 2, 'Belize Dollar'), ('CAD', 2, 'Canadian Dollar'), ('CDF', 2, 'Congolese Franc'),
  ('CHE', 2, 'WIR Euro'), ('CHF', 2, 'Swiss Franc'), ('CHW', 2, 'WIR Franc'),
  ('CLF', 4, 'Unidad de Fomento'), ('CLP', 0, 'Chilean Peso'), ('CNY', 2, 'Yuan Renminbi'),
  ('COP', 2, 'Colombian Peso'), ('COU', 2, 'Unidad de Valor Real'), ('CRC', 2, 'Costa Rican Colon'),
  ('CUP', 2, 'Cuban Peso'), ('CVE', 2, 'Cabo Verde Escudo'), ('CZK', 2, 'Czech Koruna'),
  ('DJF', 0, 'Djibouti Franc'), ('DKK', 2, 'Danish Krone'), ('DOP', 2, 'Dominican Peso'),
  ('DZD', 2, 'Algerian Dinar'), ('EGP', 2, 'Egyptian Pound'), ('ERN', 2, 'Nakfa'), ('ETB', 2, 'Ethiopian Birr'),
  ('EUR', 2, 'Euro'), ('FJD', 2, 'Fiji Dollar'), ('FKP', 2, 'Falkland Islands Pound'),
  ('GBP', 2, 'Pound Sterling'), ('GEL', 2, 'Lari'), ('GHS', 2, 'Ghana Cedi'), ('GIP', 2, 'Gibraltar Pound'),
  ('GMD', 2, 'Dalasi'), ('GNF', 0, 'Guinean Franc'), ('GTQ', 2, 'Quetzal'), ('GYD', 2, 'Guyana Dollar'),
  ('HKD', 2, 'Hong Kong Dollar'), ('HNL', 2, 'Lempira'), ('HTG', 2, 'Gourde'), ('HUF', 2, 'Forint'),
  ('IDR', 2, 'Rupiah'), ('ILS', 2, 'New Israeli Sheqel'), ('INR', 2, 'Indian Rupee'), ('IQD', 3, 'Iraqi Dinar'),
  ('IRR', 2, 'Iranian Rial'), ('ISK', 0, 'Iceland Krona'), ('JMD', 2, 'Jamaican Dollar'),
  ('JOD', 3, 'Jordanian Dinar'), ('JPY', 0, 'Yen'), ('KES', 2, 'Kenyan Shilling'), ('KGS', 2, 'Som'),
  ('KHR', 2, 'Riel'), ('KMF', 0, 'Comorian Franc'), ('KPW', 2, 'North Korean Won'), ('KRW', 0, 'Won'),
  ('KWD', 3, 'Kuwaiti Dinar'), ('KYD', 2, 'Cayman Islands Dollar'), ('KZT', 2, 'Tenge'), ('LAK', 2, 'Lao Kip'),
  ('LBP', 2, 'Lebanese Pound'), ('LKR', 2, 'Sri Lanka Rupee'), ('LRD', 2, 'Liberian Dollar'), ('LSL', 2, 'Loti'),
  ('LYD', 3, 'Libyan Dinar'), ('MAD', 2, 'Moroccan Dirham'), ('MDL', 2, 'Moldovan Leu'),
  ('MGA', 2, 'Malagasy Ariary'), ('MKD', 2, 'Denar'), ('MMK', 2, 'Kyat'), ('MNT', 2, 'Tugrik'),
  ('MOP', 2, 'Pataca'), ('MRU', 2, 'Ouguiya'), ('MUR', 2, 'Mauritius Rupee'), ('MVR', 2, 'Rufiyaa'),
  ('MWK', 2, 'Malawi Kwacha'), ('MXN', 2, 'Mexican Peso'), ('MXV', 2, 'Mexican Unidad de Inversion (UDI)'),
  ('MYR', 2, 'Malaysian Ringgit'), ('MZN', 2, 'Mozambique Metical'), ('NAD', 2, 'Namibia Dollar'),
  ('NGN', 2, 'Naira'), ('NIO', 2, 'Cordoba Oro'), ('NOK', 2, 'Norwegian Krone'), ('NPR', 2, 'Nepalese Rupee'),
  ('NZD', 2, 'New Zealand Dollar'), ('OMR', 3, 'Rial Omani'), ('PAB', 2, 'Balboa'), ('PEN', 2, 'Sol'),
  ('PGK', 2, 'Kina'), ('PHP', 2, 'Philippine Peso'), ('PKR', 2, 'Pakistan Rupee'), ('PLN', 2, 'Zloty'),
  ('PYG', 0, 'Guarani'), ('QAR', 2, 'Qatari Rial'), ('RON', 2, 'Romanian Leu'), ('RSD', 2, 'Serbian Dinar'),
  ('RUB', 2, 'Russian Ruble'), ('RWF', 0, 'Rwanda Franc'), ('SAR', 2, 'Saudi Riyal'),
  ('SBD', 2, 'Solomon Islands Dollar'), ('SCR', 2, 'Seychelles Rupee'), ('SDG', 2, 'Sudanese Pound'),
  ('SEK', 2, 'Swedish Krona'), ('SGD', 2, 'Singapore Dollar'), ('SHP', 2, 'Saint Helena Pound'),
  ('SLE', 2, 'Leone'), ('SOS', 2, 'Somali Shilling'), ('SRD', 2, 'Surinam Dollar'),
  ('SSP', 2, 'South Sudanese Pound'), ('STN', 2, 'Dobra'), ('SVC', 2, 'El Salvador Colon'),
  ('SYP', 2, 'Syrian Pound'), ('SZL', 2, 'Lilangeni'), ('THB', 2, 'Baht'), ('TJS', 2, 'Somoni'),
  ('TMT', 2, 'Turkmenistan New Manat'), ('TND', 3, 'Tunisian Dinar'), ('TOP', 2, 'Pa''anga'),
  ('TRY', 2, 'Turkish Lira'), ('TTD', 2, 'Trinidad and Tobago Dollar'), ('TWD', 2, 'New Taiwan Dollar'),
  ('TZS', 2, 'Tanzanian Shilling'), ('UAH', 2, 'Hryvnia'), ('UGX', 0, 'Uganda Shilling'),
  ('USD', 2, 'US Dollar'), ('USN', 2, 'US Dollar (Next day)'), ('UYI', 0, 'Uruguay Peso en Unidades Indexadas (UI)'),
  ('UYU', 2, 'Peso Uruguayo'), ('UYW', 4, 'Unidad Previsional'), ('UZS', 2, 'Uzbekistan Sum'),
  ('VED', 2, 'Bolivar Soberano'), ('VES', 2, 'Bolivar Soberano'), ('VND', 0, 'Dong'), ('VUV', 0, 'Vatu'),
  ('WST', 2, 'Tala'), ('XAF', 0, 'CFA Franc BEAC'), ('XCD', 2, 'East Caribbean Dollar'),
  ('XCG', 2, 'Caribbean Guilder'), ('XOF', 0, 'CFA Franc BCEAO'), ('XPF', 0, 'CFP Franc'),
  ('YER', 2, 'Yemeni Rial'), ('ZAR', 2, 'Rand'), ('ZMW', 2, 'Zambian Kwacha'), ('ZWG', 2, 'Zimbabwe Gold');

CREATE TABLE app.org_settings (
  org_id                    uuid        NOT NULL PRIMARY KEY REFERENCES app.organizations (id) ON DELETE CASCADE,
  currency                  char(3)     REFERENCES app.currencies (code),
  vat_rate_bp               integer     NOT NULL DEFAULT 0 CHECK (vat_rate_bp BETWEEN 0 AND 10000),
  prices_include_vat        boolean     NOT NULL DEFAULT true,
  vat_number                text        CHECK (length(btrim(vat_number)) BETWEEN 1 AND 50),
  loyalty_points_per_major  integer     NOT NULL DEFAULT 0 CHECK (loyalty_points_per_major BETWEEN 0 AND 1000000),
  loyalty_point_value_minor integer     NOT NULL DEFAULT 0 CHECK (loyalty_point_value_minor BETWEEN 0 AND 1000000),
  full_refund_before        interval    NOT NULL DEFAULT '48 hours'
                                        CHECK (full_refund_before BETWEEN '0 minutes' AND '366 days'),
  late_refund_percent       integer     NOT NULL DEFAULT 0 CHECK (late_refund_percent BETWEEN 0 AND 100),
  updated_at                timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE app.org_settings IS
  'An organization''s money terms, one row made with it. currency NULL = not chosen yet; once set, every '
  'experience of the organization uses it. vat_rate_bp: basis points (1500 = 15 %). loyalty_points_per_major: '
  'points earned per whole currency unit paid (0 = no loyalty); loyalty_point_value_minor: minor units a redeemed '
  'point is worth (0 = no redemption). full_refund_before / late_refund_percent: the refund policy of every '
  'experience that does not set its own.';

-- Existing organizations get their row now; new ones get it from the trigger on app.organizations (orders_rules).
-- An organization whose experiences all use one currency is taken to have chosen it.
INSERT INTO app.org_settings (org_id, currency)
SELECT o.id, (SELECT min(e.currency) FROM app.experiences e WHERE e.org_id = o.id
               HAVING count(DISTINCT e.currency) = 1 AND min(e.currency) IN (SELECT code FROM app.currencies))
  FROM app.organizations o;

CREATE TYPE app.order_status AS ENUM
  ('pending', 'paid', 'failed', 'expired', 'cancelled', 'partially_refunded', 'refunded');
COMMENT ON TYPE app.order_status IS
  'pending -> paid | failed | expired | cancelled; failed | expired -> paid (late payment); paid -> '
  'partially_refunded | refunded; partially_refunded -> refunded; failed | expired | cancelled -> refunded once '
  'money was received.';

CREATE TABLE app.orders (
  org_id             uuid             NOT NULL,
  id                 uuid             NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  booking_id         uuid             NOT NULL,
  customer_id        uuid             NOT NULL,
  status             app.order_status NOT NULL DEFAULT 'pending',
  currency           char(3)          NOT NULL REFERENCES app.currencies (code),
  prices_include_vat boolean          NOT NULL,
  vat_rate_bp        integer          NOT NULL CHECK (vat_rate_bp BETWEEN 0 AND 10000),
  subtotal_minor     bigint           NOT NULL CHECK (subtotal_minor >= 0),
  discount_minor     bigint           NOT NULL DEFAULT 0 CHECK (discount_minor BETWEEN 0 AND subtotal_minor),
  vat_minor          bigint           NOT NULL CHECK (vat_minor >= 0),
  total_minor        bigint           NOT NULL CHECK (total_minor >= 0),
  paid_minor         bigint           NOT NULL DEFAULT 0 CHECK (paid_minor >= 0),
  refunded_minor     bigint           NOT NULL DEFAULT 0 CHECK (refunded_minor BETWEEN 0 AND paid_minor),
  expires_at         timestamptz      NOT NULL,
  refund_required    boolean          NOT NULL DEFAULT false,
  created_by         uuid,
  created_at         timestamptz      NOT NULL DEFAULT now(),
  updated_at         timestamptz      NOT NULL DEFAULT now(),
  paid_at            timestamptz,
  CONSTRAINT orders_total_identity CHECK (
    total_minor = subtotal_minor - discount_minor + CASE WHEN prices_include_vat THEN 0 ELSE vat_minor END),
  CONSTRAINT orders_vat_within_total CHECK (NOT prices_include_vat OR vat_minor <= total_minor),
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, booking_id) REFERENCES app.bookings (org_id, id),
  FOREIGN KEY (org_id, customer_id) REFERENCES app.customers (org_id, id)
);
COMMENT ON TABLE app.orders IS
  'What a booking costs and what has been paid and refunded for it, in minor units of currency. subtotal: the '
  'item lines; discount: the promo and loyalty lines, as a positive amount; vat: the tax of all lines; total = '
  'subtotal - discount (+ vat when prices_include_vat is false). The VAT terms are those of the organization when '
  'the order was made. expires_at: the payment deadline, the booking''s hold.';
-- A failed, expired or cancelled order lets the customer order again while the hold lasts; a live one does not.
CREATE UNIQUE INDEX orders_one_live_per_booking ON app.orders (booking_id)
  WHERE status IN ('pending', 'paid', 'partially_refunded', 'refunded');
CREATE INDEX orders_org_idx ON app.orders (org_id, created_at);
CREATE INDEX orders_booking_idx ON app.orders (org_id, booking_id);
CREATE INDEX orders_customer_idx ON app.orders (org_id, customer_id);
CREATE INDEX orders_pending_expiry_idx ON app.orders (expires_at) WHERE status = 'pending';

CREATE TABLE app.order_lines (
  org_id            uuid     NOT NULL,
  order_id          uuid     NOT NULL,
  line_no           smallint NOT NULL CHECK (line_no >= 1),
  kind              text     NOT NULL CHECK (kind IN ('item', 'promo', 'loyalty')),
  ticket_type_id    uuid,
  description       text     NOT NULL CHECK (length(btrim(description)) BETWEEN 1 AND 300),
  quantity          integer  NOT NULL CHECK (quantity >= 1),
  unit_price_minor  bigint   NOT NULL,
  amount_minor      bigint   NOT NULL,
  vat_minor         bigint   NOT NULL,
  price_rule_id     uuid,
  PRIMARY KEY (order_id, line_no),
  FOREIGN KEY (org_id, order_id) REFERENCES app.orders (org_id, id),
  FOREIGN KEY (org_id, ticket_type_id) REFERENCES app.ticket_types (org_id, id),
  -- Items charge, discounts (promo, loyalty) take off; a line's tax has the sign of its amount.
  CHECK (CASE WHEN kind = 'item' THEN amount_minor >= 0 AND amount_minor = quantity * unit_price_minor
              ELSE amount_minor <= 0 AND quantity = 1 AND unit_price_minor = amount_minor AND ticket_type_id IS NULL
         END),
  CHECK ((amount_minor >= 0 AND vat_minor >= 0) OR (amount_minor <= 0 AND vat_minor <= 0))
);
COMMENT ON TABLE app.order_lines IS
  'The lines of an order, insert-only: items (quantity x unit price, after any price rule) and discounts (promo, '
  'loyalty: negative amounts). vat_minor is the tax of the line, signed like it; the lines sum to the order''s '
  'totals.';
CREATE INDEX order_lines_org_idx ON app.order_lines (org_id, order_id);
CREATE INDEX order_lines_ticket_type_idx ON app.order_lines (org_id, ticket_type_id) WHERE ticket_type_id IS NOT NULL;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['currencies', 'org_settings', 'orders', 'order_lines'] LOOP
    EXECUTE format('ALTER TABLE app.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE app.%I FORCE ROW LEVEL SECURITY', t);
  END LOOP;
END
$$;

COMMIT;
