-- Joining the waitlist of a session through the widget: only a session sold out for the party, every argument
-- checked where the function starts, consent required, one active entry per e-mail and session, and an answer
-- that is the customer's own entry and its token, nothing else.
BEGIN;
\ir setup.psql
SELECT plan(27);
\ir fixtures.psql
SELECT pg_temp.shop();

-- SQLSTATE and detail of what a statement raises, or 'ok'.
CREATE FUNCTION pg_temp.refusal(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  detail text;
BEGIN
  EXECUTE p_sql;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
  RETURN SQLSTATE || ' ' || coalesce(nullif(detail, ''), '-');
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.refusal(text) TO PUBLIC;

-- A join of the quiz at 19:00 in ten days, with the soho key, for a party and an e-mail.
CREATE FUNCTION pg_temp.join_sql(p_party int, p_email text, p_consent boolean DEFAULT true,
                                 p_key text DEFAULT NULL, p_experience text DEFAULT 'quiz') RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT format($q$ SELECT api.join_waitlist(%L, %L, %L, %s, 'Ada', %L, consent => %L) $q$,
                coalesce(p_key, pg_temp.key('soho')), pg_temp.id(p_experience), (SELECT at_19 FROM day), p_party,
                p_email, p_consent)
$$;
GRANT EXECUTE ON FUNCTION pg_temp.join_sql(int, text, boolean, text, text) TO PUBLIC;

SELECT pg_temp.act_as('anon');
SELECT is(pg_temp.refusal(pg_temp.join_sql(2, 'early@example.com')), 'PT409 not_sold_out',
          'a session with room for the party cannot be joined: book it instead (PT409 not_sold_out)');

-- 18 of the quiz's 20 places go.
SELECT lives_ok(format($$ SELECT api.widget_create_booking(%L, %L, %L, 'big@example.com',
                                                           tickets => pg_temp.tickets('standard', 10)) $$,
                       pg_temp.key('soho'), pg_temp.id('quiz'), (SELECT at_19 FROM day)), 'ten places sold');
SELECT lives_ok(format($$ SELECT api.widget_create_booking(%L, %L, %L, 'big2@example.com',
                                                           tickets => pg_temp.tickets('standard', 8)) $$,
                       pg_temp.key('soho'), pg_temp.id('quiz'), (SELECT at_19 FROM day)), 'eight more');
SELECT is(pg_temp.refusal(pg_temp.join_sql(2, 'pair@example.com')), 'PT409 not_sold_out',
          'two places left: a party of two may not join');
CREATE TEMP TABLE joined AS SELECT api.join_waitlist(pg_temp.key('soho'), pg_temp.id('quiz'),
                                                     (SELECT at_19 FROM day), 3, ' Ada Lovelace ',
                                                     ' Ada@Example.com ', '+44 20 7946 0000', true) AS answer;
GRANT SELECT ON joined TO PUBLIC;
SELECT ok((SELECT answer ->> 'token' LIKE 'wl\_%' AND length(answer ->> 'token') > 40 FROM joined),
          'two places left: a party of three joins and gets a token of its own');
SELECT is((SELECT (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(answer) k) FROM joined),
          ARRAY['created_at', 'experience_id', 'offer_expires_at', 'party_size', 'starts_at', 'status', 'token'],
          'the answer is the entry as its customer sees it: no id, no contact, nobody else''s data');
SELECT is((SELECT answer ->> 'status' FROM joined), 'waiting', 'the entry waits');
SELECT is(pg_temp.refusal(pg_temp.join_sql(3, 'ADA@example.com')), 'PT409 already_waiting',
          'one active entry per e-mail and session, whatever its case');
RESET ROLE;

SELECT is((SELECT row(w.email, w.name, w.phone, w.consent, w.consented_at IS NOT NULL, w.status, w.party_size)::text
             FROM app.waitlist_entries w JOIN app.slots s ON s.id = w.slot_id
            WHERE s.experience_id = pg_temp.id('quiz')),
          row('ada@example.com', 'Ada Lovelace', '+44 20 7946 0000', true, true, 'waiting', 3)::text,
          'the entry keeps the e-mail lower-case, the name trimmed, the phone, the consent and its time');
SELECT is((SELECT w.token_hash FROM app.waitlist_entries w JOIN app.slots s ON s.id = w.slot_id
            WHERE s.experience_id = pg_temp.id('quiz')),
          (SELECT sha256(convert_to(answer ->> 'token', 'UTF8')) FROM joined),
          'the token is stored as its SHA-256 only');
SELECT is((SELECT count(*)::int FROM app.slots s WHERE s.experience_id = pg_temp.id('quiz') AND s.taken = 18), 1,
          'joining takes no place');

-- Every argument is checked where the function starts.
SELECT pg_temp.act_as('anon');
SELECT is(pg_temp.refusal(pg_temp.join_sql(2, 'c@example.com', false)), 'PT400 required',
          'consent false is refused (PT400 required)');
SELECT is(pg_temp.refusal(format($$ SELECT api.join_waitlist(%L, %L, %L, 4, 'Ada', 'c@example.com') $$,
                                 pg_temp.key('soho'), pg_temp.id('quiz'), (SELECT at_19 FROM day))),
          'PT400 required', 'consent left out is refused');
SELECT is(pg_temp.refusal(pg_temp.join_sql(0, 'c@example.com')), 'PT400 out_of_range', 'a party of 0 is refused');
SELECT is(pg_temp.refusal(pg_temp.join_sql(1001, 'c@example.com')), 'PT400 out_of_range',
          'a party over 1000 is refused');
SELECT is(pg_temp.refusal(pg_temp.join_sql(11, 'c@example.com')), 'PT400 out_of_range',
          'a party over the experience''s limit is refused');
SELECT throws_ok(pg_temp.join_sql(3, 'not-an-address'), 'PT400', NULL, 'an e-mail must be an address');
SELECT is(pg_temp.refusal(format($$ SELECT api.join_waitlist(%L, %L, %L, 4, NULL, 'c@example.com', consent => true) $$,
                                 pg_temp.key('soho'), pg_temp.id('quiz'), (SELECT at_19 FROM day))),
          'PT400 required', 'a name is required');
SELECT is(pg_temp.refusal(format($$ SELECT api.join_waitlist(%L, %L, %L, 4, %L, 'c@example.com', consent => true) $$,
                                 pg_temp.key('soho'), pg_temp.id('quiz'), (SELECT at_19 FROM day), repeat('x', 201))),
          'PT400 out_of_range', 'a name over 200 characters is refused');
SELECT is(pg_temp.refusal(format($$ SELECT api.join_waitlist(%L, %L, %L, 4, 'Ada', 'c@example.com', %L, true) $$,
                                 pg_temp.key('soho'), pg_temp.id('quiz'), (SELECT at_19 FROM day), repeat('1', 51))),
          'PT400 out_of_range', 'a phone over 50 characters is refused');
SELECT is(pg_temp.refusal(format($$ SELECT api.join_waitlist(%L, %L, 'infinity', 4, 'Ada', 'c@example.com',
                                                             consent => true) $$,
                                 pg_temp.key('soho'), pg_temp.id('quiz'))),
          'PT400 out_of_range', 'an infinite start is refused');
SELECT throws_ok(format($$ SELECT api.join_waitlist(%L, %L, %L, 4, 'Ada', 'c@example.com', consent => true) $$,
                        pg_temp.key('soho'), pg_temp.id('quiz'), (SELECT at_19 + interval '1 hour' FROM day)),
                 'PT400', NULL, 'a start that is no session is refused');
SELECT throws_ok(pg_temp.join_sql(3, 'c@example.com', true, 'wk_nobody'), 'PT404', NULL,
                 'an unknown widget key is PT404');
SELECT throws_ok(pg_temp.join_sql(3, 'c@example.com', true, pg_temp.key('brooklyn')), 'PT404', NULL,
                 'another venue''s key does not open the experience');
SELECT throws_ok(pg_temp.join_sql(3, 'c@example.com', true, repeat('k', 101)), 'PT400', NULL,
                 'a key over 100 characters is refused');
RESET ROLE;

-- A private session: one group a slot, so it is sold out once booked.
SELECT lives_ok(format($$ SELECT api.create_booking(%L, %L, 'group@example.com', 4) $$,
                       pg_temp.id('vault'), (SELECT at_19 FROM day)), 'the vault is booked')
  FROM (SELECT pg_temp.act_as('staff_a')) a;
RESET ROLE;
SELECT pg_temp.act_as('anon');
SELECT is(pg_temp.refusal(pg_temp.join_sql(2, 'next@example.com', true, NULL, 'vault')), 'ok',
          'a booked private session can be joined by another group');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
