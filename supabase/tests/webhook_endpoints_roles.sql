-- Who manages webhook endpoints: admins and the owner of the organization, nobody else. The secret is a Standard
-- Webhooks one (whsec_ and 32 bytes in base64), shown on create and on rotate only; staff and managers are PT403,
-- outsiders and another organization's admin PT404 (the endpoint looks missing to them), and they change nothing.
BEGIN;
\ir setup.psql
SELECT plan(27);
\ir fixtures.psql

SELECT pg_temp.act_as('admin_a');
CREATE TEMP TABLE made AS SELECT api.create_webhook_endpoint(pg_temp.id('org_a'), 'https://hooks.example.com/a',
  '{booking.created,booking.cancelled,booking.created}', '  Our CRM  ') AS e;
GRANT SELECT ON made TO PUBLIC;
SELECT ok((SELECT e ->> 'secret' ~ '^whsec_[A-Za-z0-9+/]{43}=$' FROM made), 'create answers a whsec_ secret once');
SELECT ok((SELECT length(decode(substr(e ->> 'secret', 7), 'base64')) = 32 FROM made),
          'the secret is 32 random bytes');
SELECT is((SELECT e -> 'event_types' FROM made), '["booking.cancelled", "booking.created"]'::jsonb,
          'event types are kept sorted, without repeats');
SELECT is((SELECT e ->> 'description' FROM made), 'Our CRM', 'the description is trimmed');
SELECT is((SELECT count(*)::int FROM api.list_webhook_endpoints(pg_temp.id('org_a')) l
            WHERE l ->> 'id' = (SELECT e ->> 'id' FROM made)), 1, 'admins list the endpoint');
SELECT ok((SELECT NOT (l ? 'secret') FROM api.list_webhook_endpoints(pg_temp.id('org_a')) l
            WHERE l ->> 'id' = (SELECT e ->> 'id' FROM made)), 'the list never shows the secret');
SELECT ok(NOT (api.update_webhook_endpoint(pg_temp.id('org_a'), (SELECT (e ->> 'id')::uuid FROM made),
                                           description => 'CRM') ? 'secret'), 'update does not show it either');
CREATE TEMP TABLE rotated AS SELECT api.rotate_webhook_secret(pg_temp.id('org_a'), (SELECT (e ->> 'id')::uuid FROM made)) AS e;
GRANT SELECT ON rotated TO PUBLIC;
SELECT ok((SELECT r.e ->> 'secret' <> m.e ->> 'secret' AND r.e ->> 'secret' LIKE 'whsec_%' FROM rotated r, made m),
          'rotate answers a new secret');
RESET ROLE;
SELECT is((SELECT secret FROM app.webhook_endpoints WHERE id = (SELECT (e ->> 'id')::uuid FROM made)),
          (SELECT e ->> 'secret' FROM rotated), 'the new secret is the one stored');
SELECT is((SELECT count(*)::int FROM audit.log WHERE table_name = 'app.webhook_endpoints'
            AND row_id = (SELECT e ->> 'id' FROM made) AND (new_values ? 'secret' OR old_values ? 'secret')), 0,
          'the audit log never holds the secret');

SELECT pg_temp.act_as('owner_a');
SELECT lives_ok(format($$SELECT api.update_webhook_endpoint(%L, %L, enabled => false)$$, pg_temp.id('org_a'),
                       (SELECT e ->> 'id' FROM made)), 'the owner may change an endpoint');
SELECT is((SELECT l ->> 'disabled_reason' FROM api.list_webhook_endpoints(pg_temp.id('org_a')) l
            WHERE l ->> 'id' = (SELECT e ->> 'id' FROM made)), 'disabled by an admin', 'disabling says who did');

CREATE FUNCTION pg_temp.refused(p_who text, p_code text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  org constant uuid := pg_temp.id('org_a');
  ep constant text := (SELECT e ->> 'id' FROM made);
BEGIN
  PERFORM pg_temp.act_as(p_who);
  RETURN NEXT throws_ok(format($q$SELECT api.create_webhook_endpoint(%L, 'https://hooks.example.com/x', '{booking.created}')$q$, org),
                        p_code, NULL, p_who || ' may not create an endpoint');
  RETURN NEXT throws_ok(format($q$SELECT api.list_webhook_endpoints(%L)$q$, org), p_code, NULL,
                        p_who || ' may not list endpoints');
  RETURN NEXT throws_ok(format($q$SELECT api.rotate_webhook_secret(%L, %L)$q$, org, ep), p_code, NULL,
                        p_who || ' may not rotate the secret');
  RETURN NEXT throws_ok(format($q$SELECT api.delete_webhook_endpoint(%L, %L)$q$, org, ep), p_code, NULL,
                        p_who || ' may not delete it');
  RESET ROLE;
END
$$;
GRANT SELECT ON made TO PUBLIC;
SELECT pg_temp.refused('manager_a', 'PT403');
SELECT pg_temp.refused('admin_b', 'PT404');
SELECT pg_temp.refused('outsider', 'PT404');

SELECT pg_temp.act_as('admin_b');
SELECT throws_ok(format($$SELECT api.update_webhook_endpoint(%L, %L, url => 'https://evil.example.com/')$$,
                        pg_temp.id('org_b'), (SELECT e ->> 'id' FROM made)), 'PT404', 'webhook endpoint not found',
                 'another organization''s admin cannot reach the endpoint through their own organization');
RESET ROLE;
SELECT is((SELECT url FROM app.webhook_endpoints WHERE id = (SELECT (e ->> 'id')::uuid FROM made)),
          'https://hooks.example.com/a', 'and nothing changed');

SELECT pg_temp.act_as('admin_a');
SELECT lives_ok(format($$SELECT api.delete_webhook_endpoint(%L, %L)$$, pg_temp.id('org_a'), (SELECT e ->> 'id' FROM made)),
                'an admin deletes the endpoint');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
