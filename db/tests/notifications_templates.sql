-- Staff and their organization's templates: members list the effective template of each kind, channel and locale
-- (their own, or Tessera's default); managers save one only once its exact parts were checked by the service's
-- preview (a fingerprint recorded by service_role alone), and delete it to bring the default back; the worker's
-- private.message_template then finds the override. Another organization's staff see and change nothing.
BEGIN;
\ir setup.psql
SELECT plan(16);

\ir fixtures.psql
CREATE FUNCTION pg_temp.outcome(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  detail text;
BEGIN
  EXECUTE p_sql;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
  RETURN SQLSTATE || ' ' || coalesce(detail, '');
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.outcome(text) TO PUBLIC;
CREATE TEMP TABLE parts AS SELECT 'Hi {{ customer.name }}'::text AS body,
  (SELECT count(*)::int FROM app.default_templates) AS defaults,
  (SELECT sample_data FROM app.notification_kinds WHERE kind = 'booking_confirmed') AS sample,
  private.template_fingerprint('booking_confirmed', 'sms', NULL, NULL, 'Hi {{ customer.name }}') AS fp;
GRANT SELECT ON parts TO PUBLIC;

SELECT pg_temp.act_as('staff_a');
SELECT is((SELECT count(*)::int FROM api.list_templates(pg_temp.id('org_a'))),
          (SELECT defaults FROM parts), 'a member lists every default');
SELECT ok((SELECT bool_and(NOT overridden) FROM api.list_templates(pg_temp.id('org_a'), 'booking_confirmed')),
          'none overridden yet');
SELECT is(pg_temp.outcome($$ SELECT api.template_sample(pg_temp.id('org_a'), 'booking_confirmed') $$), 'PT403 forbidden',
          'staff may not preview (template_sample is for managers and up)');

SELECT pg_temp.act_as('manager_a');
SELECT is((api.template_sample(pg_temp.id('org_a'), 'booking_confirmed') -> 'sample_data'),
          (SELECT sample FROM parts),
          'a manager gets the kind''s sample data to preview with');
SELECT is(pg_temp.outcome($$ SELECT api.save_template(pg_temp.id('org_a'), 'booking_confirmed', 'sms', 'en',
                                                      body => (SELECT body FROM parts)) $$),
          'PT400 template_unchecked', 'saving parts nobody previewed is refused (template_unchecked)');
SELECT is(pg_temp.outcome($$ SELECT api.record_template_check(pg_temp.id('org_a'),
            (SELECT fp FROM parts)) $$),
          '42501 ', 'a manager cannot vouch for a template (only the service records checks)');

SELECT pg_temp.act_as('service_role');
SELECT api.record_template_check(pg_temp.id('org_a'),
         (SELECT fp FROM parts),
         pg_temp.id('manager_a'));
SELECT pg_temp.act_as('manager_a');
SELECT is(pg_temp.outcome($$ SELECT api.save_template(pg_temp.id('org_a'), 'booking_confirmed', 'sms', 'en',
                                                      body => (SELECT body || '!' FROM parts)) $$),
          'PT400 template_unchecked', 'parts other than those checked are refused');
SELECT is(pg_temp.outcome($$ SELECT api.save_template(pg_temp.id('org_a'), 'booking_confirmed', 'sms', 'en',
                                                      subject => 'Hi', body => (SELECT body FROM parts)) $$),
          'PT400 template_parts', 'parts that do not fit the channel are refused (an SMS has no subject)');
SELECT is((api.save_template(pg_temp.id('org_a'), 'booking_confirmed', 'sms', 'en', body => (SELECT body FROM parts))
           ->> 'overridden'), 'true', 'the checked parts are saved');
SELECT results_eq($$ SELECT body, overridden FROM api.list_templates(pg_temp.id('org_a'), 'booking_confirmed')
                      WHERE channel = 'sms' AND locale = 'en' $$,
                  $$ SELECT (SELECT body FROM parts), true $$, 'and listed as the organization''s own');
RESET ROLE;
SELECT results_eq($$ SELECT body, overridden FROM private.message_template(pg_temp.id('org_a'), 'booking_confirmed', 'sms', 'en-GB') $$,
                  $$ SELECT (SELECT body FROM parts), true $$, 'the worker renders the override');
SELECT results_eq($$ SELECT overridden FROM private.message_template(pg_temp.id('org_b'), 'booking_confirmed', 'sms', 'en') $$,
                  $$ VALUES (false) $$, 'another organization still sends the default');

SELECT pg_temp.act_as('admin_b');
SELECT is(pg_temp.outcome($$ SELECT api.delete_template(pg_temp.id('org_a'), 'booking_confirmed', 'sms', 'en') $$),
          'PT404 not_found', 'another organization''s admin cannot delete it');
SELECT is(pg_temp.outcome($$ SELECT api.list_templates(pg_temp.id('org_a')) $$), 'PT404 not_found',
          'nor list them');

SELECT pg_temp.act_as('manager_a');
SELECT is(api.delete_template(pg_temp.id('org_a'), 'booking_confirmed', 'sms', 'en'), true, 'a manager deletes it');
RESET ROLE;
SELECT results_eq($$ SELECT overridden FROM private.message_template(pg_temp.id('org_a'), 'booking_confirmed', 'sms', 'en') $$,
                  $$ VALUES (false) $$, 'and the default is sent again');

SELECT * FROM finish();
ROLLBACK;
