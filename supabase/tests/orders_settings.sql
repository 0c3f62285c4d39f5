-- Organization settings: made with every organization, read by members, changed by admins only, validated in
-- words (unknown currency, VAT outside 0 to 100 %), audited; the currency every experience then keeps; refund
-- policy defaults that experiences without their own follow.
BEGIN;
\ir setup.psql
SELECT plan(29);

\ir fixtures.psql
SELECT pg_temp.shop();
SELECT pg_temp.fresh('org_c', 'riyadh', 'dunes');

-- Made with the organization. ---------------------------------------------------------------------------------------
SELECT is((SELECT count(*)::int FROM app.org_settings WHERE org_id IN (pg_temp.id('org_a'), pg_temp.id('org_b'))), 2,
          'every organization has its settings row from the start');
SELECT is((SELECT count(*)::int FROM app.organizations o
            WHERE NOT EXISTS (SELECT FROM app.org_settings s WHERE s.org_id = o.id)), 0,
          'no organization in the database lacks one (the migration backfilled them)');
SELECT results_eq($$ SELECT currency, vat_rate_bp, prices_include_vat, full_refund_before, late_refund_percent
                       FROM app.org_settings WHERE org_id = pg_temp.id('org_b') $$,
                  $$ VALUES (NULL::char(3), 0, true, interval '48 hours', 0) $$,
                  'a new organization has no currency yet, no VAT, prices including VAT, 48 hours / 0 % refunds');

-- Who reads and who writes. ------------------------------------------------------------------------------------------
SELECT pg_temp.act_as('staff_a');
SELECT is((api.get_org_settings(pg_temp.id('org_a'))) ->> 'vat_rate_bp', '0', 'staff read their settings');
SELECT throws_ok(format($$ SELECT api.update_org_settings(%L, vat_rate_bp => 1500) $$, pg_temp.id('org_a')),
                 'PT403', NULL, 'staff may not change them');
SELECT pg_temp.act_as('manager_a');
SELECT throws_ok(format($$ SELECT api.update_org_settings(%L, vat_rate_bp => 1500) $$, pg_temp.id('org_a')),
                 'PT403', NULL, 'nor managers');
SELECT pg_temp.act_as('admin_b');
SELECT throws_ok(format($$ SELECT api.get_org_settings(%L) $$, pg_temp.id('org_a')), 'PT404',
                 'organization not found', 'another organization''s admin cannot see them');
SELECT throws_ok(format($$ SELECT api.update_org_settings(%L, vat_rate_bp => 1500) $$, pg_temp.id('org_a')),
                 'PT404', 'organization not found', '… nor change them');
SELECT pg_temp.act_as('outsider');
SELECT throws_ok(format($$ SELECT api.get_org_settings(%L) $$, pg_temp.id('org_a')), 'PT404',
                 'organization not found', 'a non-member sees nothing');
SELECT pg_temp.act_as('anon');
SELECT throws_ok(format($$ SELECT api.get_org_settings(%L) $$, pg_temp.id('org_a')), '42501', NULL,
                 'anon may not call it');

SELECT pg_temp.act_as('admin_a');
SELECT is(api.update_org_settings(pg_temp.id('org_a'), vat_rate_bp => 2000, prices_include_vat => false,
                                  vat_number => ' GB123456789 ') - 'updated_at',
          jsonb_build_object('org_id', pg_temp.id('org_a'), 'currency', NULL, 'minor_digits', NULL,
                             'vat_rate_bp', 2000, 'prices_include_vat', false, 'vat_number', 'GB123456789',
                             'loyalty_points_per_major', 0, 'loyalty_point_value_minor', 0,
                             'full_refund_before', '48:00:00', 'late_refund_percent', 0),
          'an admin changes what is given and keeps the rest; the answer is the settings');
SELECT is((api.update_org_settings(pg_temp.id('org_a'), loyalty_points_per_major => 2)) ->> 'vat_rate_bp', '2000',
          'NULL keeps a value');
SELECT is((api.update_org_settings(pg_temp.id('org_a'), vat_number => '')) -> 'vat_number', 'null'::jsonb,
          'an empty vat_number removes it');
SELECT pg_temp.act_as('owner_a');
SELECT is((api.update_org_settings(pg_temp.id('org_a'), late_refund_percent => 25)) ->> 'late_refund_percent', '25',
          'the owner changes them too');

-- Validation in words. ---------------------------------------------------------------------------------------------
SELECT throws_ok(format($$ SELECT api.update_org_settings(%L, currency => 'XYZ') $$, pg_temp.id('org_a')), 'PT400',
                 'unknown currency XYZ: use an ISO 4217 code such as SAR, GBP, EUR', 'an unknown currency is refused');
SELECT throws_ok(format($$ SELECT api.update_org_settings(%L, vat_rate_bp => 10001) $$, pg_temp.id('org_a')),
                 'PT400', 'VAT rate must be 0 to 100 % (0 to 10000 basis points), not 10001 basis points',
                 'a VAT rate over 100 % is refused');
SELECT throws_ok(format($$ SELECT api.update_org_settings(%L, vat_rate_bp => -1) $$, pg_temp.id('org_a')),
                 'PT400', 'VAT rate must be 0 to 100 % (0 to 10000 basis points), not -1 basis points',
                 '… and a negative one');
