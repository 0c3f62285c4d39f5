-- Verify tessera:scale_out_keys on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $$
DECLARE
  missing text;
BEGIN
  SELECT string_agg(want.name, ', ') INTO missing
    FROM (VALUES ('leads_booking_id_key'), ('promo_redemptions_order_id_key'),
                 ('waiver_versions_template_id_version_key'),
                 ('schedules_experience_id_weekday_start_time_valid_from_key'), ('webhook_deliveries_once'),
                 ('session_staff_pkey'), ('booking_resources_no_overlap'),
                 ('price_tiers_experience_id_int4range_excl'), ('venue_hours_venue_id_weekday_timerange_excl'),
                 ('order_lines_price_rule_fkey')) AS want (name)
   WHERE NOT EXISTS (
     SELECT FROM pg_catalog.pg_constraint c
       JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attname = 'org_id'
      WHERE c.conname = want.name AND c.connamespace = 'app'::regnamespace AND a.attnum = ANY (c.conkey));
  SELECT concat_ws(', ', missing, string_agg(want.name, ', ')) INTO missing
    FROM (VALUES ('app.orders_one_live_per_booking'), ('app.loyalty_ledger_once_per_refund'),
                 ('app.order_lines_price_rule_idx')) AS want (name)
   WHERE NOT EXISTS (
     SELECT FROM pg_catalog.pg_index i
       JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attname = 'org_id'
      WHERE i.indexrelid = pg_catalog.to_regclass(want.name) AND a.attnum = i.indkey[0]);
  IF missing <> '' THEN
    RAISE EXCEPTION 'scale_out_keys: without org_id: %', missing;
  END IF;
END
$$;

ROLLBACK;
