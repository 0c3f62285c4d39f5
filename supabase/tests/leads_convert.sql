-- A won lead becomes one booking, through the path staff bookings take, linked to it: once; an open lead, a lead
-- without e-mail or another organization's experience are refused and book nothing.
BEGIN;
\ir setup.psql
SELECT plan(12);
\ir fixtures.psql
SELECT pg_temp.shop();

SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE lead AS SELECT api.create_lead(pg_temp.id('org_a'), 'Grace Hopper', 'grace@navy.example',
                                                 party_size => 4) AS l;
GRANT SELECT ON lead TO PUBLIC;
CREATE FUNCTION pg_temp.lead_id() RETURNS uuid LANGUAGE sql AS $$ SELECT (l ->> 'id')::uuid FROM pg_temp.lead $$;
GRANT EXECUTE ON FUNCTION pg_temp.lead_id() TO PUBLIC;
SELECT throws_ok($$ SELECT api.convert_lead(pg_temp.lead_id(), pg_temp.id('vault'), (SELECT at_19 FROM day)) $$,
                 'PT409', 'only a won lead becomes a booking; this one is new', 'an open lead is not booked');
-- Every key update_lead takes, at once (the lead is then booked for 4 again).
SELECT is(api.update_lead(pg_temp.lead_id(), jsonb_build_object(
            'contact_name', 'Grace B. Hopper', 'company', 'Navy', 'email', 'grace@navy.example', 'phone', '+1 555 0100',
            'party_size', 4, 'wanted_date', (SELECT d FROM day), 'venue_id', pg_temp.id('soho'),
            'experience_id', pg_temp.id('vault'), 'value_minor', 10000, 'currency', 'gbp',
            'owner_id', pg_temp.id('manager_a'), 'next_step', 'Book it', 'next_step_at', (SELECT at_19 FROM day),
            'notes', 'Team outing')) - ARRAY['id', 'org_id', 'status', 'booking_id', 'lost_reason', 'created_by',
                                              'created_at', 'updated_at'],
          jsonb_build_object(
            'contact_name', 'Grace B. Hopper', 'company', 'Navy', 'email', 'grace@navy.example', 'phone', '+1 555 0100',
            'party_size', 4, 'wanted_date', (SELECT d FROM day), 'venue_id', pg_temp.id('soho'),
            'experience_id', pg_temp.id('vault'), 'value_minor', 10000, 'currency', 'GBP',
            'owner_id', pg_temp.id('manager_a'), 'next_step', 'Book it', 'next_step_at', (SELECT at_19 FROM day),
            'notes', 'Team outing'),
          'update_lead sets every key it takes');
SELECT api.move_lead(pg_temp.lead_id(), 'won');
CREATE TEMP TABLE converted AS
SELECT api.convert_lead(pg_temp.lead_id(), pg_temp.id('vault'), (SELECT at_19 FROM day)) AS a;
SELECT is((SELECT (a #>> '{booking,party_size}')::int FROM converted), 4,
          'a won lead becomes one booking, for the lead''s party');
SELECT is((SELECT a #>> '{lead,booking_id}' FROM converted), (SELECT a #>> '{booking,id}' FROM converted),
          '… linked to the lead');
RESET ROLE;
SELECT is((SELECT c.email || ' ' || c.name FROM app.bookings b JOIN app.customers c ON c.id = b.customer_id
            WHERE b.id = (SELECT (a #>> '{booking,id}')::uuid FROM converted)),
          'grace@navy.example Grace B. Hopper', '… for the lead''s contact');
SELECT pg_temp.act_as('staff_a');
SELECT throws_ok($$ SELECT api.convert_lead(pg_temp.lead_id(), pg_temp.id('vault'),
                                            (SELECT at_19 FROM day) + interval '1 day') $$,
                 'PT409', 'this lead was already turned into a booking', 'once per lead');
SELECT throws_ok($$ UPDATE app.leads SET booking_id = NULL WHERE id = pg_temp.lead_id() $$, 'PT409', NULL,
                 '… and its booking stays linked');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM app.bookings b JOIN app.customers c ON c.id = b.customer_id
            WHERE c.email_key = 'grace@navy.example'), 1, 'one booking, not two');

SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE mute AS SELECT api.create_lead(pg_temp.id('org_a'), 'No Mail') AS l;
SELECT api.move_lead((SELECT (l ->> 'id')::uuid FROM mute), 'won');
SELECT throws_ok(format('SELECT api.convert_lead(%L, %L, %L, 2)', (SELECT l ->> 'id' FROM mute), pg_temp.id('vault'),
                        (SELECT at_19 FROM day)), 'PT409', NULL, 'a lead without e-mail cannot be booked');
CREATE TEMP TABLE gone AS SELECT api.create_lead(pg_temp.id('org_a'), 'Gone', 'gone@example.com') AS l;
SELECT is(api.move_lead((SELECT (l ->> 'id')::uuid FROM gone), 'lost', 'booked elsewhere') ->> 'lost_reason',
          'booked elsewhere', 'a lost lead keeps its reason');
SELECT throws_ok(format('SELECT api.convert_lead(%L, %L, %L, 2)', (SELECT l ->> 'id' FROM gone), pg_temp.id('vault'),
                        (SELECT at_19 FROM day)), 'PT409', NULL, '… and is never booked');
RESET ROLE;
SELECT pg_temp.act_as('admin_b');
SELECT throws_ok($$ SELECT api.convert_lead(pg_temp.lead_id(), pg_temp.id('vault'), (SELECT at_19 FROM day)) $$,
                 'PT404', NULL, 'another organization finds no lead to convert');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
