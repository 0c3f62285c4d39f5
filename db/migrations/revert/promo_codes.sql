-- Revert tessera:promo_codes from pg
--
-- Drops the promo and price-rule tables; experiences' refund policy is required again, NULLs taking the defaults
-- the organization had (which is what they meant).

BEGIN;

UPDATE app.experiences e
   SET full_refund_before = coalesce(e.full_refund_before, s.full_refund_before),
       late_refund_percent = coalesce(e.late_refund_percent, s.late_refund_percent)
  FROM app.org_settings s
 WHERE s.org_id = e.org_id AND (e.full_refund_before IS NULL OR e.late_refund_percent IS NULL);
ALTER TABLE app.experiences
  ALTER COLUMN full_refund_before SET DEFAULT '48 hours', ALTER COLUMN full_refund_before SET NOT NULL,
  ALTER COLUMN late_refund_percent SET DEFAULT 0, ALTER COLUMN late_refund_percent SET NOT NULL;
COMMENT ON COLUMN app.experiences.full_refund_before IS NULL;
COMMENT ON COLUMN app.experiences.late_refund_percent IS NULL;

DROP TABLE app.promo_redemptions;
DROP TABLE app.promo_customer_uses;
DROP TABLE app.promo_code_experiences;
DROP TABLE app.promo_codes;
ALTER TABLE app.order_lines DROP CONSTRAINT order_lines_price_rule_fkey;
DROP TABLE app.price_rules;

COMMIT;
