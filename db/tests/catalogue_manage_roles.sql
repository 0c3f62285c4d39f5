-- Who may manage the catalogue through the api, walked over every back-office catalogue function: staff read,
-- managers and up change the catalogue, admins and up add, archive and restore venues. Below the role a member is
-- refused with PT403; someone outside the organization (signed in, or an admin of another one) is told it does not
-- exist (PT404); anon may not call them at all. Each call runs and is rolled back, so every role meets the same
-- catalogue.
BEGIN;
\ir setup.psql
\ir fixtures.psql
SELECT pg_temp.shop();

-- 'ok', or the SQLSTATE the call raised; whatever happens, the call's writes are rolled back.
CREATE FUNCTION pg_temp.attempt(p_call text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE p_call;
  RAISE EXCEPTION 'done' USING ERRCODE = 'P0099';
EXCEPTION WHEN OTHERS THEN
  RETURN CASE WHEN SQLSTATE = 'P0099' THEN 'ok' ELSE SQLSTATE END;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.attempt(text) TO PUBLIC;

-- Rows to act on: an archived venue, room, experience and ticket type to restore, a spare room, a closure, a tier.
SELECT pg_temp.fresh('old_venue', 'spare_room', 'old_room', 'old_game', 'old_ticket', 'closure');
INSERT INTO app.venues (org_id, id, name, timezone, archived_at)
VALUES (pg_temp.id('org_a'), pg_temp.id('old_venue'), 'Old venue', 'Europe/London', now());
INSERT INTO app.resources (org_id, venue_id, id, kind, name, active, archived_at) VALUES
  (pg_temp.id('org_a'), pg_temp.id('soho'), pg_temp.id('spare_room'), 'room', 'Spare', true, NULL),
  (pg_temp.id('org_a'), pg_temp.id('soho'), pg_temp.id('old_room'), 'room', 'Old', false, now());
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, max_party, currency, active,
                             archived_at)
VALUES (pg_temp.id('org_a'), pg_temp.id('soho'), pg_temp.id('old_game'), 'private_session', 'Old game', 60, 4, 'GBP',
        false, now());
INSERT INTO app.ticket_types (org_id, experience_id, id, name, price_minor, active, archived_at)
VALUES (pg_temp.id('org_a'), pg_temp.id('quiz'), pg_temp.id('old_ticket'), 'Old', 100, false, now());
INSERT INTO app.venue_closures (org_id, venue_id, id, during)
VALUES (pg_temp.id('org_a'), pg_temp.id('soho'), pg_temp.id('closure'),
        tstzrange(now() + interval '30 days', now() + interval '31 days'));
CREATE TEMP TABLE tier AS SELECT id FROM app.price_tiers WHERE experience_id = pg_temp.id('vault');
GRANT SELECT ON tier TO PUBLIC;

