-- Deploy tessera:scale_out_keys to pg
-- requires: booking_message_planned
--
-- Citus refuses to distribute a table by org_id while one of its primary key, unique or exclusion constraints
-- leaves org_id out, and wants a foreign key between two distributed tables to carry org_id on both sides
-- (docs/scale-out.md; tests/test_scale_out.py). This change fixes the keys where adding org_id allows exactly
-- what the key allowed before: each one already contains a column that is a composite (org_id, …) foreign key to
-- a tenant row (booking_id, order_id, template_id, experience_id, endpoint_id, slot_id, resource_id, venue_id,
-- refund_id), so that column fixes org_id and "(X) unique" and "(org_id, X) unique" are the same rule. Names are
-- kept, so ON CONFLICT ON CONSTRAINT webhook_deliveries_once / session_staff_pkey and every error mapping by
-- constraint name still hold (the constraints' comments, the words of their
-- errors, are set again); no ON CONFLICT (column list) names one of them (the others are named exceptions in
-- the test). order_lines.price_rule_id references price_rules by (org_id, id) like every other tenant FK.
-- Locks: each ALTER rebuilds one index under ACCESS EXCLUSIVE on its table. These are small configuration tables
-- except booking_resources, orders, loyalty_ledger and order_lines (index builds of seconds on a 1M-booking
-- database); run it in a quiet window.

BEGIN;

ALTER TABLE app.leads DROP CONSTRAINT leads_booking_id_key,
  ADD CONSTRAINT leads_booking_id_key UNIQUE (org_id, booking_id);
ALTER TABLE app.promo_redemptions DROP CONSTRAINT promo_redemptions_order_id_key,
  ADD CONSTRAINT promo_redemptions_order_id_key UNIQUE (org_id, order_id);
ALTER TABLE app.waiver_versions DROP CONSTRAINT waiver_versions_template_id_version_key,
  ADD CONSTRAINT waiver_versions_template_id_version_key UNIQUE (org_id, template_id, version);
ALTER TABLE app.schedules DROP CONSTRAINT schedules_experience_id_weekday_start_time_valid_from_key,
  ADD CONSTRAINT schedules_experience_id_weekday_start_time_valid_from_key
    UNIQUE (org_id, experience_id, weekday, start_time, valid_from);
ALTER TABLE app.webhook_deliveries DROP CONSTRAINT webhook_deliveries_once,
  ADD CONSTRAINT webhook_deliveries_once UNIQUE (org_id, endpoint_id, event_key);
ALTER TABLE app.session_staff DROP CONSTRAINT session_staff_pkey,
  ADD CONSTRAINT session_staff_pkey PRIMARY KEY (org_id, slot_id, user_id);

ALTER TABLE app.booking_resources DROP CONSTRAINT booking_resources_no_overlap,
  ADD CONSTRAINT booking_resources_no_overlap EXCLUDE USING gist (org_id WITH =, resource_id WITH =, during WITH &&);
ALTER TABLE app.price_tiers DROP CONSTRAINT price_tiers_experience_id_int4range_excl,
  ADD CONSTRAINT price_tiers_experience_id_int4range_excl
    EXCLUDE USING gist (org_id WITH =, experience_id WITH =, int4range(min_party, max_party, '[]') WITH &&);
ALTER TABLE app.venue_hours DROP CONSTRAINT venue_hours_venue_id_weekday_timerange_excl,
  ADD CONSTRAINT venue_hours_venue_id_weekday_timerange_excl
    EXCLUDE USING gist (org_id WITH =, venue_id WITH =, weekday WITH =, app.timerange(opens, closes) WITH &&);

DROP INDEX app.orders_one_live_per_booking;
CREATE UNIQUE INDEX orders_one_live_per_booking ON app.orders (org_id, booking_id)
  WHERE status IN ('pending', 'paid', 'partially_refunded', 'refunded');
DROP INDEX app.loyalty_ledger_once_per_refund;
CREATE UNIQUE INDEX loyalty_ledger_once_per_refund ON app.loyalty_ledger (org_id, refund_id)
  WHERE refund_id IS NOT NULL;

ALTER TABLE app.order_lines DROP CONSTRAINT order_lines_price_rule_fkey,
  ADD CONSTRAINT order_lines_price_rule_fkey FOREIGN KEY (org_id, price_rule_id)
    REFERENCES app.price_rules (org_id, id) ON DELETE SET NULL (price_rule_id);
DROP INDEX app.order_lines_price_rule_idx;
CREATE INDEX order_lines_price_rule_idx ON app.order_lines (org_id, price_rule_id) WHERE price_rule_id IS NOT NULL;

COMMENT ON CONSTRAINT price_tiers_experience_id_int4range_excl ON app.price_tiers IS
  'PT409 overlapping: another price tier of this experience already covers some of these party sizes';
COMMENT ON CONSTRAINT schedules_experience_id_weekday_start_time_valid_from_key ON app.schedules IS
  'PT400 invalid: the same start is listed twice';
COMMENT ON CONSTRAINT venue_hours_venue_id_weekday_timerange_excl ON app.venue_hours IS
  'PT400 overlapping: two opening intervals of the same weekday overlap';

COMMIT;
