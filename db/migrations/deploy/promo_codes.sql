-- Deploy tessera:promo_codes to pg
-- requires: orders_rules
--
-- What changes a price, kept by the tables themselves:
--   price_rules              early-bird (booked at least some time ahead, or before a date) and time-based (the
--                            session's venue-local weekday and start time) prices of an experience, optionally of
--                            one ticket type: percent off, amount off, or a replacement price
--   promo_codes              codes customers type (case-insensitive, unique per organization): percent or amount
--                            off, a validity window, and a `uses` counter that a CHECK keeps within max_uses, so the
--                            statement that takes a use is the statement that checks one was left (row lock + CHECK,
--                            the house pattern of slot_ticket_counts: no race)
--   promo_code_experiences   the experiences a code is restricted to (none listed = all)
--   promo_customer_uses      per code and customer, a counter carrying a copy of the code's per-customer limit
--   promo_redemptions        which order took a use of which code; released_at when the order gave it back
-- Experiences' refund policy columns become nullable: NULL = the organization's default in org_settings.

BEGIN;

CREATE TABLE app.price_rules (
  org_id                   uuid        NOT NULL,
  experience_id            uuid        NOT NULL,
  id                       uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  ticket_type_id           uuid,
  name                     text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
  kind                     text        NOT NULL CHECK (kind IN ('early_bird', 'time_based')),
  min_lead                 interval    CHECK (min_lead > '0 minutes'),
  booked_before            timestamptz,
  weekdays                 smallint[]  CHECK (weekdays <@ '{1,2,3,4,5,6,7}' AND cardinality(weekdays) >= 1),
  starts_from              time,
  starts_until             time,
  percent_off              integer     CHECK (percent_off BETWEEN 1 AND 100),
  amount_off_minor         bigint      CHECK (amount_off_minor >= 1),
  replacement_price_minor  bigint      CHECK (replacement_price_minor >= 0),
  active                   boolean     NOT NULL DEFAULT true,
  created_at               timestamptz NOT NULL DEFAULT now(),
  updated_at               timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, experience_id) REFERENCES app.experiences (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, ticket_type_id) REFERENCES app.ticket_types (org_id, id) ON DELETE CASCADE,
  CONSTRAINT price_rules_one_change CHECK (num_nonnulls(percent_off, amount_off_minor, replacement_price_minor) = 1),
  CONSTRAINT price_rules_condition CHECK (CASE kind
    WHEN 'early_bird' THEN num_nonnulls(min_lead, booked_before) >= 1
                           AND num_nulls(weekdays, starts_from, starts_until) = 3
    ELSE num_nonnulls(weekdays, starts_from, starts_until) >= 1 AND num_nulls(min_lead, booked_before) = 2 END),
  CHECK (starts_from IS NULL OR starts_until IS NULL OR starts_from < starts_until)
);
COMMENT ON TABLE app.price_rules IS
  'Prices that depend on when: early_bird (booked at least min_lead before the start and/or before booked_before) '
  'or time_based (the session''s venue-local ISO weekday in weekdays and start time in [starts_from, '
  'starts_until)). Each changes the unit price: percent_off, amount_off_minor (never below 0) or '
  'replacement_price_minor. Of the rules that apply to a line, the one giving the lowest unit price wins.';
CREATE INDEX price_rules_experience_idx ON app.price_rules (org_id, experience_id);
CREATE INDEX price_rules_ticket_type_idx ON app.price_rules (org_id, ticket_type_id) WHERE ticket_type_id IS NOT NULL;

ALTER TABLE app.order_lines
  ADD CONSTRAINT order_lines_price_rule_fkey FOREIGN KEY (price_rule_id) REFERENCES app.price_rules (id)
  ON DELETE SET NULL;
CREATE INDEX order_lines_price_rule_idx ON app.order_lines (price_rule_id) WHERE price_rule_id IS NOT NULL;

CREATE TABLE app.promo_codes (
  org_id                 uuid        NOT NULL REFERENCES app.organizations (id) ON DELETE CASCADE,
  id                     uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  code                   text        NOT NULL CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_-]{1,39}$'),
  code_key               text        NOT NULL GENERATED ALWAYS AS (lower(code)) STORED,
  percent_off            integer     CHECK (percent_off BETWEEN 1 AND 100),
  amount_off_minor       bigint      CHECK (amount_off_minor >= 1),
  currency               char(3)     REFERENCES app.currencies (code),
  valid_from             timestamptz,
  valid_until            timestamptz,
  max_uses               integer     CHECK (max_uses >= 1),
  uses                   integer     NOT NULL DEFAULT 0,
  max_uses_per_customer  integer     CHECK (max_uses_per_customer >= 1),
  active                 boolean     NOT NULL DEFAULT true,
  created_by             uuid,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT promo_codes_uses_within_max CHECK (uses >= 0 AND (max_uses IS NULL OR uses <= max_uses)),
  CHECK ((percent_off IS NULL) <> (amount_off_minor IS NULL)),
  CHECK ((amount_off_minor IS NULL) = (currency IS NULL)),
  CHECK (valid_from IS NULL OR valid_until IS NULL OR valid_from < valid_until),
  UNIQUE (org_id, code_key),
  UNIQUE (org_id, id)
);
COMMENT ON TABLE app.promo_codes IS
  'Codes customers type at checkout, whatever their case: percent_off or amount_off_minor (in currency), valid in '
  '[valid_from, valid_until), at most max_uses orders (NULL = unlimited; uses: the orders holding a use, within it by CHECK) '
  'and max_uses_per_customer per customer.';

