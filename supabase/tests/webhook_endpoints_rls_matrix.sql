-- Who may read and write the webhook tables directly: nobody. Admins manage endpoints and read deliveries through
-- the webhook functions, events are written by triggers and the sender records through its own functions (all
-- SECURITY DEFINER, each with its own checks), so no API role holds a privilege on the tables and their forced RLS
-- has no policy.
BEGIN;
\ir setup.psql
SELECT plan(84);
\ir fixtures.psql
SELECT pg_temp.fresh('ep', 'ep_b', 'd');
INSERT INTO app.webhook_endpoints (org_id, id, url, event_types, secret) VALUES
  (pg_temp.id('org_a'), pg_temp.id('ep'), 'https://a.example.com/', '{booking.created}', private.webhook_secret()),
  (pg_temp.id('org_b'), pg_temp.id('ep_b'), 'https://b.example.com/', '{booking.created}', private.webhook_secret());
INSERT INTO app.webhook_deliveries (org_id, id, endpoint_id, event_type, event_key, payload) VALUES
  (pg_temp.id('org_a'), pg_temp.id('d'), pg_temp.id('ep'), 'booking.created', 'test:' || pg_temp.id('d'), '{}');
INSERT INTO app.webhook_attempts (org_id, delivery_id, attempt, worker, started_at, outcome, status_code)
VALUES (pg_temp.id('org_a'), pg_temp.id('d'), 1, 'w', now(), 'retry', 500);

CREATE TEMP TABLE cases (tbl text PRIMARY KEY, insert_sql text NOT NULL, delete_sql text NOT NULL,
                         update_set text NOT NULL DEFAULT 'org_id = org_id', insert_min text NOT NULL DEFAULT 'nogrant',
                         update_min text NOT NULL DEFAULT 'nogrant', delete_min text NOT NULL DEFAULT 'nogrant',
                         select_min text NOT NULL DEFAULT 'staff', service_may text NOT NULL DEFAULT '');
INSERT INTO cases (tbl, insert_sql, delete_sql, select_min) VALUES
  ('webhook_endpoints', $$INSERT INTO app.webhook_endpoints (org_id, url, description, event_types, secret)
     VALUES (pg_temp.id('org_a'), 'https://x.example.com/', %L, '{booking.created}',
             'whsec_' || repeat('A', 43) || '=')$$,
   $$DELETE FROM app.webhook_endpoints WHERE description = %L RETURNING 1$$, 'nogrant'),
  ('webhook_deliveries', $$INSERT INTO app.webhook_deliveries (org_id, endpoint_id, event_type, event_key, payload)
     VALUES (pg_temp.id('org_a'), pg_temp.id('ep'), 'booking.created', %L, '{}')$$,
   $$DELETE FROM app.webhook_deliveries WHERE event_key = %L RETURNING 1$$, 'nogrant'),
  ('webhook_attempts', $$INSERT INTO app.webhook_attempts (org_id, delivery_id, attempt, worker, started_at, outcome)
     VALUES (pg_temp.id('org_a'), pg_temp.id('d'), 2, %L, now(), 'retry')$$,
   $$DELETE FROM app.webhook_attempts WHERE worker = %L RETURNING 1$$, 'nogrant');

\ir rls_matrix.psql

SELECT pg_temp.check_role(r, t)
  FROM unnest(ARRAY['webhook_endpoints', 'webhook_deliveries', 'webhook_attempts']) t,
       unnest(ARRAY['anon', 'outsider', 'staff_a', 'manager_a', 'admin_a', 'admin_b', 'service_role']) r;

SELECT * FROM finish();
ROLLBACK;
