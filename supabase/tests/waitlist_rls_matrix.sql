-- Who may read and write waitlist entries directly: nobody. Customers join, leave and accept through the widget
-- functions and offers are made by the waitlist's triggers (SECURITY DEFINER, each with its own checks), so no API
-- role holds a privilege on the table and its forced RLS has no policy.
BEGIN;
\ir setup.psql
SELECT plan(28);
\ir fixtures.psql
SELECT pg_temp.shop();
INSERT INTO app.slots (org_id, experience_id, starts_at, ends_at, capacity)
SELECT pg_temp.id('org_a'), pg_temp.id('quiz'), at_19, at_19 + interval '2 hours', 20 FROM day;
CREATE TEMP TABLE quiz_slot AS
SELECT s.id FROM app.slots s WHERE s.experience_id = pg_temp.id('quiz') AND s.starts_at = (SELECT at_19 FROM day);
GRANT SELECT ON quiz_slot TO PUBLIC;
SELECT pg_temp.fresh('ada');
INSERT INTO app.customers (org_id, id, email, name)
VALUES (pg_temp.id('org_a'), pg_temp.id('ada'), 'ada.' || left(pg_temp.id('ada')::text, 8) || '@example.com', 'Ada');
INSERT INTO app.waitlist_entries (org_id, slot_id, customer_id, party_size, name, email, consent, consented_at,
                                  token_hash)
SELECT pg_temp.id('org_a'), id, pg_temp.id('ada'), 2, 'Ada', 'ada.' || left(pg_temp.id('ada')::text, 8) || '@example.com',
       true, now(), sha256(gen_random_uuid()::text::bytea)
  FROM quiz_slot;

CREATE TEMP TABLE cases (tbl text PRIMARY KEY, insert_sql text NOT NULL, delete_sql text NOT NULL,
                         update_set text NOT NULL DEFAULT 'org_id = org_id', insert_min text NOT NULL DEFAULT 'nogrant',
                         update_min text NOT NULL DEFAULT 'nogrant', delete_min text NOT NULL DEFAULT 'nogrant',
                         select_min text NOT NULL DEFAULT 'staff', service_may text NOT NULL DEFAULT '');
INSERT INTO cases (tbl, insert_sql, delete_sql, select_min) VALUES
  ('waitlist_entries', $$INSERT INTO app.waitlist_entries (org_id, slot_id, customer_id, party_size, name, email,
                                                           consent, consented_at, token_hash)
     VALUES (pg_temp.id('org_a'), (SELECT id FROM quiz_slot), pg_temp.id('ada'), 2, 'X', %L || '@example.com', true,
             now(), sha256('x'::bytea))$$,
   $$DELETE FROM app.waitlist_entries WHERE email = %L || '@example.com' RETURNING 1$$, 'nogrant');

\ir rls_matrix.psql

SELECT pg_temp.check_role(r, 'waitlist_entries')
  FROM unnest(ARRAY['anon', 'outsider', 'staff_a', 'manager_a', 'admin_a', 'admin_b', 'service_role']) r;

SELECT * FROM finish();
ROLLBACK;