SELECT throws_ok(format($$ SELECT api.update_org_settings(%L, late_refund_percent => 101) $$, pg_temp.id('org_a')),
                 'PT400', 'late_refund_percent must be a whole number from 0 to 100, not 101',
                 'a refund percentage over 100 is refused naming it');
SELECT throws_ok(format($$ SELECT api.update_org_settings(%L, vat_number => repeat('x', 51)) $$,
                        pg_temp.id('org_a')), 'PT400', 'vat_number is 0 to 50 characters long, not 51',
                 'a VAT number over 50 characters is refused');

-- One currency per organization. ------------------------------------------------------------------------------------
SELECT throws_ok(format($$ SELECT api.update_org_settings(%L, currency => 'gbp') $$, pg_temp.id('org_a')), 'PT409',
                 'some experiences of this organization are sold in USD, not GBP',
                 'a currency some experience does not use is refused (org_a sells in GBP and USD)');
RESET ROLE;
INSERT INTO app.organizations (id, name, slug) VALUES (pg_temp.id('org_c'), 'Org C', pg_temp.slug('org_c'));
INSERT INTO app.memberships (org_id, user_id, role) VALUES (pg_temp.id('org_c'), pg_temp.id('admin_b'), 'admin');
INSERT INTO app.venues (org_id, id, name, timezone) VALUES
  (pg_temp.id('org_c'), pg_temp.id('riyadh'), 'Riyadh', 'Asia/Riyadh');
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, max_party, currency) VALUES
  (pg_temp.id('org_c'), pg_temp.id('riyadh'), pg_temp.id('dunes'), 'private_session', 'Dunes', 60, 6, 'SAR');
SELECT pg_temp.act_as('admin_b');
SELECT is((api.update_org_settings(pg_temp.id('org_c'), currency => 'sar', vat_rate_bp => 1500))
            - 'updated_at' - 'org_id' - 'vat_number' - 'loyalty_points_per_major' - 'loyalty_point_value_minor'
            - 'full_refund_before' - 'late_refund_percent',
          '{"currency": "SAR", "minor_digits": 2, "vat_rate_bp": 1500, "prices_include_vat": true}'::jsonb,
          'a Saudi venue: SAR (2 minor digits), 15 % included');
RESET ROLE;
SELECT throws_ok(format($$ INSERT INTO app.experiences (org_id, venue_id, kind, name, duration_minutes, max_party,
                                                         currency)
                           VALUES (%L, %L, 'private_session', 'Dollars', 60, 6, 'USD') $$,
                        pg_temp.id('org_c'), pg_temp.id('riyadh')), 'PT409', 'this organization sells in SAR, not USD',
                 'then a new experience in another currency is refused');
SELECT throws_ok(format($$ UPDATE app.experiences SET currency = 'EUR' WHERE id = %L $$, pg_temp.id('dunes')),
                 'PT409', 'this organization sells in SAR, not EUR', '… and so is changing one''s currency');
SELECT throws_ok(format($$ UPDATE app.experiences SET currency = 'XYZ' WHERE id = %L $$, pg_temp.id('subway')),
                 'PT400', 'unknown currency XYZ: use an ISO 4217 code such as SAR, GBP, EUR',
                 'an experience''s currency is an ISO 4217 code');

-- Audited. -------------------------------------------------------------------------------------------------------------
SELECT is((SELECT new_values ->> 'vat_rate_bp' FROM audit.log
            WHERE table_name = 'app.org_settings' AND org_id = pg_temp.id('org_c') AND operation = 'UPDATE'
            ORDER BY id DESC LIMIT 1), '1500', 'every change of the settings is in the audit log');
SELECT is((SELECT actor FROM audit.log
            WHERE table_name = 'app.org_settings' AND org_id = pg_temp.id('org_c') AND operation = 'UPDATE'
            ORDER BY id DESC LIMIT 1), pg_temp.id('admin_b'), '… with who made it');

-- Refund policy defaults. ------------------------------------------------------------------------------------------
SELECT is((SELECT full_refund_before FROM app.experiences WHERE id = pg_temp.id('dunes')), NULL,
          'a new experience leaves its refund policy to the organization');
SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE made AS
SELECT n, (api.create_booking(pg_temp.id('vault'), (SELECT at_19 FROM day) + (n - 1) * interval '1 day',
                              'guest' || n || '@example.com', 2)).id
  FROM generate_series(1, 2) n;
RESET ROLE;
UPDATE app.bookings SET status = 'confirmed' WHERE id IN (SELECT id FROM made);
-- Ten days ahead: within a 30-day cutoff, the late percentage (25 %, org_a's default set above) applies.
UPDATE app.org_settings SET full_refund_before = '30 days' WHERE org_id = pg_temp.id('org_a');
SELECT pg_temp.act_as('staff_a');
SELECT is(api.cancel_booking((SELECT id FROM made WHERE n = 1)), 1250::bigint,
          'an experience without a policy refunds by its organization''s defaults (25 % of 5000)');
RESET ROLE;
UPDATE app.experiences SET full_refund_before = '1 day', late_refund_percent = 0 WHERE id = pg_temp.id('vault');
SELECT pg_temp.act_as('staff_a');
SELECT is(api.cancel_booking((SELECT id FROM made WHERE n = 2)), 5000::bigint,
          'an experience with its own policy keeps it (in full, a day ahead)');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
