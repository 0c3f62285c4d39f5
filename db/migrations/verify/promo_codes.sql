-- Verify tessera:promo_codes on pg
--
-- Raises unless the promo and price-rule tables exist with RLS enabled and forced, a code's uses are bounded by a
-- CHECK, and experiences may leave their refund policy to the organization.

BEGIN;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['price_rules', 'promo_codes', 'promo_code_experiences', 'promo_customer_uses',
                           'promo_redemptions'] LOOP
    IF NOT (SELECT relrowsecurity AND relforcerowsecurity FROM pg_catalog.pg_class
             WHERE oid = format('app.%I', t)::regclass) THEN
      RAISE EXCEPTION 'row-level security is not enabled and forced on app.%', t;
    END IF;
  END LOOP;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_constraint WHERE conrelid = 'app.promo_codes'::regclass
                  AND conname = 'promo_codes_uses_within_max') THEN
    RAISE EXCEPTION 'app.promo_codes does not bound its uses';
  END IF;
  IF (SELECT attnotnull FROM pg_catalog.pg_attribute WHERE attrelid = 'app.experiences'::regclass
       AND attname = 'full_refund_before') THEN
    RAISE EXCEPTION 'app.experiences.full_refund_before cannot take the organization''s default';
  END IF;
END
$$;

ROLLBACK;
