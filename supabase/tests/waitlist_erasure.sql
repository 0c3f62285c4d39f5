-- A person on a waitlist is the organization's customer (made or matched by e-mail when joining), so erasing the
-- customer erases them from the waitlist too: their entries stop waiting, an offer is withdrawn and its places pass
-- to the next entry, and no name, e-mail or phone of theirs is left in any table, the audit log included.
BEGIN;
\ir setup.psql
SELECT plan(7);
\ir fixtures.psql
SELECT pg_temp.shop();

-- The quiz sold out (10 + 8 + 2); Erin waits with a party of two, then Sam with two.
SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE sold AS
SELECT n, (SELECT id FROM api.create_booking(pg_temp.id('quiz'), (SELECT at_19 FROM day), n || '@buyers.example',
                                             tickets => pg_temp.tickets('standard', places))) AS booking_id
  FROM (VALUES ('a', 10), ('c', 8), ('b', 2)) v(n, places);
RESET ROLE;
SELECT pg_temp.act_as('anon');
SELECT api.join_waitlist(pg_temp.key('soho'), pg_temp.id('quiz'), (SELECT at_19 FROM day), 2, 'Erin Quillwaiting',
                         'Erin.Waits@Example.org', '+44 7700 900777', true);
SELECT api.join_waitlist(pg_temp.key('soho'), pg_temp.id('quiz'), (SELECT at_19 FROM day), 2, 'Sam', 'sam@wait.example',
                         consent => true);
RESET ROLE;
UPDATE app.waitlist_entries SET created_at = created_at - interval '1 minute' WHERE name = 'Erin Quillwaiting';

SELECT is((SELECT c.name FROM app.customers c JOIN app.waitlist_entries w ON w.customer_id = c.id
            WHERE w.email = 'erin.waits@example.org'), 'Erin Quillwaiting',
          'joining makes the person the organization''s customer, matched by e-mail');

-- Two places free: Erin's offer.
SELECT pg_temp.act_as('staff_a');
SELECT api.cancel_booking((SELECT booking_id FROM sold WHERE n = 'b'));
RESET ROLE;
SELECT is((SELECT status FROM app.waitlist_entries WHERE email = 'erin.waits@example.org'), 'offered',
          'Erin is offered the places');

CREATE TEMP TABLE erin AS SELECT customer_id FROM app.waitlist_entries WHERE email = 'erin.waits@example.org';
GRANT SELECT ON erin TO PUBLIC;
SELECT pg_temp.act_as('admin_a');
SELECT api.erase_customer(pg_temp.id('org_a'), (SELECT customer_id FROM erin));
RESET ROLE;

SELECT is((SELECT string_agg(w.name || ':' || w.status, ' ' ORDER BY w.created_at) FROM app.waitlist_entries w
             JOIN app.slots s ON s.id = w.slot_id WHERE s.experience_id = pg_temp.id('quiz')),
          '[erased]:cancelled Sam:offered', 'her entry is cancelled and erased; her offer passed to the next entry');
SELECT is((SELECT b.status::text FROM app.bookings b JOIN app.waitlist_entries w ON w.booking_id = b.id
            WHERE w.name = '[erased]'), 'cancelled', 'the withdrawn offer''s hold is cancelled');

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
SELECT is_empty($$ SELECT pg_temp.holding('erin.waits@example.org') $$, 'no table holds her e-mail');
SELECT is_empty($$ SELECT pg_temp.holding('Quillwaiting') $$, '… nor her name');
SELECT is_empty($$ SELECT pg_temp.holding('7700 900777') $$, '… nor her phone');

SELECT * FROM finish();
ROLLBACK;
