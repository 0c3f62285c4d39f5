-- The delivery worker asks the recipient's preferences of every message it takes (private.message_refused beside
-- message_wanted): marketing without an explicit opt-in is skipped with reason no_marketing_consent, a channel
-- switched off with opted_out, and the newer answer wins between the customer's consent and the channel's row;
-- transactional messages always go, and cannot be switched off (the table refuses an 'off' row); a staff member's
-- in-app marketing, switched off by them, is skipped too.
BEGIN;
\ir setup.psql
SELECT plan(16);

\ir fixtures.psql
SELECT pg_temp.fresh('ada', 'bob', 'cy', 'dee', 'm_ada', 'm_bob', 'm_cy', 'm_dee', 't_bob', 'm_staff', 'm_staff_on',
                     'm_nobody');
INSERT INTO app.customers (org_id, id, email, name, marketing_consent, marketing_consent_at, marketing_consent_source)
VALUES (pg_temp.id('org_a'), pg_temp.id('ada'), 'ada.' || left(pg_temp.id('ada')::text, 8) || '@example.com', 'Ada',
        true, now() - interval '1 day', 'widget'),
       (pg_temp.id('org_a'), pg_temp.id('bob'), 'bob.' || left(pg_temp.id('bob')::text, 8) || '@example.com', 'Bob',
        false, NULL, NULL),
       (pg_temp.id('org_a'), pg_temp.id('cy'), 'cy.' || left(pg_temp.id('cy')::text, 8) || '@example.com', 'Cy',
        true, now() - interval '1 day', 'widget'),
       -- Dee switched e-mail off long ago, then ticked the consent box again: the newer answer wins.
       (pg_temp.id('org_a'), pg_temp.id('dee'), 'dee.' || left(pg_temp.id('dee')::text, 8) || '@example.com', 'Dee',
        true, now() - interval '1 day', 'widget');
INSERT INTO app.message_preferences (org_id, customer_id, channel, category, enabled, source, changed_at) VALUES
  (pg_temp.id('org_a'), pg_temp.id('cy'), 'email', 'marketing', false, 'unsubscribe_link', now() - interval '1 hour'),
  (pg_temp.id('org_a'), pg_temp.id('dee'), 'email', 'marketing', false, 'unsubscribe_link', now() - interval '2 days');

SELECT throws_ok($$INSERT INTO app.message_preferences (org_id, customer_id, channel, category, enabled, source)
                   VALUES (pg_temp.id('org_a'), pg_temp.id('bob'), 'email', 'transactional', false, 'api')$$,
                 '23514', NULL, 'a transactional preference can never be off');

SELECT pg_temp.act_as('staff_a');
SELECT throws_ok($$SELECT api.set_my_preferences(pg_temp.id('org_a'), 'email', 'transactional', false)$$,
                 'PT400', 'transactional messages cannot be switched off',
                 'a staff member cannot switch transactional messages off (PT400, with a hint)');
SELECT is(api.set_my_preferences(pg_temp.id('org_a'), 'in_app', 'marketing', false) ->> 'enabled', 'false',
          'a staff member switches their in-app marketing off');
SELECT is((SELECT e FROM jsonb_array_elements(api.get_my_preferences(pg_temp.id('org_a'))) e
            WHERE e ->> 'channel' = 'in_app' AND e ->> 'category' = 'marketing') ->> 'source', 'api',
          'and reads it back among their preferences');
SELECT is((SELECT count(*)::int FROM jsonb_array_elements(api.get_my_preferences(pg_temp.id('org_a'))) e
            WHERE e ->> 'category' = 'transactional' AND (e ->> 'enabled')::boolean AND (e ->> 'locked')::boolean),
          3, 'their transactional messages are on and locked on every channel');
RESET ROLE;

CREATE FUNCTION pg_temp.msg(p_name text, p_kind text, p_customer text, p_channel text DEFAULT 'email',
                            p_user text DEFAULT NULL)
