-- Managing price rules: managers add, list and deactivate them; staff list them; every rule of the wrong shape is
-- refused in words; a new rule prices the next quote, and a deactivated one no longer does.
BEGIN;
\ir setup.psql
SELECT plan(13);

\ir fixtures.psql
SELECT pg_temp.shop();

SELECT pg_temp.act_as('staff_a');
SELECT throws_ok(format($$ SELECT api.create_price_rule(%L, 'Early', 'early_bird', min_lead => '7 days',
                                                         percent_off => 10) $$, pg_temp.id('vault')), 'PT403', NULL,
                 'staff do not add price rules');
SELECT pg_temp.act_as('admin_b');
SELECT throws_ok(format($$ SELECT api.create_price_rule(%L, 'Early', 'early_bird', min_lead => '7 days',
                                                         percent_off => 10) $$, pg_temp.id('vault')), 'PT404',
                 'experience not found', 'another organization sees no experience');
SELECT pg_temp.act_as('manager_a');
CREATE TEMP TABLE rule AS
SELECT api.create_price_rule(pg_temp.id('vault'), 'Early', 'early_bird', min_lead => '7 days', percent_off => 10) r;
GRANT SELECT ON rule TO PUBLIC;
SELECT is((SELECT r - 'id' - 'org_id' - 'created_at' - 'experience_id' FROM rule),
          '{"ticket_type_id": null, "name": "Early", "kind": "early_bird", "min_lead": "7 days",
            "booked_before": null, "weekdays": null, "starts_from": null, "starts_until": null, "percent_off": 10,
            "amount_off_minor": null, "replacement_price_minor": null, "active": true}'::jsonb,
          'a manager adds an early-bird rule');
SELECT is(api.quote(pg_temp.id('vault'), (SELECT at_19 FROM day), 2) ->> 'subtotal_minor', '4500',
          'the next quote is priced with it (2 x 2250)');
SELECT is(api.create_price_rule(pg_temp.id('subway'), 'Mornings', 'time_based', weekdays => '{6,7}',
                                starts_from => '09:00', starts_until => '12:00', replacement_price_minor => 2000)
            ->> 'weekdays', '[6, 7]', 'and a time-based one, weekend mornings');
SELECT throws_ok(format($$ SELECT api.create_price_rule(%L, 'Bad', 'early_bird', percent_off => 10) $$,
                        pg_temp.id('vault')), 'PT400',
                 'an early_bird rule takes min_lead and/or booked_before, and nothing else',
                 'an early bird needs its condition');
SELECT throws_ok(format($$ SELECT api.create_price_rule(%L, 'Bad', 'time_based', weekdays => '{8}',
                                                         percent_off => 10) $$, pg_temp.id('vault')), 'PT400',
                 'weekdays are ISO weekdays, 1 (Monday) to 7 (Sunday)', 'weekdays are 1 to 7');
SELECT throws_ok(format($$ SELECT api.create_price_rule(%L, 'Bad', 'time_based', starts_from => '12:00',
                                                         starts_until => '11:00', percent_off => 10) $$,
                        pg_temp.id('vault')), 'PT400', 'starts_until must be after starts_from',
                 'a time window runs forward');
SELECT throws_ok(format($$ SELECT api.create_price_rule(%L, 'Bad', 'early_bird', min_lead => '1 day',
                                                         percent_off => 10, amount_off_minor => 5) $$,
                        pg_temp.id('vault')), 'PT400',
                 'give one of percent_off, amount_off_minor or replacement_price_minor', 'one change per rule');
SELECT throws_ok(format($$ SELECT api.create_price_rule(%L, 'Bad', 'monthly', percent_off => 10) $$,
                        pg_temp.id('vault')), 'PT400', 'kind must be one of early_bird, time_based, not ''monthly''',
                 'the kinds are named');
SELECT pg_temp.act_as('staff_a');
SELECT is((SELECT count(*)::int FROM api.list_price_rules(pg_temp.id('vault'))), 1, 'staff list an experience''s rules');
SELECT pg_temp.act_as('manager_a');
SELECT is(api.deactivate_price_rule((SELECT (r ->> 'id')::uuid FROM rule)) ->> 'active', 'false',
          'a manager deactivates one');
SELECT is(api.quote(pg_temp.id('vault'), (SELECT at_19 FROM day), 2) ->> 'subtotal_minor', '5000',
          'and the next quote is at the base price again');

SELECT * FROM finish();
ROLLBACK;
