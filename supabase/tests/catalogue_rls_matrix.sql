-- Who may read and write each catalogue table: anon, a signed-in outsider, staff / manager / admin of
-- organization A, an admin of organization B and service_role, each against select, insert, update and delete.
-- Members read their organization's rows only; managers and up write them (venues: admins add and remove);
-- everyone else gets nothing: 42501 where a privilege is missing, no rows where RLS hides them.
BEGIN;
\ir setup.psql
SELECT plan(252);

-- Fixtures: two organizations with one of everything each. ------------------------------------------------------
CREATE TEMP TABLE who (name text PRIMARY KEY, id uuid NOT NULL);
INSERT INTO who VALUES
  ('staff_a',   '00000000-0000-4000-8000-0000000000a4'),
  ('manager_a', '00000000-0000-4000-8000-0000000000a3'),
  ('admin_a',   '00000000-0000-4000-8000-0000000000a2'),
  ('admin_b',   '00000000-0000-4000-8000-0000000000b1'),
  ('outsider',  '00000000-0000-4000-8000-0000000000c1');
INSERT INTO auth.users (id, email) SELECT id, name || '@example.com' FROM who;
INSERT INTO app.organizations (id, name, slug) VALUES
  ('0000000a-0000-4000-8000-000000000000', 'Org A', 'org-a'),
  ('0000000b-0000-4000-8000-000000000000', 'Org B', 'org-b');
INSERT INTO app.memberships (org_id, user_id, role) VALUES
  ('0000000a-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000a4', 'staff'),
  ('0000000a-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000a3', 'manager'),
  ('0000000a-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000a2', 'admin'),
  ('0000000b-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000b1', 'admin');

INSERT INTO app.venues (org_id, id, name, timezone) VALUES
  ('0000000a-0000-4000-8000-000000000000', 'a1000000-0000-4000-8000-000000000001', 'Venue A', 'Europe/London'),
  ('0000000b-0000-4000-8000-000000000000', 'b1000000-0000-4000-8000-000000000001', 'Venue B', 'Asia/Riyadh');
INSERT INTO app.venue_hours (org_id, venue_id, weekday, opens, closes) VALUES
  ('0000000a-0000-4000-8000-000000000000', 'a1000000-0000-4000-8000-000000000001', 1, '10:00', '22:00'),
  ('0000000b-0000-4000-8000-000000000000', 'b1000000-0000-4000-8000-000000000001', 1, '10:00', '22:00');
INSERT INTO app.venue_closures (org_id, venue_id, during) VALUES
  ('0000000a-0000-4000-8000-000000000000', 'a1000000-0000-4000-8000-000000000001', '[2030-12-25, 2030-12-26)'),
  ('0000000b-0000-4000-8000-000000000000', 'b1000000-0000-4000-8000-000000000001', '[2030-12-25, 2030-12-26)');
INSERT INTO app.resources (org_id, venue_id, id, kind, name) VALUES
  ('0000000a-0000-4000-8000-000000000000', 'a1000000-0000-4000-8000-000000000001',
   'a2000000-0000-4000-8000-000000000001', 'room', 'Room A1'),
  ('0000000a-0000-4000-8000-000000000000', 'a1000000-0000-4000-8000-000000000001',
   'a2000000-0000-4000-8000-000000000002', 'room', 'Room A2'),
  ('0000000b-0000-4000-8000-000000000000', 'b1000000-0000-4000-8000-000000000001',
   'b2000000-0000-4000-8000-000000000001', 'room', 'Room B1');
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, max_party, capacity, currency)
VALUES
  ('0000000a-0000-4000-8000-000000000000', 'a1000000-0000-4000-8000-000000000001',
   'a3000000-0000-4000-8000-000000000001', 'private_session', 'The Vault', 60, 6, NULL, 'GBP'),
  ('0000000a-0000-4000-8000-000000000000', 'a1000000-0000-4000-8000-000000000001',
   'a3000000-0000-4000-8000-000000000002', 'ticketed_event', 'Murder Mystery Night', 120, 8, 40, 'GBP'),
  ('0000000b-0000-4000-8000-000000000000', 'b1000000-0000-4000-8000-000000000001',
   'b3000000-0000-4000-8000-000000000001', 'private_session', 'Desert Escape', 60, 6, NULL, 'SAR');
INSERT INTO app.experience_resources (org_id, venue_id, experience_id, resource_id) VALUES
  ('0000000a-0000-4000-8000-000000000000', 'a1000000-0000-4000-8000-000000000001',
   'a3000000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000001'),
  ('0000000b-0000-4000-8000-000000000000', 'b1000000-0000-4000-8000-000000000001',
   'b3000000-0000-4000-8000-000000000001', 'b2000000-0000-4000-8000-000000000001');
