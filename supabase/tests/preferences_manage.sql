-- Who may change whose preferences: managers record a customer's answer at the desk (staff below manager may not,
-- another organization's manager sees no such customer); only the service records an unsubscribe, idempotently, by
-- customer or e-mail; a signed-in account changes its own in its organizations only. The marketing sender queues
-- one e-mail per opted-in customer, once per campaign, for managers only. Erasing a customer deletes their
-- preferences.
BEGIN;
\ir setup.psql
SELECT plan(28);

\ir fixtures.psql
SELECT pg_temp.fresh('ada', 'bob', 'cy', 'campaign');
INSERT INTO app.customers (org_id, id, email, name, marketing_consent, marketing_consent_at, marketing_consent_source)
VALUES (pg_temp.id('org_a'), pg_temp.id('ada'), 'ada.' || left(pg_temp.id('ada')::text, 8) || '@example.com', 'Ada',
        true, now() - interval '1 day', 'widget'),
       (pg_temp.id('org_a'), pg_temp.id('bob'), 'bob.' || left(pg_temp.id('bob')::text, 8) || '@example.com', 'Bob',
        false, NULL, NULL),
       (pg_temp.id('org_a'), pg_temp.id('cy'), 'cy.' || left(pg_temp.id('cy')::text, 8) || '@example.com', 'Cy',
        false, NULL, NULL);

-- Staff for a customer.
SELECT pg_temp.act_as('staff_a');
SELECT throws_ok($$SELECT api.set_customer_preferences(pg_temp.id('org_a'), pg_temp.id('bob'), 'email', true)$$,
                 'PT403', NULL, 'a staff member below manager may not change a customer''s preferences');
SELECT pg_temp.act_as('admin_b');
SELECT throws_ok($$SELECT api.set_customer_preferences(pg_temp.id('org_a'), pg_temp.id('bob'), 'email', true)$$,
                 'PT404', 'customer not found', 'another organization''s manager cannot set them: no such customer');
SELECT pg_temp.act_as('manager_a');
SELECT throws_ok($$SELECT api.set_customer_preferences(pg_temp.id('org_a'), pg_temp.id('bob'), 'fax', true)$$,
                 'PT400', 'channel must be email, sms or in_app', 'an unknown channel is refused first');
SELECT throws_ok($$SELECT api.set_customer_preferences(pg_temp.id('org_a'), gen_random_uuid(), 'email', true)$$,
                 'PT404', 'customer not found', 'an unknown customer is missing');
SELECT is(api.set_customer_preferences(pg_temp.id('org_a'), pg_temp.id('bob'), 'email', true)
            - 'changed_at' - 'org_id',
          jsonb_build_object('customer_id', pg_temp.id('bob'), 'user_id', NULL, 'channel', 'email',
                             'category', 'marketing', 'enabled', true, 'source', 'staff'),
          'a manager records that the customer opted in to marketing e-mail at the desk');
RESET ROLE;
SELECT is((SELECT changed_by FROM app.message_preferences WHERE customer_id = pg_temp.id('bob')),
          pg_temp.id('manager_a'), 'with who recorded it');
SELECT pg_temp.act_as('staff_a');
SELECT is((api.get_customer_preferences(pg_temp.id('org_a'), pg_temp.id('bob')) -> 0) - 'changed_at',
          '{"channel": "email", "marketing": true, "reason": null, "source": "staff"}'::jsonb,
          'staff read that the customer now gets marketing e-mail, and how it was said');
SELECT is(api.get_customer_preferences(pg_temp.id('org_a'), pg_temp.id('bob')) -> 1 ->> 'reason',
          'no_marketing_consent', 'and why not SMS');
SELECT pg_temp.act_as('admin_b');
SELECT throws_ok($$SELECT api.get_customer_preferences(pg_temp.id('org_a'), pg_temp.id('bob'))$$, 'PT404', NULL,
                 'another organization reads no such customer');
RESET ROLE;
SELECT is(private.marketing_refused(pg_temp.id('org_a'), pg_temp.id('bob'), NULL, 'email'), NULL,
          'so marketing e-mail may now go to them');
SELECT is(private.marketing_refused(pg_temp.id('org_a'), pg_temp.id('bob'), NULL, 'sms'), 'no_marketing_consent',
          'but not SMS: the opt-in was for one channel');