-- Each function, a call of it on org_a's rows, and the least role that may make it.
CREATE TEMP TABLE calls (fn text PRIMARY KEY, sql text NOT NULL, min_role text NOT NULL);
INSERT INTO calls VALUES
  ('create_venue', $$SELECT api.create_venue(pg_temp.id('org_a'), 'New', 'Europe/London')$$, 'admin'),
  ('update_venue', $$SELECT api.update_venue(pg_temp.id('soho'), '{"name": "Soho 2"}')$$, 'manager'),
  ('archive_venue', $$SELECT api.archive_venue(pg_temp.id('brooklyn'))$$, 'admin'),
  ('restore_venue', $$SELECT api.restore_venue(pg_temp.id('old_venue'))$$, 'admin'),
  ('set_venue_hours', $$SELECT api.set_venue_hours(pg_temp.id('soho'),
                                                 '[{"weekday": 1, "opens": "09:00", "closes": "23:00"}]')$$,
   'manager'),
  ('add_venue_closure', $$SELECT api.add_venue_closure(pg_temp.id('soho'), now() + interval '40 days',
                                                     now() + interval '41 days')$$, 'manager'),
  ('remove_venue_closure', $$SELECT api.remove_venue_closure(pg_temp.id('closure'))$$, 'manager'),
  ('rotate_embed_key', $$SELECT api.rotate_embed_key(pg_temp.id('soho'))$$, 'manager'),
  ('create_resource', $$SELECT api.create_resource(pg_temp.id('soho'), 'Room 9')$$, 'manager'),
  ('update_resource', $$SELECT api.update_resource(pg_temp.id('vault_room'), '{"name": "Vault 2"}')$$, 'manager'),
  ('archive_resource', $$SELECT api.archive_resource(pg_temp.id('spare_room'))$$, 'manager'),
  ('restore_resource', $$SELECT api.restore_resource(pg_temp.id('old_room'))$$, 'manager'),
  ('create_experience', $$SELECT api.create_experience(pg_temp.id('soho'), 'private_session', 'New game', 60, 4,
                                                     currency => 'GBP')$$, 'manager'),
  ('update_experience', $$SELECT api.update_experience(pg_temp.id('vault'), '{"description": "Dark"}')$$, 'manager'),
  ('archive_experience', $$SELECT api.archive_experience(pg_temp.id('subway'))$$, 'manager'),
  ('restore_experience', $$SELECT api.restore_experience(pg_temp.id('old_game'))$$, 'manager'),
  ('set_experience_resources', $$SELECT api.set_experience_resources(pg_temp.id('vault'),
                                                                   ARRAY[pg_temp.id('vault_room')])$$, 'manager'),
  ('create_price_tier', $$SELECT api.create_price_tier(pg_temp.id('vault'), 7, 8, 100)$$, 'manager'),
  ('update_price_tier', $$SELECT api.update_price_tier((SELECT id FROM tier), '{"price_minor": 2600}')$$, 'manager'),
  ('delete_price_tier', $$SELECT api.delete_price_tier((SELECT id FROM tier))$$, 'manager'),
  ('create_ticket_type', $$SELECT api.create_ticket_type(pg_temp.id('quiz'), 'Child', 500)$$, 'manager'),
  ('update_ticket_type', $$SELECT api.update_ticket_type(pg_temp.id('standard'), '{"price_minor": 1100}')$$,
   'manager'),
  ('archive_ticket_type', $$SELECT api.archive_ticket_type(pg_temp.id('standard'))$$, 'manager'),
  ('restore_ticket_type', $$SELECT api.restore_ticket_type(pg_temp.id('old_ticket'))$$, 'manager'),
  ('set_weekly_schedule', $$SELECT api.set_weekly_schedule(pg_temp.id('vault'),
                                                         '[{"weekday": 1, "start_time": "19:00"}]')$$, 'manager'),
  ('get_catalogue', $$SELECT api.get_catalogue(pg_temp.id('org_a'))$$, 'staff');
GRANT SELECT ON calls TO PUBLIC;

CREATE TEMP TABLE outcome AS
SELECT c.fn, r.who, c.min_role,
       CASE WHEN r.who = 'anon' THEN '42501'
            WHEN r.who IN ('outsider', 'admin_b') THEN 'PT404'
            WHEN array_position(ARRAY['staff', 'manager', 'admin'], r.rank)
                 >= array_position(ARRAY['staff', 'manager', 'admin'], c.min_role) THEN 'ok'
            ELSE 'PT403' END AS expected,
       NULL::text AS got
  FROM calls c
 CROSS JOIN (VALUES ('anon', NULL), ('outsider', NULL), ('admin_b', NULL), ('staff_a', 'staff'),
                    ('manager_a', 'manager'), ('admin_a', 'admin')) r(who, rank);

DO $$
DECLARE
  o record;
  result text;
BEGIN
  FOR o IN SELECT * FROM outcome LOOP
    PERFORM pg_temp.act_as(o.who);
    result := pg_temp.attempt((SELECT sql FROM calls WHERE fn = o.fn));
    PERFORM set_config('role', 'none', true);
    UPDATE outcome SET got = result WHERE fn = o.fn AND who = o.who;
  END LOOP;
END
$$;

SELECT plan((SELECT count(*)::integer FROM outcome) + 2);

SELECT set_eq($$ SELECT fn FROM calls $$,
              $$ SELECT p.proname::text FROM pg_proc p
                  WHERE p.pronamespace = 'api'::regnamespace
                    AND p.proname ~ '^(create|update|archive|restore|delete|set|add|remove|rotate)_(venue|resource|experience|price_tier|ticket_type|weekly_schedule|embed_key)'
                     OR p.pronamespace = 'api'::regnamespace AND p.proname = 'get_catalogue' $$,
              'the walk covers every back-office catalogue function');
SELECT is(o.got, o.expected,
          format('%s by %s: %s', o.fn, o.who,
                 CASE o.expected WHEN 'ok' THEN 'allowed' WHEN 'PT403' THEN 'refused, only ' || o.min_role || 's and up (PT403)'
                                 WHEN 'PT404' THEN 'told it does not exist (PT404)' ELSE 'may not call it' END))
  FROM outcome o ORDER BY o.fn, o.who;
SELECT is((SELECT got FROM outcome WHERE fn = 'create_venue' AND who = 'manager_a'), 'PT403',
          'a manager cannot add a venue');

SELECT * FROM finish();
ROLLBACK;