INSERT INTO app.price_tiers (org_id, experience_id, min_party, max_party, price_minor) VALUES
  ('0000000a-0000-4000-8000-000000000000', 'a3000000-0000-4000-8000-000000000001', 1, 4, 2500),
  ('0000000b-0000-4000-8000-000000000000', 'b3000000-0000-4000-8000-000000000001', 1, 4, 9000);
INSERT INTO app.ticket_types (org_id, experience_id, name, price_minor) VALUES
  ('0000000a-0000-4000-8000-000000000000', 'a3000000-0000-4000-8000-000000000002', 'Adult', 3500),
  ('0000000b-0000-4000-8000-000000000000', 'b3000000-0000-4000-8000-000000000001', 'Adult', 9000);
INSERT INTO app.schedules (org_id, experience_id, weekday, start_time, valid_from) VALUES
  ('0000000a-0000-4000-8000-000000000000', 'a3000000-0000-4000-8000-000000000001', 1, '19:00', '2030-01-01'),
  ('0000000b-0000-4000-8000-000000000000', 'b3000000-0000-4000-8000-000000000001', 1, '19:00', '2030-01-01');

-- One row per table: how to add a fresh row of A's (%L is its id) and how to remove exactly that row again.
CREATE TEMP TABLE cases (tbl text PRIMARY KEY, insert_sql text NOT NULL, delete_sql text NOT NULL);
INSERT INTO cases VALUES
  ('venues', $$INSERT INTO app.venues (org_id, id, name, timezone)
     VALUES ('0000000a-0000-4000-8000-000000000000', %L, 'New venue', 'Europe/London')$$,
   $$DELETE FROM app.venues WHERE id = %L RETURNING 1$$),
  ('venue_hours', $$INSERT INTO app.venue_hours (org_id, venue_id, id, weekday, opens, closes)
     VALUES ('0000000a-0000-4000-8000-000000000000', 'a1000000-0000-4000-8000-000000000001', %L, 7, '08:00', '09:00')$$,
   $$DELETE FROM app.venue_hours WHERE id = %L RETURNING 1$$),
  ('venue_closures', $$INSERT INTO app.venue_closures (org_id, venue_id, id, during)
     VALUES ('0000000a-0000-4000-8000-000000000000', 'a1000000-0000-4000-8000-000000000001', %L,
             '[2031-01-01, 2031-01-02)')$$,
   $$DELETE FROM app.venue_closures WHERE id = %L RETURNING 1$$),
  ('resources', $$INSERT INTO app.resources (org_id, venue_id, id, kind, name)
     VALUES ('0000000a-0000-4000-8000-000000000000', 'a1000000-0000-4000-8000-000000000001', %L, 'staff', 'GM')$$,
   $$DELETE FROM app.resources WHERE id = %L RETURNING 1$$),
  ('experiences', $$INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, max_party,
                                                 currency)
     VALUES ('0000000a-0000-4000-8000-000000000000', 'a1000000-0000-4000-8000-000000000001', %L, 'private_session',
             'New game', 60, 6, 'GBP')$$,
   $$DELETE FROM app.experiences WHERE id = %L RETURNING 1$$),
  ('experience_resources', $$INSERT INTO app.experience_resources (org_id, venue_id, experience_id, resource_id)
     SELECT '0000000a-0000-4000-8000-000000000000', 'a1000000-0000-4000-8000-000000000001',
            'a3000000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000002' WHERE %L IS NOT NULL$$,
   $$DELETE FROM app.experience_resources WHERE resource_id = 'a2000000-0000-4000-8000-000000000002'
     AND %L IS NOT NULL RETURNING 1$$),
  ('price_tiers', $$INSERT INTO app.price_tiers (org_id, experience_id, id, min_party, max_party, price_minor)
     VALUES ('0000000a-0000-4000-8000-000000000000', 'a3000000-0000-4000-8000-000000000001', %L, 5, 6, 2000)$$,
   $$DELETE FROM app.price_tiers WHERE id = %L RETURNING 1$$),
  ('ticket_types', $$INSERT INTO app.ticket_types (org_id, experience_id, id, name, price_minor)
     VALUES ('0000000a-0000-4000-8000-000000000000', 'a3000000-0000-4000-8000-000000000002', %L, 'Child', 1500)$$,
   $$DELETE FROM app.ticket_types WHERE id = %L RETURNING 1$$),
  ('schedules', $$INSERT INTO app.schedules (org_id, experience_id, id, weekday, start_time, valid_from)
     VALUES ('0000000a-0000-4000-8000-000000000000', 'a3000000-0000-4000-8000-000000000001', %L, 3, '18:00',
             '2030-01-01')$$,
   $$DELETE FROM app.schedules WHERE id = %L RETURNING 1$$);