-- The marketing sender.
SELECT pg_temp.act_as('staff_a');
SELECT throws_ok($$SELECT api.queue_marketing_message(pg_temp.id('org_a'), 'News', 'Hello')$$, 'PT403', NULL,
                 'staff below manager may not send marketing');
SELECT pg_temp.act_as('admin_b');
SELECT throws_ok($$SELECT api.queue_marketing_message(pg_temp.id('org_a'), 'News', 'Hello')$$, 'PT404', NULL,
                 'nor may another organization''s admin');
SELECT pg_temp.act_as('manager_a');
SELECT throws_ok($$SELECT api.queue_marketing_message(pg_temp.id('org_a'), 'News', 'Hello', 'whales')$$, 'PT400',
                 NULL, 'an unknown segment is refused');
SELECT is(api.queue_marketing_message(pg_temp.id('org_a'), 'News', 'Hello', campaign_id => pg_temp.id('campaign'))
            - 'campaign_id', '{"recipients": 2, "queued": 2}'::jsonb,
          'a campaign queues one e-mail per customer who opted in (Ada by consent, Bob at the desk), not Cy');
SELECT is(api.queue_marketing_message(pg_temp.id('org_a'), 'News', 'Hello', campaign_id => pg_temp.id('campaign'))
            ->> 'queued', '0', 'the same campaign again queues nobody twice');
RESET ROLE;
SELECT set_eq($$SELECT customer_id FROM app.notifications_outbox
                WHERE dedupe_key LIKE 'marketing:' || pg_temp.id('campaign') || ':%'
                  AND kind = 'marketing' AND category = 'marketing' AND channel = 'email'
                  AND data #>> '{campaign,subject}' = 'News' AND NOT data ? 'unsubscribe_url'$$,
              ARRAY[pg_temp.id('ada'), pg_temp.id('bob')],
              'as marketing e-mails to the customers, with the campaign in their data and no link stored');

-- The unsubscribe link's side.
SELECT pg_temp.act_as('admin_a');
SELECT throws_ok($$SELECT api.unsubscribe(pg_temp.id('org_a'), 'email', pg_temp.id('ada'))$$, '42501', NULL,
                 'no signed-in user may record an unsubscribe');
SELECT throws_ok($$SELECT private.unsubscribe(pg_temp.id('org_a'), 'email', pg_temp.id('ada'))$$, '42501', NULL,
                 'not even through the private function');
SELECT pg_temp.act_as('service_role');
SELECT is(api.unsubscribe(pg_temp.id('org_a'), 'email', pg_temp.id('ada')) ->> 'changed', 'true',
          'the service records a customer''s unsubscribe');
SELECT is(api.unsubscribe(pg_temp.id('org_a'), 'email', email => upper('ada.' || left(pg_temp.id('ada')::text, 8)
                                                                        || '@example.com')) ->> 'changed', 'false',
          'again, by e-mail, changes nothing (idempotent)');
SELECT throws_ok($$SELECT api.unsubscribe(pg_temp.id('org_b'), 'email', pg_temp.id('ada'))$$, 'PT404', NULL,
                 'a customer is found in their own organization only');
RESET ROLE;
SELECT is((SELECT source || ':' || enabled FROM app.message_preferences WHERE customer_id = pg_temp.id('ada')),
          'unsubscribe_link:false', 'the opt-out says it came from the link');
SELECT is(private.marketing_refused(pg_temp.id('org_a'), pg_temp.id('ada'), NULL, 'email'), 'opted_out',
          'and marketing e-mail to them is refused from now on');

-- An account's own.
SELECT pg_temp.act_as('outsider');
SELECT throws_ok($$SELECT api.set_my_preferences(pg_temp.id('org_a'), 'email', 'marketing', true)$$, 'PT404', NULL,
                 'an account cannot set preferences in an organization it is not a member of');
SELECT is(api.get_my_preferences(), '[]'::jsonb, 'and has none to read');

-- Erasure.
SELECT pg_temp.act_as('admin_a');
SELECT lives_ok($$SELECT api.erase_customer(pg_temp.id('org_a'), pg_temp.id('ada'))$$, 'an admin erases Ada');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM app.message_preferences WHERE customer_id = pg_temp.id('ada')), 0,
          'her message preferences are gone with her');

SELECT * FROM finish();
ROLLBACK;
