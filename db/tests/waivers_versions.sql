-- Waiver templates and their versions, as managers keep them: a template starts with version 1, new wording is a
-- new version (the highest is current), an unsigned version can still be corrected, a signed one never changes
-- (whatever path tries), and an archived template takes no new versions and is given to no experience.
BEGIN;
\ir setup.psql
SELECT plan(30);

\ir fixtures.psql
SELECT pg_temp.shop();
SELECT pg_temp.fresh('signed_booking');
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
CREATE TEMP TABLE w (name text PRIMARY KEY, answer jsonb);
GRANT ALL ON w TO PUBLIC;

SELECT pg_temp.act_as('manager_a');
INSERT INTO w VALUES ('t', api.create_waiver_template(pg_temp.id('org_a'), ' Escape room waiver ', 'Release',
                                                      E'I take part at my own risk.\n'));
SELECT is((SELECT answer ->> 'name' FROM w WHERE name = 't'), 'Escape room waiver',
          'a manager creates a waiver template');
SELECT is((SELECT (answer ->> 'current_version')::int FROM w WHERE name = 't'), 1, 'it starts with version 1');
SELECT is((SELECT answer -> 'versions' -> 0 ->> 'body' FROM w WHERE name = 't'), E'I take part at my own risk.\n',
          'the body is kept exactly as written');
SELECT is((SELECT answer -> 'versions' -> 0 ->> 'body_sha256' FROM w WHERE name = 't'),
          encode(sha256(convert_to(E'I take part at my own risk.\n', 'UTF8')), 'hex'),
          'the version carries the SHA-256 of its body''s UTF-8 bytes');

INSERT INTO w SELECT 'v2', api.create_waiver_version((SELECT (answer ->> 'id')::uuid FROM w WHERE name = 't'),
                                                     'Release', 'Version two.');
SELECT is((SELECT (answer ->> 'version')::int FROM w WHERE name = 'v2'), 2, 'new wording is a new version');
SELECT is((api.list_waiver_templates(pg_temp.id('org_a')) -> 0 ->> 'current_version')::int, 2,
          'the highest version is the current one');
SELECT is(jsonb_array_length(api.list_waiver_templates(pg_temp.id('org_a')) -> 0 -> 'versions'), 2,
          'earlier versions are kept');

-- an unsigned version can still be edited
INSERT INTO w SELECT 'v2_fixed', api.update_waiver_version((SELECT (answer ->> 'id')::uuid FROM w WHERE name = 'v2'),
                                                           '{"body": "Version two, corrected."}');
SELECT is((SELECT answer ->> 'body' FROM w WHERE name = 'v2_fixed'), 'Version two, corrected.',
          'an unsigned version can still be edited');
SELECT is((SELECT answer ->> 'body_sha256' FROM w WHERE name = 'v2_fixed'),
          encode(sha256(convert_to('Version two, corrected.', 'UTF8')), 'hex'), 'its hash follows the new body');
SELECT is((SELECT answer ->> 'title' FROM w WHERE name = 'v2_fixed'), 'Release', 'absent keys keep their value');
SELECT is(pg_temp.outcome(format($$SELECT api.update_waiver_version(%L, '{"version": 7}')$$,
                                 (SELECT answer ->> 'id' FROM w WHERE name = 'v2'))),
          'PT400 invalid', 'a key that cannot change is refused');
SELECT is(pg_temp.outcome(format($$SELECT api.update_waiver_version(%L, '{"body": null}')$$,
                                 (SELECT answer ->> 'id' FROM w WHERE name = 'v2'))),
          'PT400 required', 'a body cannot be cleared');

-- Who may: staff read, managers write, other organizations see nothing.
SELECT pg_temp.act_as('staff_a');
SELECT is(jsonb_array_length(api.list_waiver_templates(pg_temp.id('org_a'))), 1, 'staff list the templates');
SELECT is(pg_temp.outcome(format($$SELECT api.create_waiver_template(%L, 'x', 'x', 'x')$$, pg_temp.id('org_a'))),
          'PT403 ', 'staff cannot create a template');
SELECT is(pg_temp.outcome(format($$SELECT api.create_waiver_version(%L, 'x', 'x')$$,
                                 (SELECT answer ->> 'id' FROM w WHERE name = 't'))),
          'PT403 ', 'staff cannot add a version');
SELECT pg_temp.act_as('admin_b');
SELECT is(pg_temp.outcome(format($$SELECT api.create_waiver_version(%L, 'x', 'x')$$,
                                 (SELECT answer ->> 'id' FROM w WHERE name = 't'))),
          'PT404 ', 'another organization''s template is not found');
SELECT is(pg_temp.outcome(format($$SELECT api.list_waiver_templates(%L)$$, pg_temp.id('org_a'))),
          'PT404 ', 'nor its list');

-- Someone signs version 2 (the current one).
RESET ROLE;
UPDATE app.experiences SET waiver_template_id = (SELECT (answer ->> 'id')::uuid FROM w WHERE name = 't')
 WHERE id = pg_temp.id('vault');