CREATE FUNCTION pg_temp.count_rows(p_tbl text, p_org uuid DEFAULT NULL) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  n int;
BEGIN
  EXECUTE format('SELECT count(*)::int FROM app.%I WHERE $1 IS NULL OR org_id = $1', p_tbl) INTO n USING p_org;
  RETURN n;
END
$$;
-- Called after switching roles, so every role may run it (it reads through that role's privileges and RLS).
GRANT EXECUTE ON FUNCTION pg_temp.count_rows(text, uuid) TO PUBLIC;
CREATE TEMP TABLE counts AS
SELECT tbl, pg_temp.count_rows(tbl, '0000000a-0000-4000-8000-000000000000') AS in_a,
            pg_temp.count_rows(tbl, '0000000b-0000-4000-8000-000000000000') AS in_b
  FROM cases;

-- The matrix: for one role and one table, the four actions and the outcome that role must get.
CREATE FUNCTION pg_temp.check_role(p_role text, p_tbl text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  c record;
  n record;
  marker uuid := gen_random_uuid();
  all_of_a text := format('SELECT 1 FROM app.%I', p_tbl);
  update_a text := format('UPDATE app.%I SET org_id = org_id WHERE org_id = %L RETURNING 1', p_tbl,
                          '0000000a-0000-4000-8000-000000000000');
  delete_a text := format('DELETE FROM app.%I WHERE org_id = %L RETURNING 1', p_tbl,
                          '0000000a-0000-4000-8000-000000000000');
  editor boolean := p_role IN ('manager_a', 'admin_a', 'service_role');
  -- Managers edit venues, but only admins add or remove them.
  creator boolean := editor AND NOT (p_tbl = 'venues' AND p_role = 'manager_a');
  label text := p_role || ' on ' || p_tbl || ': ';
BEGIN
  SELECT * INTO c FROM pg_temp.cases WHERE tbl = p_tbl;
  SELECT * INTO n FROM pg_temp.counts WHERE tbl = p_tbl;
  PERFORM set_config('request.jwt.claims', CASE
    WHEN p_role IN ('anon', 'service_role') THEN jsonb_build_object('role', p_role)
    ELSE jsonb_build_object('role', 'authenticated', 'sub', (SELECT id FROM pg_temp.who WHERE name = p_role)) END::text,
    true);
  PERFORM set_config('role', CASE WHEN p_role IN ('anon', 'service_role') THEN p_role ELSE 'authenticated' END, true);

  IF p_role = 'anon' THEN
    RETURN NEXT throws_ok(all_of_a, '42501', NULL, label || 'cannot read');
    RETURN NEXT throws_ok(format(c.insert_sql, marker), '42501', NULL, label || 'cannot insert');
    RETURN NEXT throws_ok(update_a, '42501', NULL, label || 'cannot update');
    RETURN NEXT throws_ok(delete_a, '42501', NULL, label || 'cannot delete');
  ELSE
    RETURN NEXT is(pg_temp.count_rows(p_tbl),
                   CASE p_role WHEN 'outsider' THEN 0 WHEN 'admin_b' THEN n.in_b
                               WHEN 'service_role' THEN n.in_a + n.in_b ELSE n.in_a END,
                   label || 'reads exactly the rows it may');
    IF creator THEN
      RETURN NEXT lives_ok(format(c.insert_sql, marker), label || 'may insert');
    ELSE
      RETURN NEXT throws_ok(format(c.insert_sql, marker), '42501', NULL, label || 'cannot insert');
    END IF;
    IF editor THEN
      RETURN NEXT isnt_empty(update_a, label || 'may update');
    ELSE
      RETURN NEXT is_empty(update_a, label || 'updates nothing');
    END IF;
    IF creator THEN
      RETURN NEXT isnt_empty(format(c.delete_sql, marker), label || 'may delete');
    ELSE
      RETURN NEXT is_empty(delete_a, label || 'deletes nothing');
    END IF;
  END IF;
  PERFORM set_config('role', 'none', true);
END
$$;

SELECT pg_temp.check_role(r, t)
  FROM unnest(ARRAY['anon', 'outsider', 'staff_a', 'manager_a', 'admin_a', 'admin_b', 'service_role']) r,
       unnest(ARRAY['venues', 'venue_hours', 'venue_closures', 'resources', 'experiences', 'experience_resources',
                    'price_tiers', 'ticket_types', 'schedules']) t;

SELECT * FROM finish();
ROLLBACK;
