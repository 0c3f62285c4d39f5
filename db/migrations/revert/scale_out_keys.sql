-- Revert tessera:scale_out_keys from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

DROP INDEX app.order_lines_price_rule_idx;
CREATE INDEX order_lines_price_rule_idx ON app.order_lines (price_rule_id) WHERE price_rule_id IS NOT NULL;
ALTER TABLE app.order_lines DROP CONSTRAINT order_lines_price_rule_fkey,
  ADD CONSTRAINT order_lines_price_rule_fkey FOREIGN KEY (price_rule_id)
    REFERENCES app.price_rules (id) ON DELETE SET NULL;

DROP INDEX app.loyalty_ledger_once_per_refund;
CREATE UNIQUE INDEX loyalty_ledger_once_per_refund ON app.loyalty_ledger (refund_id) WHERE refund_id IS NOT NULL;
DROP INDEX app.orders_one_live_per_booking;
CREATE UNIQUE INDEX orders_one_live_per_booking ON app.orders (booking_id)
  WHERE status IN ('pending', 'paid', 'partially_refunded', 'refunded');

ALTER TABLE app.venue_hours DROP CONSTRAINT venue_hours_venue_id_weekday_timerange_excl,
  ADD CONSTRAINT venue_hours_venue_id_weekday_timerange_excl
    EXCLUDE USING gist (venue_id WITH =, weekday WITH =, app.timerange(opens, closes) WITH &&);
ALTER TABLE app.price_tiers DROP CONSTRAINT price_tiers_experience_id_int4range_excl,
  ADD CONSTRAINT price_tiers_experience_id_int4range_excl
    EXCLUDE USING gist (experience_id WITH =, int4range(min_party, max_party, '[]') WITH &&);
ALTER TABLE app.booking_resources DROP CONSTRAINT booking_resources_no_overlap,
  ADD CONSTRAINT booking_resources_no_overlap EXCLUDE USING gist (resource_id WITH =, during WITH &&);

ALTER TABLE app.session_staff DROP CONSTRAINT session_staff_pkey,
  ADD CONSTRAINT session_staff_pkey PRIMARY KEY (slot_id, user_id);
ALTER TABLE app.webhook_deliveries DROP CONSTRAINT webhook_deliveries_once,
  ADD CONSTRAINT webhook_deliveries_once UNIQUE (endpoint_id, event_key);
ALTER TABLE app.schedules DROP CONSTRAINT schedules_experience_id_weekday_start_time_valid_from_key,
  ADD CONSTRAINT schedules_experience_id_weekday_start_time_valid_from_key
    UNIQUE (experience_id, weekday, start_time, valid_from);
ALTER TABLE app.waiver_versions DROP CONSTRAINT waiver_versions_template_id_version_key,
  ADD CONSTRAINT waiver_versions_template_id_version_key UNIQUE (template_id, version);
ALTER TABLE app.promo_redemptions DROP CONSTRAINT promo_redemptions_order_id_key,
  ADD CONSTRAINT promo_redemptions_order_id_key UNIQUE (order_id);
ALTER TABLE app.leads DROP CONSTRAINT leads_booking_id_key,
  ADD CONSTRAINT leads_booking_id_key UNIQUE (booking_id);

COMMENT ON CONSTRAINT price_tiers_experience_id_int4range_excl ON app.price_tiers IS
  'PT409 overlapping: another price tier of this experience already covers some of these party sizes';
COMMENT ON CONSTRAINT schedules_experience_id_weekday_start_time_valid_from_key ON app.schedules IS
  'PT400 invalid: the same start is listed twice';
COMMENT ON CONSTRAINT venue_hours_venue_id_weekday_timerange_excl ON app.venue_hours IS
  'PT400 overlapping: two opening intervals of the same weekday overlap';

COMMIT;
