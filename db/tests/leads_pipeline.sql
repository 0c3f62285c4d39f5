-- A lead moves forward only: new -> contacted -> proposal -> won, steps may be skipped, lost from any open state,
-- won and lost final, whichever path writes it (the trigger, not only move_lead). update_lead is a PATCH.
BEGIN;
\ir setup.psql
SELECT plan(20);
\ir fixtures.psql

SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE lead AS SELECT api.create_lead(pg_temp.id('org_a'), 'Grace Hopper', 'grace@navy.example', NULL,
  'Navy', 14, current_date + 30, value_minor => 120000, currency => 'gbp', owner_id => pg_temp.id('manager_a'),
  next_step => 'Call back') AS l;
GRANT SELECT ON lead TO PUBLIC;
CREATE FUNCTION pg_temp.lead_id() RETURNS uuid LANGUAGE sql AS $$ SELECT (l ->> 'id')::uuid FROM pg_temp.lead $$;
GRANT EXECUTE ON FUNCTION pg_temp.lead_id() TO PUBLIC;
SELECT is((SELECT l ->> 'status' || ' ' || (l ->> 'currency') FROM lead), 'new GBP', 'a lead starts new');
SELECT throws_ok($$ SELECT api.create_lead(pg_temp.id('org_a'), 'X', value_minor => 100) $$, 'PT400',
                 'a lead''s value needs its currency', 'a value needs its currency, said in words');
SELECT throws_ok($$ SELECT api.create_lead(pg_temp.id('org_a'), 'X', owner_id => pg_temp.id('admin_b')) $$, 'PT400',
                 'a lead''s owner must be a member of the organization', 'its owner is a member');
SELECT throws_ok($$ SELECT api.create_lead(pg_temp.id('org_b'), 'X') $$, 'PT403', NULL,
                 'staff add leads to their own organization only');

SELECT is(api.move_lead(pg_temp.lead_id(), 'contacted') ->> 'status', 'contacted', 'new -> contacted');
SELECT throws_ok($$ SELECT api.move_lead(pg_temp.lead_id(), 'new') $$, 'PT409', NULL,
                 'a lead moves forward only: contacted -> new is refused');
SELECT throws_ok($$ SELECT api.move_lead(pg_temp.lead_id(), 'contacted') $$, 'PT409', NULL,
                 '… and a move to where it is');
SELECT throws_ok($$ SELECT api.move_lead(pg_temp.lead_id(), 'signed') $$, 'PT400',
                 'status must be one of new, contacted, proposal, won, lost, not ''signed''', 'statuses in words');
SELECT throws_ok($$ SELECT api.move_lead(pg_temp.lead_id(), 'won', 'cheap') $$, 'PT400', NULL,
                 'a reason goes with lost only');
SELECT is(api.move_lead(pg_temp.lead_id(), 'won') ->> 'status', 'won', 'contacted -> won skips the proposal');
SELECT throws_ok($$ SELECT api.move_lead(pg_temp.lead_id(), 'lost') $$, 'PT409', NULL, 'won is final');
SELECT throws_ok($$ UPDATE app.leads SET status = 'proposal' WHERE id = pg_temp.lead_id() $$, 'PT409', NULL,
                 'the table itself refuses a move back, whatever the path');

CREATE TEMP TABLE other AS SELECT api.create_lead(pg_temp.id('org_a'), 'Alan') AS l;
SELECT is(api.move_lead((SELECT (l ->> 'id')::uuid FROM other), 'lost', 'went elsewhere') ->> 'lost_reason',
          'went elsewhere', 'new -> lost, with its reason');
SELECT throws_ok(format('SELECT api.move_lead(%L, %L)', (SELECT l ->> 'id' FROM other), 'contacted'), 'PT409', NULL,
                 'lost is final');

-- PATCH: keys present are set, null clears, absent keep; unknown or fixed keys are refused naming them.
SELECT is(api.update_lead(pg_temp.lead_id(), '{"next_step": "Send contract", "company": null}') - 'updated_at',
          (SELECT (l || jsonb_build_object('next_step', 'Send contract', 'company', null, 'status', 'won'))
                  - 'updated_at' FROM lead),
          'update_lead sets the keys given, clears the nulls, keeps the rest');
SELECT throws_like($$ SELECT api.update_lead(pg_temp.lead_id(), '{"status": "new"}') $$,
                   'changes may not set ''status''%', 'the status moves only with move_lead');
SELECT throws_like($$ SELECT api.update_lead(pg_temp.lead_id(), '{"org_id": null}') $$,
                   'changes may not set ''org_id''%', 'the organization never changes');
SELECT throws_ok($$ SELECT api.update_lead(pg_temp.lead_id(), '{"email": "nope"}') $$, 'PT400', NULL,
                 'an e-mail is checked as in create_lead');
SELECT throws_ok($$ SELECT api.update_lead(pg_temp.lead_id(), '{"party_size": "many"}') $$, 'PT400', NULL,
                 'a value of the wrong type is refused naming its key');
RESET ROLE;
SELECT pg_temp.act_as('admin_b');
SELECT is(api.list_leads(pg_temp.id('org_a')), '[]', 'another organization sees no lead');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