CREATE TABLE app.promo_code_experiences (
  org_id         uuid NOT NULL,
  promo_code_id  uuid NOT NULL,
  experience_id  uuid NOT NULL,
  PRIMARY KEY (promo_code_id, experience_id),
  FOREIGN KEY (org_id, promo_code_id) REFERENCES app.promo_codes (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, experience_id) REFERENCES app.experiences (org_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE app.promo_code_experiences IS 'The experiences a promo code is restricted to; none listed = all.';
CREATE INDEX promo_code_experiences_org_idx ON app.promo_code_experiences (org_id, promo_code_id);
CREATE INDEX promo_code_experiences_experience_idx ON app.promo_code_experiences (org_id, experience_id);

CREATE TABLE app.promo_customer_uses (
  org_id         uuid    NOT NULL,
  promo_code_id  uuid    NOT NULL,
  customer_id    uuid    NOT NULL,
  max_uses       integer NOT NULL CHECK (max_uses >= 1),
  uses           integer NOT NULL DEFAULT 0,
  CONSTRAINT promo_customer_uses_within_max CHECK (uses BETWEEN 0 AND max_uses),
  PRIMARY KEY (promo_code_id, customer_id),
  FOREIGN KEY (org_id, promo_code_id) REFERENCES app.promo_codes (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, customer_id) REFERENCES app.customers (org_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE app.promo_customer_uses IS
  'Live uses of a promo code by one customer, within a copy of the code''s per-customer limit (CHECK).';
CREATE INDEX promo_customer_uses_org_idx ON app.promo_customer_uses (org_id, promo_code_id);
CREATE INDEX promo_customer_uses_customer_idx ON app.promo_customer_uses (org_id, customer_id);

CREATE TABLE app.promo_redemptions (
  org_id         uuid        NOT NULL,
  id             uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  promo_code_id  uuid        NOT NULL,
  order_id       uuid        NOT NULL UNIQUE,
  customer_id    uuid        NOT NULL,
  amount_minor   bigint      NOT NULL CHECK (amount_minor >= 0),
  created_at     timestamptz NOT NULL DEFAULT now(),
  released_at    timestamptz,
  CHECK (released_at IS NULL OR released_at >= created_at),
  FOREIGN KEY (org_id, promo_code_id) REFERENCES app.promo_codes (org_id, id),
  FOREIGN KEY (org_id, order_id) REFERENCES app.orders (org_id, id),
  FOREIGN KEY (org_id, customer_id) REFERENCES app.customers (org_id, id)
);
COMMENT ON TABLE app.promo_redemptions IS
  'The use of a promo code an order took (its discount, positive); released_at is set, once, when the order '
  'expired, was cancelled or failed and gave the use back.';
CREATE INDEX promo_redemptions_code_idx ON app.promo_redemptions (org_id, promo_code_id) WHERE released_at IS NULL;
CREATE INDEX promo_redemptions_customer_idx ON app.promo_redemptions (org_id, customer_id);

ALTER TABLE app.experiences
  ALTER COLUMN full_refund_before DROP NOT NULL, ALTER COLUMN full_refund_before DROP DEFAULT,
  ALTER COLUMN late_refund_percent DROP NOT NULL, ALTER COLUMN late_refund_percent DROP DEFAULT;
COMMENT ON COLUMN app.experiences.full_refund_before IS
  'Cancelled at least this long before the start: refunded in full. NULL = the organization''s default.';
COMMENT ON COLUMN app.experiences.late_refund_percent IS
  'Cancelled later, until the start: this percentage refunded. NULL = the organization''s default.';

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['price_rules', 'promo_codes', 'promo_code_experiences', 'promo_customer_uses',
                           'promo_redemptions'] LOOP
    EXECUTE format('ALTER TABLE app.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE app.%I FORCE ROW LEVEL SECURITY', t);
  END LOOP;
END
$$;

COMMIT;
