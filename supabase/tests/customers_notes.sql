-- Staff notes on a customer: every staff member of the organization reads them, a note can be edited or deleted
-- by its author only (PT403 for the others, whatever RLS would silently do), and nobody outside sees one.
BEGIN;
\ir setup.psql
SELECT plan(14);
\ir fixtures.psql
SELECT pg_temp.fresh('ada');
INSERT INTO app.customers (org_id, id, email, name)
VALUES (pg_temp.id('org_a'), pg_temp.id('ada'), 'ada@example.com', 'Ada');

SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE note AS SELECT api.add_customer_note(pg_temp.id('ada'), 'Likes puzzles with maths') AS n;
GRANT SELECT ON note TO PUBLIC;
SELECT is((SELECT n ->> 'author_id' FROM note), pg_temp.id('staff_a')::text, 'a note is authored by whoever adds it');
SELECT throws_ok($$ SELECT api.add_customer_note(pg_temp.id('ada'), '  ') $$, 'PT400', 'body is required',
                 'an empty note is refused');
SELECT throws_ok($$ SELECT api.add_customer_note(gen_random_uuid(), 'x') $$, 'PT404', 'customer not found',
                 'a note on a customer nobody has is refused');
RESET ROLE;

SELECT pg_temp.act_as('manager_a');
SELECT is(jsonb_array_length(api.list_customer_notes(pg_temp.id('ada'))), 1, 'other staff read the note');
SELECT throws_ok(format('SELECT api.update_customer_note(%L, %L)', (SELECT n ->> 'id' FROM note), 'Changed'),
                 'PT403', 'only the author of a note may change or delete it',
                 'a note can be edited by its author only: a manager is refused');
SELECT throws_ok(format('SELECT api.delete_customer_note(%L)', (SELECT n ->> 'id' FROM note)), 'PT403', NULL,
                 '… and cannot delete it');
-- Around the function, straight at the table: RLS changes nothing of someone else's note.
SELECT is_empty(format('UPDATE app.customer_notes SET body = %L WHERE id = %L RETURNING 1', 'x',
                       (SELECT n ->> 'id' FROM note)), 'RLS lets nobody but the author update a note');
RESET ROLE;
SELECT pg_temp.act_as('owner_a');
SELECT throws_ok(format('SELECT api.update_customer_note(%L, %L)', (SELECT n ->> 'id' FROM note), 'Changed'),
                 'PT403', NULL, '… not even the owner');
RESET ROLE;

SELECT pg_temp.act_as('staff_a');
SELECT is(api.update_customer_note((SELECT (n ->> 'id')::uuid FROM note), 'Likes puzzles, hates maths') ->> 'body',
          'Likes puzzles, hates maths', 'its author edits it');
SELECT ok((SELECT updated_at >= created_at FROM app.customer_notes WHERE id = (SELECT (n ->> 'id')::uuid FROM note)),
          '… and it keeps when it was written');
RESET ROLE;

SELECT pg_temp.act_as('admin_b');
SELECT is(api.list_customer_notes(pg_temp.id('ada')), '[]', 'another organization sees no note');
SELECT throws_ok(format('SELECT api.delete_customer_note(%L)', (SELECT n ->> 'id' FROM note)), 'PT404', NULL,
                 '… and finds none to delete');
RESET ROLE;

SELECT pg_temp.act_as('staff_a');
SELECT is(api.delete_customer_note((SELECT (n ->> 'id')::uuid FROM note)) ->> 'deleted', (SELECT n ->> 'id' FROM note),
          'its author deletes it');
SELECT is(api.list_customer_notes(pg_temp.id('ada')), '[]', '… and it is gone');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
