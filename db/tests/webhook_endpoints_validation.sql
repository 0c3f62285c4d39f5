-- Which URLs may be webhook endpoints, judged when saved: public http(s) addresses only (no credentials, no
-- localhost, no loopback, private, link-local, unique-local, multicast, unspecified or reserved IP literal, IPv4 or
-- IPv6, IPv4-mapped included, nor an IPv4 address in a form a resolver reads as loopback), and event types from the
-- fixed list; a refusal is PT400 saying why.
BEGIN;
\ir setup.psql
SELECT plan(38);
\ir fixtures.psql

SELECT is(private.webhook_url_problem(u), NULL, 'accepted: ' || u)
  FROM unnest(ARRAY['https://hooks.example.com/tessera', 'http://example.org:8080/in?x=1#f',
                    'https://93.184.215.14/hook', 'https://[2606:4700::6810:85e5]:443/hook',
                    'https://xn--bcher-kva.example/']) u;

SELECT isnt(private.webhook_url_problem(u), NULL, 'refused: ' || u)
  FROM unnest(ARRAY['ftp://example.com/x', 'https://user:pw@example.com/', 'https://user@example.com/',
                    'https://127.0.0.1/hook', 'https://10.1.2.3/hook', 'https://169.254.169.254/latest/meta-data',
                    'https://172.16.0.1/', 'https://192.168.1.1/', 'https://100.64.0.1/', 'https://0.0.0.0/',
                    'https://224.0.0.1/', 'https://255.255.255.255/', 'https://[::1]/hook', 'https://[::]/',
                    'https://[fe80::1]/', 'https://[fd00::1]/', 'https://[ff02::1]/', 'https://[::ffff:127.0.0.1]/',
                    'https://[::ffff:10.0.0.1]/', 'https://localhost/hook', 'https://LOCALHOST./hook',
                    'https://api.localhost/', 'https://127.1/', 'https://2130706433/', 'https://0x7f.0.0.1/',
                    'https://intranet/hook', 'https://exa mple.com/', 'https://example.com:99999/',
                    'https://' || repeat('a', 2000) || '.com/', 'https://bücher.example/']) u;

SELECT pg_temp.act_as('admin_a');
SELECT throws_ok(format($$SELECT api.create_webhook_endpoint(%L, 'https://127.0.0.1/hook', '{booking.created}')$$,
                        pg_temp.id('org_a')),
                 'PT400', 'url may not point at a loopback, private, link-local, multicast or otherwise non-public address',
                 'create_webhook_endpoint refuses a loopback URL with PT400 saying why');
SELECT throws_ok(format($$SELECT api.create_webhook_endpoint(%L, 'https://hooks.example.com/', '{booking.paid}')$$,
                        pg_temp.id('org_a')),
                 'PT400', 'event_types: booking.paid is not an event Tessera sends',
                 'an event type outside the list is refused');
SELECT throws_ok(format($$SELECT api.create_webhook_endpoint(%L, 'https://hooks.example.com/', '{}')$$,
                        pg_temp.id('org_a')),
                 'PT400', 'event_types lists 1 to 20 event types', 'no event type at all is refused');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