RETURNS void LANGUAGE sql AS $$
  INSERT INTO app.notifications_outbox (org_id, id, kind, recipient, channel, template, data, dedupe_key, category,
                                        next_attempt_at, customer_id, user_id)
  VALUES (pg_temp.id('org_a'), pg_temp.id(p_name), p_kind, 'someone@example.com', p_channel, p_kind, '{}',
          'test:' || pg_temp.id(p_name), (SELECT category FROM app.notification_kinds WHERE kind = p_kind),
          '2000-01-01', CASE WHEN p_customer IS NOT NULL THEN pg_temp.id(p_customer) END,
          CASE WHEN p_user IS NOT NULL THEN pg_temp.id(p_user) END)
$$;
SELECT pg_temp.msg('m_ada', 'marketing', 'ada');
SELECT pg_temp.msg('m_bob', 'marketing', 'bob');
SELECT pg_temp.msg('m_cy', 'marketing', 'cy');
SELECT pg_temp.msg('m_dee', 'marketing', 'dee');
SELECT pg_temp.msg('t_bob', 'payment_received', 'bob');
SELECT pg_temp.msg('m_staff', 'marketing', NULL, 'in_app', 'staff_a');
SELECT pg_temp.msg('m_staff_on', 'marketing', NULL, 'in_app', 'manager_a');
SELECT pg_temp.msg('m_nobody', 'marketing', NULL);
INSERT INTO app.message_preferences (org_id, user_id, channel, category, enabled, source)
VALUES (pg_temp.id('org_a'), pg_temp.id('manager_a'), 'in_app', 'marketing', true, 'api');

SELECT pg_temp.act_as('service_role');
CREATE TEMP TABLE taken AS SELECT id FROM private.claim_messages('prefs', 1000, '1 minute');
RESET ROLE;

CREATE FUNCTION pg_temp.outcome(p_name text) RETURNS text LANGUAGE sql AS $$
  SELECT o.status || coalesce(':' || o.last_error, '') FROM app.notifications_outbox o WHERE o.id = pg_temp.id(p_name)
$$;
SELECT is(pg_temp.outcome('m_ada'), 'sending', 'marketing to a customer who consented is taken to be sent');
SELECT is(pg_temp.outcome('m_bob'), 'skipped:no_marketing_consent',
          'marketing to a customer who never opted in is skipped at the claim, with the reason');
SELECT is(pg_temp.outcome('m_cy'), 'skipped:opted_out',
          'marketing on a channel the customer switched off (after consenting) is skipped as opted_out');
SELECT is(pg_temp.outcome('m_dee'), 'sending',
          'a consent given after an old opt-out is the newer answer, and the message goes');
SELECT is(pg_temp.outcome('t_bob'), 'sending',
          'a transactional message goes to a customer who never consented to marketing');
SELECT is(pg_temp.outcome('m_staff'), 'skipped:opted_out',
          'in-app marketing to a staff member who switched it off is skipped');
SELECT is(pg_temp.outcome('m_staff_on'), 'sending', 'and goes to one who opted in');
SELECT is(pg_temp.outcome('m_nobody'), 'skipped:no_marketing_consent',
          'marketing addressed to nobody in particular (no customer, no account) is never sent');
SELECT is((SELECT a.outcome || ':' || a.error FROM app.notification_attempts a
            WHERE a.message_id = pg_temp.id('m_bob')), 'skipped:no_marketing_consent',
          'the skip is recorded as an attempt with its reason');
SELECT is((SELECT count(*)::int FROM taken WHERE id IN (pg_temp.id('m_bob'), pg_temp.id('m_cy'),
                                                        pg_temp.id('m_staff'), pg_temp.id('m_nobody'))),
          0, 'skipped messages are not answered to the worker');

SELECT pg_temp.act_as('service_role');
SELECT set_eq($$SELECT customer_id FROM private.unsubscribe_subjects(ARRAY[pg_temp.id('m_ada'), pg_temp.id('t_bob'),
                                                                       pg_temp.id('m_staff_on')], 'prefs')$$,
              ARRAY[pg_temp.id('ada')],
              'the worker learns whom a marketing e-mail''s link is for, only for customers'' marketing it holds');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