INSERT INTO app.customers (org_id, id, email, name) VALUES (pg_temp.id('org_a'), gen_random_uuid(),
  'signer.' || left(pg_temp.id('signed_booking')::text, 8) || '@example.com', 'Signer');
INSERT INTO app.slots (org_id, id, experience_id, starts_at, ends_at, capacity)
SELECT pg_temp.id('org_a'), pg_temp.id('signed_booking'), pg_temp.id('vault'), at_19, at_19 + interval '1 hour', 1
  FROM day;
INSERT INTO app.bookings (org_id, id, experience_id, slot_id, customer_id, status, party_size, places, starts_at,
                          ends_at, price_minor, currency, confirmation_code)
SELECT pg_temp.id('org_a'), pg_temp.id('signed_booking'), pg_temp.id('vault'), pg_temp.id('signed_booking'),
       (SELECT id FROM app.customers WHERE email LIKE 'signer.' || left(pg_temp.id('signed_booking')::text, 8) || '%'),
       'confirmed', 2, 1, at_19, at_19 + interval '1 hour', 0, 'GBP', private.new_confirmation_code()
  FROM day;
SELECT pg_temp.act_as('staff_a');
SELECT lives_ok(format($$SELECT api.sign_waiver_at_venue(%L, 'Ada Lovelace', '1990-12-10', 'Ada Lovelace', %L)$$,
                       pg_temp.id('signed_booking'), (SELECT answer ->> 'body_sha256' FROM w WHERE name = 'v2_fixed')),
                'a participant signs version 2');

-- a signed waiver version cannot change
SELECT pg_temp.act_as('manager_a');
SELECT is(pg_temp.outcome(format($$SELECT api.update_waiver_version(%L, '{"body": "Sneaky."}')$$,
                                 (SELECT answer ->> 'id' FROM w WHERE name = 'v2'))),
          'PT409 waiver_signed', 'a signed waiver version cannot change');
SELECT is(pg_temp.outcome(format($$SELECT api.update_waiver_version(%L, '{"title": "Other"}')$$,
                                 (SELECT answer ->> 'id' FROM w WHERE name = 'v2'))),
          'PT409 waiver_signed', 'not even its title');
RESET ROLE;
SELECT is(pg_temp.outcome(format($$UPDATE app.waiver_versions SET body = 'Sneaky.' WHERE id = %L$$,
                                 (SELECT answer ->> 'id' FROM w WHERE name = 'v2'))),
          'PT409 waiver_signed', 'nor by the database''s owner: the rule is the table''s');
SELECT is(pg_temp.outcome(format($$DELETE FROM app.waiver_versions WHERE id = %L$$,
                                 (SELECT answer ->> 'id' FROM w WHERE name = 'v2'))),
          'PT409 waiver_signed', 'a signed version is never deleted');
SELECT pg_temp.act_as('manager_a');
SELECT is((api.list_waiver_templates(pg_temp.id('org_a')) -> 0 -> 'versions' -> 0 ->> 'signed')::boolean, true,
          'the list says which versions are signed');

-- Archiving.
SELECT is(pg_temp.outcome(format($$SELECT api.archive_waiver_template(%L)$$,
                                 (SELECT answer ->> 'id' FROM w WHERE name = 't'))),
          'PT409 waiver_in_use', 'a template an active experience requires is not archived');
SELECT lives_ok(format($$SELECT api.update_experience(%L, '{"waiver_template_id": null}')$$, pg_temp.id('vault')),
                'the experience is given no waiver');
SELECT isnt((api.archive_waiver_template((SELECT (answer ->> 'id')::uuid FROM w WHERE name = 't')) ->> 'archived_at'),
            NULL, 'then the template is archived');
SELECT is(pg_temp.outcome(format($$SELECT api.create_waiver_version(%L, 'x', 'x')$$,
                                 (SELECT answer ->> 'id' FROM w WHERE name = 't'))),
          'PT409 archived', 'an archived template takes no new version');
SELECT is(pg_temp.outcome(format($$SELECT api.update_experience(%L, jsonb_build_object('waiver_template_id', %L::text))$$,
                                 pg_temp.id('vault'), (SELECT answer ->> 'id' FROM w WHERE name = 't'))),
          'PT409 archived', 'and is given to no experience');
SELECT is(pg_temp.outcome(format($$SELECT api.update_experience(%L, '{"waiver_at_check_in": true}')$$,
                                 pg_temp.id('vault'))),
          'PT400 invalid', 'a check-in refusal needs a waiver');
RESET ROLE;
SELECT is(pg_temp.outcome(format($$UPDATE app.experiences SET waiver_template_id = %L WHERE id = %L$$,
                                 (SELECT answer ->> 'id' FROM w WHERE name = 't'), pg_temp.id('vault'))),
          'PT409 archived', 'by any path, not only update_experience');

SELECT * FROM finish();
ROLLBACK;
