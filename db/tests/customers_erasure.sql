-- A person's rights under the GDPR, after a rich story (a widget booking with an idempotency key, a staff booking,
-- an order paid through a Stripe event whose payload names them, a waiver, tags, a note, consent, a lead, an event
-- partner, a failed ticket lookup, the outbox's e-mail, a cancellation's and a refund's reason about her health, a
-- webhook delivery carrying that reason): the export holds everything about them, the erasure
-- leaves their e-mail in no column of any table of app, audit or private, keeps the money of the books, is
-- idempotent and audited, and the audit chain verifies after it while tampering is still detected.
BEGIN;
\ir setup.psql
SELECT plan(46);
\ir fixtures.psql
SELECT pg_temp.shop();
UPDATE app.org_settings SET currency = 'GBP', loyalty_points_per_major = 10 WHERE org_id = pg_temp.id('org_a');
SELECT pg_temp.fresh('order', 'template', 'version');

CREATE TEMP TABLE person (email text, name text, phone text);
INSERT INTO person VALUES ('Erin.Quill+GDPR@Example.org', 'Erin Quillfeather', '+44 7700 900123');
GRANT SELECT ON person TO PUBLIC;

-- The widget, as the API calls it (the visitor's address and browser in the request headers).
SELECT set_config('request.headers', '{"x-forwarded-for": "198.51.100.7", "user-agent": "ErinPhone/1.0"}', true);
SELECT pg_temp.act_as('anon');
CREATE TEMP TABLE first_booking AS
SELECT b.* FROM person p, api.widget_create_booking(pg_temp.key('soho'), pg_temp.id('vault'), (SELECT at_19 FROM day),
                                                   p.email, 2, p.name, p.phone, NULL, 'erin-widget-1') b;
SELECT is((api.get_tickets('ZZZZZZZZ', 'erin.quill+gdpr@example.org') ->> 'code'), 'PT404',
          'a failed ticket lookup of her address is counted');
RESET ROLE;
SELECT set_config('request.headers', '', true);
GRANT SELECT ON first_booking TO PUBLIC;
INSERT INTO fx (name, id) SELECT 'erin', customer_id FROM app.bookings WHERE id = (SELECT id FROM first_booking);

-- Staff book the quiz for her too, and someone else.
SELECT pg_temp.act_as('staff_a');
SELECT FROM api.create_booking(pg_temp.id('quiz'), (SELECT at_19 FROM day), 'erin.quill+gdpr@example.org', NULL,
                               'Erin Quillfeather', NULL, pg_temp.tickets('standard', 2));
SELECT FROM api.create_booking(pg_temp.id('subway'), (SELECT at_19_ny FROM day), 'bob@example.com', 2, 'Bob');
SELECT FROM api.add_customer_note(pg_temp.id('erin'), 'Prefers evening games; wrote from erin.quill+gdpr@example.org');
SELECT FROM api.set_customer_tags(pg_temp.id('erin'), ARRAY['VIP', 'corporate']);
SELECT FROM api.set_marketing_consent(pg_temp.id('erin'), true, 'widget');
SELECT FROM api.create_lead(pg_temp.id('org_a'), 'Erin Quillfeather', 'ERIN.QUILL+gdpr@example.org', '+44 7700 900123',
                            'Quill & Co', 12);
RESET ROLE;
SELECT pg_temp.act_as('manager_a');
SELECT FROM api.create_partner(pg_temp.id('org_a'), 'vendor', 'Quill Catering', 50000, 'GBP', pg_temp.id('quiz'),
                               NULL, 'Erin Quillfeather', 'erin.quill+GDPR@example.org');
RESET ROLE;

-- Her widget booking's order, paid through a Stripe event naming her (the service delivers it as service_role).
INSERT INTO app.orders (org_id, id, booking_id, customer_id, currency, prices_include_vat, vat_rate_bp, subtotal_minor,
                        vat_minor, total_minor, expires_at)
SELECT org_id, pg_temp.id('order'), id, customer_id, 'GBP', true, 0, price_minor, 0, price_minor, hold_expires_at
  FROM app.bookings WHERE id = (SELECT id FROM first_booking);
SELECT pg_temp.act_as('service_role');
SELECT is(api.apply_payment_event('stripe', jsonb_build_object('id', 'evt_erin', 'type', 'checkout.session.completed',
  'data', jsonb_build_object('object', jsonb_build_object(
    'id', 'cs_erin', 'object', 'checkout.session', 'payment_status', 'paid', 'payment_intent', 'pi_erin',
    'amount_total', 5000, 'currency', 'gbp', 'metadata', jsonb_build_object('order_id', pg_temp.id('order')),
    'customer_details', jsonb_build_object('email', 'Erin.Quill+GDPR@example.org', 'name', 'Erin Quillfeather',
                                           'phone', '+44 7700 900123'))))) ->> 'order_status',
  'paid', 'her order is paid through the provider''s event');
RESET ROLE;

-- Her waiver, signed online.
INSERT INTO app.waiver_templates (org_id, id, name) VALUES (pg_temp.id('org_a'), pg_temp.id('template'), 'Waiver');
INSERT INTO app.waiver_versions (org_id, template_id, id, version, title, body)
VALUES (pg_temp.id('org_a'), pg_temp.id('template'), pg_temp.id('version'), 1, 'Waiver', 'I accept the risks.');
UPDATE app.experiences SET waiver_template_id = pg_temp.id('template')
 WHERE id = (SELECT experience_id FROM app.bookings WHERE id = (SELECT id FROM first_booking));
-- The signature's trigger records the address and agent of the request, as the proxy passes them.
SELECT set_config('request.headers', '{"x-forwarded-for": "198.51.100.7", "user-agent": "ErinPhone/1.0"}', true);
INSERT INTO app.waiver_signatures (org_id, booking_id, version_id, participant_name, date_of_birth, minor, signature,
                                   client_ip, user_agent, text_sha256, signed_via)
SELECT pg_temp.id('org_a'), (SELECT id FROM first_booking), pg_temp.id('version'), 'Erin Quillfeather', '1990-04-01',
       false, 'Erin Quillfeather', '198.51.100.7', 'ErinPhone/1.0', body_sha256, 'online'
  FROM app.waiver_versions WHERE id = pg_temp.id('version');
SELECT set_config('request.headers', '', true);
SELECT is((SELECT host(client_ip) || ' ' || user_agent FROM app.waiver_signatures
            WHERE booking_id = (SELECT id FROM first_booking)), '198.51.100.7 ErinPhone/1.0',
          'her signature holds her address and agent');

SELECT ok((SELECT count(*) FROM app.notifications_outbox
            WHERE org_id = pg_temp.id('org_a') AND lower(recipient) = 'erin.quill+gdpr@example.org') >= 1,
          'the outbox holds an e-mail to her');

-- Staff cancel the quiz for her, saying why; a manager refunds part of her paid order, saying why; an endpoint of
-- the organization receives the cancellation with its reason.
INSERT INTO app.webhook_endpoints (org_id, url, event_types, secret)
VALUES (pg_temp.id('org_a'), 'https://hooks.example.com/', '{booking.cancelled}', private.webhook_secret());
SELECT pg_temp.act_as('staff_a');
SELECT FROM api.cancel_booking((SELECT id FROM app.bookings WHERE customer_id = pg_temp.id('erin')
                                  AND experience_id = pg_temp.id('quiz')), 'asthma flare-up, she called');
RESET ROLE;
SELECT pg_temp.act_as('manager_a');
SELECT FROM api.request_refund(pg_temp.id('order'), 1000, 'goodwill: her knee injury');
RESET ROLE;

-- Everything sealed before the erasure.
SELECT pg_temp.act_as('service_role');
SELECT ok(api.seal_audit_log('0 seconds') >= 1, 'the log is sealed before the erasure');
SELECT is((SELECT ok FROM api.verify_audit_chain(pg_temp.id('org_a'))), true, 'and its chain verifies');
RESET ROLE;

-- Export. ----------------------------------------------------------------------------------------------------------
SELECT pg_temp.act_as('staff_a');
SELECT throws_ok($$ SELECT api.export_customer(pg_temp.id('org_a'), pg_temp.id('erin')) $$, 'PT403', NULL,
                 'staff cannot export a customer');
RESET ROLE;
SELECT pg_temp.act_as('admin_b');
SELECT throws_ok($$ SELECT api.erase_customer(pg_temp.id('org_a'), pg_temp.id('erin')) $$, 'PT403', NULL,
                 'an admin of another organization cannot erase her');
SELECT throws_ok($$ SELECT api.export_customer(pg_temp.id('org_b'), pg_temp.id('erin')) $$, 'PT404', NULL,
                 'nor find her under their own organization');
RESET ROLE;
-- She waits for another session, and has said no to marketing texts.
INSERT INTO app.waitlist_entries (org_id, slot_id, customer_id, party_size, name, email, consent, consented_at,
                                  token_hash)
SELECT b.org_id, b.slot_id, b.customer_id, 2, 'Erin Quill', 'erin.quill+gdpr@example.org', true, now(),
       sha256('erin-waitlist-token')
  FROM app.bookings b WHERE b.id = (SELECT id FROM first_booking);
INSERT INTO app.message_preferences (org_id, customer_id, channel, category, enabled, source)
VALUES (pg_temp.id('org_a'), pg_temp.id('erin'), 'sms', 'marketing', false, 'staff');
SELECT pg_temp.act_as('admin_a');
CREATE TEMP TABLE export AS SELECT api.export_customer(pg_temp.id('org_a'), pg_temp.id('erin')) AS doc;
RESET ROLE;
SELECT is((SELECT doc ->> 'format' FROM export), 'tessera.customer_export.v1', 'the export names its format');
SELECT is((SELECT doc #>> '{customer,email}' FROM export), 'Erin.Quill+GDPR@Example.org', '… holds her record');
SELECT set_eq($$ SELECT (b ->> 'id')::uuid FROM export, jsonb_array_elements(doc -> 'bookings') b $$,
              $$ SELECT id FROM app.bookings WHERE customer_id = pg_temp.id('erin') $$,
              'the export holds every booking of the person');
SELECT set_eq($$ SELECT (p ->> 'id')::uuid FROM export, jsonb_array_elements(doc -> 'payments') p $$,
              $$ SELECT p.id FROM app.payments p JOIN app.orders o ON o.id = p.order_id
                  WHERE o.customer_id = pg_temp.id('erin') $$,
              '… and every payment');
SELECT ok((SELECT jsonb_array_length(b -> 'tickets') > 0 FROM export, jsonb_array_elements(doc -> 'bookings') b
            WHERE b ->> 'id' = (SELECT id::text FROM first_booking)), '… with the tickets of each booking');
SELECT is((SELECT jsonb_array_length(doc -> 'orders') FROM export), 1, '… her order');
SELECT is((SELECT jsonb_array_length(doc -> 'waiver_signatures') FROM export), 1, '… her waiver signature');
SELECT is((SELECT doc -> 'tags' FROM export), '["corporate", "vip"]', '… her tags');
SELECT is((SELECT jsonb_array_length(doc -> 'notes') FROM export), 1, '… the note about her');
SELECT is((SELECT jsonb_array_length(doc -> 'leads') FROM export), 1, '… the lead with her e-mail');
SELECT is((SELECT doc #>> '{marketing_consent,source}' FROM export), 'widget', '… her consent and its source');
SELECT ok((SELECT jsonb_array_length(doc -> 'notifications') >= 1 AND (doc #>> '{loyalty,balance}')::int > 0
             AND jsonb_array_length(doc -> 'audit') > 5 FROM export),
          '… the e-mails sent to her, her points and the audit rows about her');
SELECT is((SELECT jsonb_agg(w -> 'party_size') || jsonb_agg(w ? 'token_hash')
             FROM export, jsonb_array_elements(doc -> 'waitlist_entries') w), '[2, false]',
          '… her waitlist entry, without its token''s hash');
SELECT is((SELECT jsonb_agg(m ->> 'channel') FROM export, jsonb_array_elements(doc -> 'message_preferences') m),
          '["sms"]', '… and her message preferences');
SELECT is((SELECT count(*)::int FROM app.customer_requests WHERE customer_id = pg_temp.id('erin') AND kind = 'export'),
          1, 'the export is in the privacy log');

-- Erasure. ---------------------------------------------------------------------------------------------------------
CREATE TEMP TABLE books_before AS
SELECT (SELECT count(*) FROM app.bookings WHERE customer_id = pg_temp.id('erin')) AS bookings,
       (SELECT sum(price_minor) FROM app.bookings WHERE customer_id = pg_temp.id('erin')) AS booked,
       (SELECT sum(party_size) FROM app.bookings WHERE customer_id = pg_temp.id('erin')) AS people,
       (SELECT sum(total_minor) || '/' || sum(paid_minor) FROM app.orders
         WHERE customer_id = pg_temp.id('erin')) AS orders,
       (SELECT sum(p.amount_minor) FROM app.payments p JOIN app.orders o ON o.id = p.order_id
         WHERE o.customer_id = pg_temp.id('erin')) AS paid,
       (SELECT lifetime_value_minor || '/' || paid_orders FROM app.customers WHERE id = pg_temp.id('erin')) AS value,
       (SELECT balance FROM app.loyalty_accounts WHERE customer_id = pg_temp.id('erin')) AS points;

SELECT pg_temp.act_as('manager_a');
SELECT throws_ok($$ SELECT api.erase_customer(pg_temp.id('org_a'), pg_temp.id('erin')) $$, 'PT403', NULL,
                 'a manager cannot erase a customer');
RESET ROLE;
SELECT pg_temp.act_as('admin_a');
CREATE TEMP TABLE erased AS SELECT api.erase_customer(pg_temp.id('org_a'), pg_temp.id('erin')) AS summary;
RESET ROLE;
SELECT is((SELECT summary -> 'customers' FROM erased), '1', 'the erasure answers what it changed, per table');
SELECT ok((SELECT (summary ->> 'audit_log')::int > 5 AND (summary ->> 'waiver_signatures')::int = 1
             AND (summary ->> 'provider_events')::int = 1 FROM erased), '… audit rows, her waiver, the payload');

-- Every column of every table of app, audit and private, as text.
CREATE FUNCTION pg_temp.holding(p_needle text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  t regclass;
  n bigint;
BEGIN
  FOR t IN SELECT c.oid FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
            WHERE s.nspname IN ('app', 'audit', 'private') AND c.relkind IN ('r', 'p') LOOP
    EXECUTE format('SELECT count(*) FROM %s x WHERE strpos(lower(x::text), $1) > 0', t) INTO n USING lower(p_needle);
    IF n > 0 THEN
      RETURN NEXT t::text || ': ' || n || ' rows';
    END IF;
  END LOOP;
END
$$;
SELECT cmp_ok((SELECT count(*)::int FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
                WHERE s.nspname IN ('app', 'audit', 'private') AND c.relkind IN ('r', 'p')), '>=', 40,
              'the walk covers every table');
SELECT is_empty($$ SELECT pg_temp.holding(email) FROM person $$, 'erasure leaves no email behind');
SELECT is_empty($$ SELECT pg_temp.holding(json_build_object('e', email)::text) FROM person $$,
                '… nor in any JSON of its own');
SELECT is_empty($$ SELECT pg_temp.holding(name) FROM person $$, '… nor her name');
SELECT is_empty($$ SELECT pg_temp.holding(phone) FROM person $$, '… nor her phone');
SELECT is_empty($$ SELECT pg_temp.holding('asthma') UNION ALL SELECT pg_temp.holding('knee injury') $$,
                '… nor what staff wrote about her when cancelling and refunding (rows, webhooks, audit log)');
SELECT is((SELECT summary ->> 'booking_reasons' || ' ' || (summary ->> 'refund_reasons') || ' '
                  || (summary ->> 'webhook_deliveries') FROM erased), '1 1 1',
          '… the reasons blanked: the booking''s, the refund''s and the delivery''s');
SELECT isnt_empty($$ SELECT pg_temp.holding('bob@example.com') $$, 'someone else''s e-mail stays');
SELECT is((SELECT date_of_birth::text || ' ' || participant_name || ' ' || coalesce(host(client_ip), '-')
             FROM app.waiver_signatures WHERE booking_id = (SELECT id FROM first_booking)),
          '1900-01-01 [erased] -', 'her waiver keeps what was signed and when, not who or from where');

SELECT results_eq($$ SELECT * FROM books_before $$,
  $$ SELECT (SELECT count(*) FROM app.bookings WHERE customer_id = pg_temp.id('erin')),
            (SELECT sum(price_minor) FROM app.bookings WHERE customer_id = pg_temp.id('erin')),
            (SELECT sum(party_size) FROM app.bookings WHERE customer_id = pg_temp.id('erin')),
            (SELECT sum(total_minor) || '/' || sum(paid_minor) FROM app.orders WHERE customer_id = pg_temp.id('erin')),
            (SELECT sum(p.amount_minor) FROM app.payments p JOIN app.orders o ON o.id = p.order_id
              WHERE o.customer_id = pg_temp.id('erin')),
            (SELECT lifetime_value_minor || '/' || paid_orders FROM app.customers WHERE id = pg_temp.id('erin')),
            (SELECT balance FROM app.loyalty_accounts WHERE customer_id = pg_temp.id('erin')) $$,
  'erasure keeps the money of the books: bookings, people, orders, payments, lifetime value and points');

SELECT pg_temp.act_as('admin_a');
SELECT is(api.erase_customer(pg_temp.id('org_a'), pg_temp.id('erin')), (SELECT summary FROM erased),
          'a second erasure answers the first one''s summary');
SELECT is((SELECT ok FROM api.verify_audit_chain(pg_temp.id('org_a'))), true,
          'the audit chain verifies after an erasure');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM app.customer_requests WHERE customer_id = pg_temp.id('erin') AND kind = 'erasure'),
          1, 'the erasure is in the privacy log once');
SELECT ok((SELECT count(*) FROM audit.log WHERE table_name = 'app.customer_requests'
            AND coalesce(new_values, old_values) ->> 'customer_id' = pg_temp.id('erin')::text) >= 2,
          '… which is audited, export and erasure');
SELECT pg_temp.act_as('service_role');
SELECT ok(api.seal_audit_log('0 seconds') >= 1, 'the erasure''s rows are sealed');
SELECT is((SELECT ok::text || ': ' || message FROM api.verify_audit_chain(pg_temp.id('org_a'))),
          'true: every seal matches its log rows', '… and the chain verifies, sealed again');
RESET ROLE;

-- Tampering, as an intruder with the keys going around every trigger.
SAVEPOINT intact;
SET LOCAL session_replication_role = replica;
UPDATE audit.log SET new_values = jsonb_set(new_values, '{name}', '"Someone else"')
 WHERE id = (SELECT min(id) FROM audit.log
              WHERE table_name = 'app.customers' AND new_values ->> 'email' = 'bob@example.com');
SET LOCAL session_replication_role = origin;
SELECT pg_temp.act_as('service_role');
SELECT is((SELECT ok FROM api.verify_audit_chain(pg_temp.id('org_a'))), false,
          'tampering is still detected after an erasure: a row never redacted, edited');
RESET ROLE;
ROLLBACK TO SAVEPOINT intact;
SET LOCAL session_replication_role = replica;
UPDATE audit.log SET new_values = jsonb_set(new_values, '{party_size}', '5')
 WHERE id = (SELECT max(r.log_id) FROM audit.redactions r WHERE r.org_id = pg_temp.id('org_a'));
SET LOCAL session_replication_role = origin;
SELECT pg_temp.act_as('service_role');
SELECT is((SELECT ok FROM api.verify_audit_chain(pg_temp.id('org_a'))), false,
          '… and a redacted row edited after its redaction');
RESET ROLE;
ROLLBACK TO SAVEPOINT intact;
SELECT throws_ok($$ DELETE FROM audit.redactions $$, 'PT403', NULL, 'the list of redactions is append-only');

SELECT * FROM finish();
ROLLBACK;
