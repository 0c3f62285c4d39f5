-- The update_* functions read their changes as PostgREST reads a PATCH: keys present are set, a JSON null clears a
-- field, absent keys keep theirs; a key that is unknown or may not change is PT400 naming it and listing those that
-- may. Values are read as their column's type and refused in words; a constraint never speaks its own name: each
-- one of the catalogue says in its COMMENT what it refuses, and the create_* functions say it the same way.
BEGIN;
\ir setup.psql
\ir fixtures.psql
SELECT pg_temp.shop();

-- Every api function that takes changes, called with a key nobody has.
CREATE TEMP TABLE patch_call AS
SELECT p.proname::text AS fn,
       format('SELECT api.%I(%s)', p.proname,
              (SELECT string_agg(format('%I => %s', a.name, CASE WHEN a.name = 'changes' THEN '''{"bogus": 1}''::jsonb'
                                                                 ELSE format('NULL::%s', a.type::regtype) END),
                                 ', ' ORDER BY a.n)
                 FROM unnest(p.proargnames[1:p.pronargs], p.proargtypes::oid[]) WITH ORDINALITY a(name, type, n))) AS sql
  FROM pg_proc p
 WHERE p.pronamespace = 'api'::regnamespace AND 'changes' = ANY (p.proargnames);

-- Every constraint of the catalogue that an api call can break (not the keys on generated ids).
CREATE TEMP TABLE said AS
SELECT c.conrelid::regclass::text AS tbl, c.conname::text AS name,
       obj_description(c.oid, 'pg_constraint') AS comment
  FROM pg_constraint c
 WHERE c.conrelid IN ('app.venues'::regclass, 'app.venue_hours'::regclass, 'app.venue_closures'::regclass,
                      'app.resources'::regclass, 'app.experiences'::regclass, 'app.experience_resources'::regclass,
                      'app.price_tiers'::regclass, 'app.ticket_types'::regclass, 'app.schedules'::regclass)
   AND (c.contype IN ('c', 'x', 'f')
        OR (c.contype IN ('u', 'p') AND NOT EXISTS (SELECT FROM pg_attribute a
                                                     WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
                                                       AND a.attname = 'id')));

-- Every key an update function says may change, set (to what it is) by a manager: each is really writable.
CREATE TEMP TABLE patch_target (fn text, tbl text, id uuid);
INSERT INTO patch_target VALUES
  ('update_venue', 'app.venues', pg_temp.id('soho')),
  ('update_resource', 'app.resources', pg_temp.id('vault_room')),
  ('update_experience', 'app.experiences', pg_temp.id('vault')),
  ('update_price_tier', 'app.price_tiers',
   (SELECT id FROM app.price_tiers WHERE experience_id = pg_temp.id('vault'))),
  ('update_ticket_type', 'app.ticket_types', pg_temp.id('standard'));
CREATE TEMP TABLE patch_key (fn text, key text, sql text);
DO $$
DECLARE
  t record;
  allowed text;
  value jsonb;
BEGIN
  FOR t IN SELECT * FROM patch_target LOOP
    BEGIN
      EXECUTE format('SELECT api.%I(%L, ''{"bogus": 1}'')', t.fn, t.id);
    EXCEPTION WHEN SQLSTATE 'PT400' THEN
      GET STACKED DIAGNOSTICS allowed = PG_EXCEPTION_HINT;
    END;
    FOR i IN 1 .. cardinality(string_to_array(allowed, ', ')) LOOP
      EXECUTE format('SELECT to_jsonb(t) -> %L FROM %s t WHERE t.id = %L', (string_to_array(allowed, ', '))[i],
                     t.tbl, t.id) INTO value;
      INSERT INTO patch_key VALUES (t.fn, (string_to_array(allowed, ', '))[i],
        format('SELECT api.%I(%L, %L)', t.fn, t.id, jsonb_build_object((string_to_array(allowed, ', '))[i], value)));
    END LOOP;
  END LOOP;
END
$$;
GRANT SELECT ON patch_key TO PUBLIC;

SELECT plan((SELECT count(*)::integer FROM patch_call) + (SELECT count(*)::integer FROM said)
            + (SELECT count(*)::integer FROM patch_key) + 38);

SELECT pg_temp.act_as('manager_a');
SELECT lives_ok(k.sql, format('%s: a manager may change %s', k.fn, k.key)) FROM patch_key k ORDER BY k.fn, k.key;
SELECT lives_ok(format($$ SELECT api.%s(%L) $$, c.fn, pg_temp.id(c.target)), format('a manager may %s', c.label))
  FROM (VALUES (1, 'archive_resource', 'vault_room', 'archive a room'),
               (2, 'restore_resource', 'vault_room', 'restore it'),
               (3, 'archive_experience', 'subway', 'archive an experience'),
               (4, 'restore_experience', 'subway', 'restore it'),
               (5, 'archive_ticket_type', 'vip', 'archive a ticket type'),
               (6, 'restore_ticket_type', 'vip', 'restore it'),
               (7, 'rotate_embed_key', 'soho', 'rotate a widget key')) c(n, fn, target, label)
 ORDER BY c.n;
SELECT pg_temp.act_as('admin_a');
SELECT lives_ok(format($$ SELECT api.archive_venue(%L) $$, pg_temp.id('brooklyn')), 'an admin may archive a venue');
SELECT lives_ok(format($$ SELECT api.restore_venue(%L) $$, pg_temp.id('brooklyn')), '… and restore it');
RESET ROLE;

SELECT cmp_ok((SELECT count(*)::integer FROM patch_call), '>=', 5, 'the walk finds the update functions');
SELECT cmp_ok((SELECT count(DISTINCT fn)::integer FROM patch_key), '=', (SELECT count(*)::integer FROM patch_target),
              '… and the keys each of them may change');
SELECT throws_like(c.sql, 'changes may not set ''bogus''; the fields that change are %',
                   format('%s refuses an unknown key, naming it and the keys that may change', c.fn))
  FROM patch_call c ORDER BY c.fn;
SELECT matches(s.comment, '^PT[0-9]{3} [a-z_]+: .+', format('%s.%s says in words what it refuses', s.tbl, s.name))
  FROM said s ORDER BY s.tbl, s.name;

SELECT pg_temp.act_as('manager_a');
SELECT throws_ok(format($$ SELECT api.update_experience(%L, '{"colour": "red"}') $$, pg_temp.id('vault')), 'PT400',
                 'changes may not set ''colour''; the fields that change are name, description, category, '
                 'image_urls, duration_minutes, buffer_minutes, min_party, max_party, capacity, pricing_mode, '
                 'currency, min_notice, max_advance, hold_minutes, requires_payment, full_refund_before, '
                 'late_refund_percent, active, waiver_template_id, waiver_at_check_in', 'an unknown key is refused with the keys that may change');
SELECT throws_ok(format($$ SELECT api.update_experience(%L, %L) $$, pg_temp.id('vault'), jsonb_build_object(k, 'x')),
                 'PT400', format('changes may not set %L; the fields that change are name, description, category, '
                 'image_urls, duration_minutes, buffer_minutes, min_party, max_party, capacity, pricing_mode, '
                 'currency, min_notice, max_advance, hold_minutes, requires_payment, full_refund_before, '
                 'late_refund_percent, active, waiver_template_id, waiver_at_check_in', k), format('%s cannot be changed', k))
  FROM unnest(ARRAY['id', 'org_id', 'kind', 'venue_id']) k;
SELECT throws_ok(format($$ SELECT api.update_experience(%L, '{"name": {"a": 1}}') $$, pg_temp.id('vault')), 'PT400',
                 'changes: name takes a value of type text, not {"a": 1}',
                 'an object for a text field is refused, not stored as its JSON text');
SELECT throws_ok(format($$ SELECT api.update_experience(%L, '{"capacity": [3]}') $$, pg_temp.id('vault')), 'PT400',
                 'changes: capacity takes a value of type integer, not [3]', 'a list for a number is refused');
SELECT throws_ok(format($$ SELECT api.update_experience(%L, '["name"]') $$, pg_temp.id('vault')), 'PT400', NULL,
                 'changes must be an object');

SELECT is((SELECT a -> 'experience' ->> 'description' || ' ' || (a -> 'experience' ->> 'duration_minutes')
             FROM (SELECT api.update_experience(pg_temp.id('vault'), '{"description": "Dark and loud"}') a) x),
          'Dark and loud 60', 'a key present is set, absent keys keep their values');
SELECT is((SELECT a -> 'experience' -> 'description'
             FROM (SELECT api.update_experience(pg_temp.id('vault'), '{"description": null}') a) x), 'null'::jsonb,
          'a JSON null clears a field');
SELECT is(api.update_experience(pg_temp.id('vault'), '{}') -> 'experience' ->> 'name', 'The Vault',
          'an empty change changes nothing and answers the row');
SELECT throws_ok(format($$ SELECT api.update_experience(%L, '{"name": null}') $$, pg_temp.id('vault')), 'PT400',
                 'name is required', 'a required field cannot be cleared');
SELECT throws_ok(format($$ SELECT api.update_experience(%L, '{"duration_minutes": "long"}') $$, pg_temp.id('vault')),
                 'PT400', 'changes: duration_minutes takes a value of type integer, not "long"',
                 'a value of the wrong type is refused naming its key and type');
SELECT throws_ok(format($$ SELECT api.update_experience(%L, '{"max_party": 1}') $$, pg_temp.id('vault')), 'PT400',
                 'max_party is at least min_party', 'a rule of the row is said in words, not by its name');
SELECT throws_ok(format($$ SELECT api.update_experience(%L, '{"image_urls": ["http://x.example/a.png"]}') $$,
                        pg_temp.id('vault')), 'PT400',
                 'image_urls is a list of at most 10 https URLs, each at most 2000 characters', 'images are https');
SELECT throws_ok(format($$ SELECT api.update_venue(%L, '{"timezone": "EST"}') $$, pg_temp.id('soho')), 'PT400',
                 'timezone must be an IANA time zone such as Europe/London or Asia/Riyadh',
                 'a venue''s zone is an IANA one');
SELECT throws_ok(format($$ SELECT api.create_price_tier(%L, 3, 4, 100) $$, pg_temp.id('vault')), 'PT409',
                 'another price tier of this experience already covers some of these party sizes',
                 'the create functions say a constraint in words too');
SELECT throws_ok(format($$ SELECT api.create_ticket_type(%L, 'Adult', 100) $$, pg_temp.id('vault')), 'PT400',
                 'only a ticketed event has ticket types; a private session is priced by price tiers',
                 'a private session has no ticket types');
SELECT throws_ok(format($$ SELECT api.create_experience(%L, 'private_session', 'No money', 60, 4) $$,
                        pg_temp.id('soho')), 'PT400', 'currency is required until the organization chooses its currency',
                 'an experience needs a currency while its organization has none');
SELECT throws_ok(format($$ SELECT api.set_venue_hours(%L, '[{"weekday": 1, "opens": "25:00", "closes": "26:00"}]') $$,
                        pg_temp.id('soho')), 'PT400', 'hours opens must be a time of day as "HH:MM" (00:00 to 24:00), not "25:00"',
                 'an hour that is no time of day is refused naming it');
SELECT throws_ok(format($$ SELECT api.set_weekly_schedule(%L, '[{"weekday": 8, "start_time": "19:00"}]') $$,
                        pg_temp.id('vault')), 'PT400', 'rules weekday must be 1 (Monday) to 7 (Sunday), not 8',
                 'a weekday is 1 to 7');
SELECT throws_ok($$ SELECT private.constraint_error('23514', 'app', 'venues', 'no_such_rule', NULL) $$, 'PT400',
                 'a value is not allowed here', 'a constraint without words is still refused without its name');

SELECT pg_temp.act_as('staff_a');
SELECT lives_ok(format($$ SELECT api.create_booking(%L, %L, 'ada@example.com', 2) $$, pg_temp.id('vault'),
                       (SELECT at_19 FROM day)), 'a booking of the vault');
SELECT pg_temp.act_as('manager_a');
SELECT throws_ok(format($$ SELECT api.update_experience(%L, '{"currency": "EUR"}') $$, pg_temp.id('vault')), 'PT400',
                 'changes may not set ''currency'' once the experience has bookings',
                 'the currency cannot change once there are bookings');
SELECT is((SELECT a -> 'price_tier' IS NULL AND (a ->> 'price_minor')::int = 2700
             FROM (SELECT api.update_price_tier(t.id, '{"price_minor": 2700}') a
                     FROM app.price_tiers t WHERE t.experience_id = pg_temp.id('vault')) x), true,
          'a price tier changes PATCH-style and answers its row');
SELECT is((SELECT count(*)::int FROM (SELECT api.delete_price_tier(t.id) FROM app.price_tiers t
                                        WHERE t.experience_id = pg_temp.id('vault')) x), 1,
          'a price tier is deleted (nothing refers to it)');
SELECT is((SELECT count(*)::int FROM app.price_tiers WHERE experience_id = pg_temp.id('vault')), 0, '… and is gone');

SELECT * FROM finish();
ROLLBACK;
