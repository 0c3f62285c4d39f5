-- Event partners are for managers and up, reading too: staff cannot see partners (PT403 from the functions, no
-- rows from the table); a partner belongs to an experience or a dated session; update_partner is a PATCH.
BEGIN;
\ir setup.psql
SELECT plan(14);
\ir fixtures.psql
SELECT pg_temp.shop();

SELECT pg_temp.act_as('manager_a');
CREATE TEMP TABLE partner AS
SELECT api.create_partner(pg_temp.id('org_a'), 'sponsor', 'Puzzle Co', 250000, 'gbp', pg_temp.id('quiz'),
                          contact_name => 'Pat', email => 'pat@puzzle.example') AS p;
GRANT SELECT ON partner TO PUBLIC;
CREATE FUNCTION pg_temp.partner_id() RETURNS uuid LANGUAGE sql AS $$ SELECT (p ->> 'id')::uuid FROM pg_temp.partner $$;
GRANT EXECUTE ON FUNCTION pg_temp.partner_id() TO PUBLIC;
SELECT is((SELECT p ->> 'status' || ' ' || (p ->> 'currency') || ' ' || (p ->> 'agreed_minor') FROM partner),
          'proposed GBP 250000', 'a manager adds a sponsor with what was agreed, proposed at first');
SELECT throws_ok($$ SELECT api.create_partner(pg_temp.id('org_a'), 'vendor', 'Floating', 0, 'GBP') $$, 'PT400',
                 'a partner belongs to an experience or a dated session (experience_id or slot_id)',
                 'a partner is attached to something');
SELECT throws_ok($$ SELECT api.create_partner(pg_temp.id('org_a'), 'caterer', 'X', 0, 'GBP', pg_temp.id('quiz')) $$,
                 'PT400', NULL, 'kind is vendor or sponsor');
SELECT throws_ok($$ SELECT api.create_partner(pg_temp.id('org_a'), 'vendor', 'X', -1, 'GBP', pg_temp.id('quiz')) $$,
                 'PT400', NULL, 'an agreed amount is never negative');
SELECT is(jsonb_array_length(api.list_partners(pg_temp.id('org_a'), pg_temp.id('quiz'))), 1,
          'managers list the partners of an experience');
SELECT is(api.update_partner(pg_temp.partner_id(), '{"status": "confirmed", "notes": "Logo on the tickets"}')
            ->> 'status', 'confirmed', 'update_partner sets what it is given');
SELECT is(api.update_partner(pg_temp.partner_id(), jsonb_build_object(
            'kind', 'vendor', 'name', 'Puzzle Co Ltd', 'contact_name', 'Pat Doe', 'email', 'pd@puzzle.example',
            'phone', '+44 20 7946 0000', 'experience_id', pg_temp.id('quiz'), 'slot_id', NULL, 'agreed_minor', 300000,
            'currency', 'gbp', 'status', 'invoiced', 'notes', 'Catering'))
            - ARRAY['id', 'org_id', 'created_at', 'updated_at'],
          jsonb_build_object(
            'kind', 'vendor', 'name', 'Puzzle Co Ltd', 'contact_name', 'Pat Doe', 'email', 'pd@puzzle.example',
            'phone', '+44 20 7946 0000', 'experience_id', pg_temp.id('quiz'), 'slot_id', NULL, 'agreed_minor', 300000,
            'currency', 'GBP', 'status', 'invoiced', 'notes', 'Catering'),
          'update_partner sets every key it takes');
SELECT throws_like($$ SELECT api.update_partner(pg_temp.partner_id(), '{"org_id": null}') $$,
                   'changes may not set ''org_id''%', '… never the organization');
SELECT throws_ok($$ SELECT api.update_partner(pg_temp.partner_id(), '{"experience_id": null}') $$, 'PT400', NULL,
                 '… nor leaves it attached to nothing');
RESET ROLE;

SELECT pg_temp.act_as('staff_a');
SELECT throws_ok($$ SELECT api.list_partners(pg_temp.id('org_a')) $$, 'PT403', NULL, 'staff cannot see partners');
SELECT is((SELECT count(*)::int FROM app.event_partners), 0, '… not even at the table');
SELECT throws_ok($$ SELECT api.update_partner(pg_temp.partner_id(), '{"status": "paid"}') $$, 'PT404', NULL,
                 '… nor change one');
RESET ROLE;

SELECT pg_temp.act_as('admin_a');
SELECT is(api.delete_partner(pg_temp.partner_id()) ->> 'deleted', pg_temp.partner_id()::text, 'admins delete one');
SELECT throws_ok($$ SELECT api.delete_partner(pg_temp.partner_id()) $$, 'PT404', NULL, '… once');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
