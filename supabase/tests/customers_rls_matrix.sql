-- Who may read and write the customer record tables: staff of organization A read and keep its customers' tags and
-- read every note; a note is written, changed and removed by its author only, so here, where A's notes are
-- owner_a's and a role tries to add one in owner_a's name, nobody of the matrix writes one (a note of one's own:
-- customers_notes.sql); the privacy log is written by the export and erasure definers only and read by nobody
-- directly.
BEGIN;
\ir setup.psql
SELECT plan(84);
\ir fixtures.psql
SELECT pg_temp.fresh('cust_a', 'cust_b');
INSERT INTO app.customers (org_id, id, email) VALUES
  (pg_temp.id('org_a'), pg_temp.id('cust_a'), 'a@example.com'),
  (pg_temp.id('org_b'), pg_temp.id('cust_b'), 'b@example.com');
INSERT INTO app.customer_tags (org_id, customer_id, tag) VALUES
  (pg_temp.id('org_a'), pg_temp.id('cust_a'), 'vip'), (pg_temp.id('org_b'), pg_temp.id('cust_b'), 'vip');
INSERT INTO app.customer_notes (org_id, customer_id, author_id, body) VALUES
  (pg_temp.id('org_a'), pg_temp.id('cust_a'), pg_temp.id('owner_a'), 'A note'),
  (pg_temp.id('org_b'), pg_temp.id('cust_b'), pg_temp.id('admin_b'), 'B note');
INSERT INTO app.customer_requests (org_id, customer_id, kind) VALUES
  (pg_temp.id('org_a'), pg_temp.id('cust_a'), 'export'), (pg_temp.id('org_b'), pg_temp.id('cust_b'), 'export');

CREATE TEMP TABLE cases (tbl text PRIMARY KEY, insert_sql text NOT NULL, delete_sql text NOT NULL,
                         update_set text NOT NULL DEFAULT 'org_id = org_id', insert_min text NOT NULL DEFAULT 'nogrant',
                         update_min text NOT NULL DEFAULT 'nogrant', delete_min text NOT NULL DEFAULT 'nogrant',
                         select_min text NOT NULL DEFAULT 'staff', service_may text NOT NULL DEFAULT '');
INSERT INTO cases (tbl, insert_sql, delete_sql, update_set, insert_min, update_min, delete_min, select_min) VALUES
  ('customer_tags', $$INSERT INTO app.customer_tags (org_id, customer_id, tag)
     VALUES (pg_temp.id('org_a'), pg_temp.id('cust_a'), 't' || left(%L, 8))$$,
   $$DELETE FROM app.customer_tags WHERE tag = 't' || left(%L, 8) RETURNING 1$$, 'org_id = org_id',
   'staff', 'nogrant', 'staff', 'staff'),
  ('customer_notes', $$INSERT INTO app.customer_notes (org_id, customer_id, author_id, body)
     VALUES (pg_temp.id('org_a'), pg_temp.id('cust_a'), pg_temp.id('owner_a'), %L)$$,
   $$DELETE FROM app.customer_notes WHERE body = %L RETURNING 1$$, 'body = body',
   'none', 'none', 'none', 'staff'),
  ('customer_requests', $$INSERT INTO app.customer_requests (org_id, customer_id, kind)
     SELECT pg_temp.id('org_a'), pg_temp.id('cust_a'), 'export' WHERE %L IS NOT NULL$$,
   $$DELETE FROM app.customer_requests WHERE %L IS NOT NULL RETURNING 1$$, 'org_id = org_id',
   'nogrant', 'nogrant', 'nogrant', 'nogrant');

\ir rls_matrix.psql

SELECT pg_temp.check_role(r, t)
  FROM unnest(ARRAY['anon', 'outsider', 'staff_a', 'manager_a', 'admin_a', 'admin_b', 'service_role']) r,
       unnest(ARRAY['customer_tags', 'customer_notes', 'customer_requests']) t;

SELECT * FROM finish();
ROLLBACK;
