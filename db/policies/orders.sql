-- Row-level security of the `orders` area: everyone reads the currency list; members of an organization read its
-- settings and admins change them; staff read its orders and their lines, price rules and promo codes. Orders and lines are written only by the
-- definer functions of the area (and of `payments`), never directly.

DROP POLICY IF EXISTS currencies_select ON app.currencies;
CREATE POLICY currencies_select ON app.currencies FOR SELECT TO anon, authenticated USING (true);

DROP POLICY IF EXISTS org_settings_select ON app.org_settings;
CREATE POLICY org_settings_select ON app.org_settings FOR SELECT TO authenticated
  USING (org_id = ANY ((SELECT private.org_ids('staff'))::uuid[]) OR (SELECT private.is_super_admin()));

DROP POLICY IF EXISTS org_settings_update ON app.org_settings;
CREATE POLICY org_settings_update ON app.org_settings FOR UPDATE TO authenticated
  USING (org_id = ANY ((SELECT private.org_ids('admin'))::uuid[]))
  WITH CHECK (org_id = ANY ((SELECT private.org_ids('admin'))::uuid[]));

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['orders', 'order_lines'] LOOP
    EXECUTE format('DROP POLICY IF EXISTS %I ON app.%I', t || '_select', t);
    EXECUTE format($p$CREATE POLICY %I ON app.%I FOR SELECT TO authenticated
      USING (org_id = ANY ((SELECT private.org_ids('staff'))::uuid[]) OR (SELECT private.is_super_admin()))$p$,
      t || '_select', t);
  END LOOP;
END
$$;

-- Price rules, promo codes and their counters: staff read them (managers change them through definer functions).
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['price_rules', 'promo_codes', 'promo_code_experiences', 'promo_customer_uses',
                           'promo_redemptions'] LOOP
    EXECUTE format('DROP POLICY IF EXISTS %I ON app.%I', t || '_select', t);
    EXECUTE format($p$CREATE POLICY %I ON app.%I FOR SELECT TO authenticated
      USING (org_id = ANY ((SELECT private.org_ids('staff'))::uuid[]) OR (SELECT private.is_super_admin()))$p$,
      t || '_select', t);
  END LOOP;
END
$$;
