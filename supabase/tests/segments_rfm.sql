-- RFM by hand: ten customers of organization A with visits (ties in frequency and monetary value, two upcoming
-- visits tied on recency), two without visits and one erased, and a big spender of organization B; the scores,
-- segments, labels and the summary as computed on paper, who may refresh, and a second refresh changing nothing.
BEGIN;
\ir setup.psql
SELECT plan(29);
\ir fixtures.psql
UPDATE app.org_settings SET currency = 'GBP' WHERE org_id = pg_temp.id('org_a');

-- as_of A = 2026-06-01 12:00 UTC. Columns: name, visits, days before A of the first and the last visit (negative:
-- upcoming), lifetime value, days before A the record was made. Over the ten with visits, F and M score
-- 1 + 5 * (customers with less) / 10 and R 5 - 5 * (customers with a later visit) / 10: in order, ten distinct
-- values score 1 1 2 2 3 3 4 4 5 5; equal ones share the lowest score (F, M) or the best (R) of their block.
CREATE TEMP TABLE cast_rfm (name text, visits int, first_days int, last_days int, ltv bigint, made_days int);
GRANT SELECT ON cast_rfm TO PUBLIC;
INSERT INTO cast_rfm VALUES
  ('c01', 1,  400,  400,  1000, 1100),   -- R: 9 later -> 1; F: 0 fewer -> 1; M: 1 less -> 1
  ('c02', 4,  730,  300,  2000, 1100),   -- R: 8 later -> 1; F: 6 fewer -> 4; M: 2 less -> 2
  ('c03', 5,  900,  200, 50000, 1100),   -- R: 7 later -> 2; F: 7 fewer -> 4; M: 7 less -> 4
  ('c04', 1,  100,  100,  3000, 1100),   -- R: 6 later -> 2; F 1; M: 3000 tied with c06, 3 less -> 2
  ('c05', 6,  800,   60, 60000, 1100),   -- R: 5 later -> 3; F: 8 fewer -> 5; M: 8 less -> 5
  ('c06', 1,   30,   30,  3000, 1100),   -- R: 4 later -> 3; F 1; M 2
  ('c07', 3,  200,   20,  8000, 1100),   -- R: 3 later -> 4; F: 5 fewer -> 3; M: 6 less -> 4
  ('c08', 1,   10,   10,     0, 1100),   -- R: 2 later -> 4; F 1; M: 0 less -> 1 (paid nothing, all refunded)
  ('c09', 8, 1000,   -3, 90000, 1100),   -- R: upcoming, counts as A, tied with c10, 0 later -> 5; F 5; M 5
  ('c10', 1,   -7,   -7,  5000, 1100),   -- R 5; F 1; M: 5 less -> 3
  ('c11', 0, NULL, NULL,     0,   10),   -- no visit, on record 10 days: label new, no scores
  ('c12', 0, NULL, NULL,     0,  200);   -- no visit, on record 200 days: inactive
SELECT pg_temp.fresh(VARIADIC array_agg(name)) FROM cast_rfm;
SELECT pg_temp.fresh('erased', 'rich_b');
CREATE TEMP TABLE a AS SELECT timestamptz '2026-06-01 12:00:00+00' AS as_of;
GRANT SELECT ON a TO PUBLIC;
INSERT INTO app.customers (org_id, id, email, name, created_at, booking_count, first_visit_at, last_visit_at,
                           lifetime_value_minor)
SELECT pg_temp.id('org_a'), pg_temp.id(c.name), c.name || '@rfm.example', 'Customer ' || c.name,
       a.as_of - make_interval(days => c.made_days), c.visits,
       a.as_of - make_interval(days => c.first_days), a.as_of - make_interval(days => c.last_days), c.ltv
  FROM cast_rfm c, a;
-- An erased customer with visits counts nowhere; a big spender of B changes nothing in A.
INSERT INTO app.customers (org_id, id, email, created_at, booking_count, first_visit_at, last_visit_at,
                           lifetime_value_minor, erased_at)
SELECT pg_temp.id('org_a'), pg_temp.id('erased'), 'erased-' || pg_temp.id('erased') || '@erased.invalid',
       as_of - interval '900 days', 9, as_of - interval '800 days', as_of - interval '1 day', 999999, as_of
  FROM a;
INSERT INTO app.customers (org_id, id, email, created_at, booking_count, first_visit_at, last_visit_at,
                           lifetime_value_minor)
SELECT pg_temp.id('org_b'), pg_temp.id('rich_b'), 'rich@b.example', as_of - interval '900 days', 50,
       as_of - interval '800 days', as_of - interval '1 day', 9999999 FROM a;

-- Who may refresh.
SELECT pg_temp.act_as('staff_a');
SELECT throws_ok(format($$SELECT api.refresh_customer_segments(%L, %L)$$, pg_temp.id('org_a'), (SELECT as_of FROM a)),
                 'PT403', NULL, 'staff may not refresh the segments');
SELECT pg_temp.act_as('admin_b');
SELECT throws_ok(format($$SELECT api.refresh_customer_segments(%L, %L)$$, pg_temp.id('org_a'), (SELECT as_of FROM a)),
                 'PT404', NULL, 'another organization''s admin finds no organization to refresh');
SELECT pg_temp.act_as('manager_a');
SELECT throws_ok(format($$SELECT api.refresh_customer_segments(%L, '1999-01-01')$$, pg_temp.id('org_a')),
                 'PT400', NULL, 'an as_of before 2000 is refused');
SELECT is((SELECT r - 'computed_at' FROM api.refresh_customer_segments(pg_temp.id('org_a'), (SELECT as_of FROM a)) r),
          jsonb_build_object('org_id', pg_temp.id('org_a'), 'as_of', (SELECT as_of FROM a), 'customers', 12,
                             'scored', 10, 'changed', 12),
          'a manager refreshes: 12 customers labelled (the erased one left out), the 10 with visits scored');
RESET ROLE;

SELECT is((SELECT string_agg(format('%s %s%s%s %s %s', c.name, s.recency_score, s.frequency_score, s.monetary_score,
                                    s.segment, s.label), ', ' ORDER BY c.name)
             FROM cast_rfm c JOIN app.customer_segments s ON s.customer_id = pg_temp.id(c.name)),
          'c01 111 lost inactive, c02 142 at_risk regular, c03 244 cant_lose regular, c04 212 hibernating regular, '
          'c05 355 loyal vip, c06 312 potential_loyalists new, c07 434 loyal regular, c08 411 new new, '
          'c09 555 champions vip, c10 513 new new, c11   new, c12   inactive',
          'scores, segments and labels are the hand-computed ones (ties score equally; upcoming visits count as as_of)');
SELECT is((SELECT count(*)::int FROM app.customer_segments WHERE customer_id = pg_temp.id('erased')), 0,
          'an erased customer gets no segment');
SELECT is((SELECT count(*)::int FROM app.customer_segments WHERE org_id = pg_temp.id('org_b')), 0,
          'refreshing A writes nothing of B');

-- The summary, for staff.
SELECT pg_temp.act_as('staff_a');
SELECT is((SELECT jsonb_agg(jsonb_build_array(x ->> 'segment', (x ->> 'customers')::int, (x ->> 'revenue_minor')::int))
             FROM jsonb_array_elements(api.get_customer_segments(pg_temp.id('org_a')) -> 'segments') x),
          '[["champions", 1, 90000], ["loyal", 2, 68000], ["potential_loyalists", 1, 3000], ["new", 2, 5000],
            ["at_risk", 1, 2000], ["cant_lose", 1, 50000], ["hibernating", 1, 3000], ["lost", 1, 1000],
            [null, 2, 0]]'::jsonb,
          'customers and revenue per segment, every segment listed, the unscored under null; the erased one and B''s '
          'big spender nowhere');
SELECT is((SELECT jsonb_agg(jsonb_build_array(x ->> 'label', (x ->> 'customers')::int, (x ->> 'revenue_minor')::int))
             FROM jsonb_array_elements(api.get_customer_segments(pg_temp.id('org_a')) -> 'labels') x),
          '[["vip", 2, 150000], ["regular", 4, 63000], ["new", 4, 8000], ["inactive", 2, 1000]]'::jsonb,
          'customers and revenue per label');
SELECT is((SELECT jsonb_build_array(r ->> 'currency', (r ->> 'as_of')::timestamptz = (SELECT as_of FROM a),
                                    r ->> 'computed_at' IS NOT NULL)
             FROM api.get_customer_segments(pg_temp.id('org_a')) r),
          '["GBP", true, true]'::jsonb, 'the summary says its currency and when it was computed, as of when');
SELECT pg_temp.act_as('admin_b');
SELECT throws_ok(format($$SELECT api.get_customer_segments(%L)$$, pg_temp.id('org_a')), 'PT404', NULL,
                 'another organization''s admin reads no summary of A');
SELECT is((SELECT jsonb_agg((x ->> 'customers')::int) FROM jsonb_array_elements(
             api.get_customer_segments(pg_temp.id('org_b')) -> 'segments') x),
          '[0, 0, 0, 0, 0, 0, 0, 0, 0]'::jsonb, 'B before its first refresh: every segment empty');
SELECT is((SELECT r ->> 'computed_at' FROM api.get_customer_segments(pg_temp.id('org_b')) r), NULL,
          '… and no time computed');
SELECT pg_temp.act_as('outsider');
SELECT throws_ok(format($$SELECT api.get_customer_segments(%L)$$, pg_temp.id('org_a')), 'PT404', NULL,
                 'an outsider reads no summary');

-- Again: nothing changed, nothing written; the service may refresh too, and every organization at once.
SELECT pg_temp.act_as('service_role');
SELECT is((SELECT (r ->> 'changed')::int FROM api.refresh_customer_segments(pg_temp.id('org_a'), (SELECT as_of FROM a)) r),
          0, 'a second refresh with the same data changes nothing (service_role may refresh)');
SELECT throws_ok(format($$SELECT api.refresh_customer_segments(%L)$$, pg_temp.id('c01')), 'PT404', NULL,
                 'the service refreshing an organization that does not exist: not found');
SELECT cmp_ok((SELECT (r ->> 'organizations')::int FROM api.refresh_all_customer_segments((SELECT as_of FROM a)) r),
              '>=', 2, 'refresh_all_customer_segments refreshes every organization, A and B included');
RESET ROLE;
SELECT is((SELECT segment || ' ' || label FROM app.customer_segments WHERE customer_id = pg_temp.id('rich_b')),
          'new regular', 'B''s only customer, scored among B''s alone: best recency, lowest frequency and value');
SELECT is((SELECT count(*)::int FROM app.customer_segments WHERE org_id = pg_temp.id('org_a')), 12,
          'A still has its 12');
SELECT is((SELECT count(*)::int FROM app.customer_segment_runs r
            WHERE r.computed_at IS NULL OR r.as_of <> (SELECT as_of FROM a)), 0,
          'every organization''s run is recorded as of the time asked');
SELECT pg_temp.act_as('manager_a');
SELECT throws_ok($$SELECT api.refresh_all_customer_segments()$$, '42501', NULL,
                 'only the service refreshes every organization');
SELECT throws_ok($$SELECT * FROM api.customer_segments_due()$$, '42501', NULL,
                 'only the service asks which organizations are due');
SELECT pg_temp.act_as('service_role');
SELECT is((SELECT count(*)::int FROM api.customer_segments_due() d WHERE d IN (pg_temp.id('org_a'), pg_temp.id('org_b'))),
          0, 'just refreshed: neither A nor B is due');
SELECT is((SELECT count(*)::int FROM api.customer_segments_due('0 seconds') d
            WHERE d IN (pg_temp.id('org_a'), pg_temp.id('org_b'))), 2, 'with no staleness allowed both are due');
RESET ROLE;

-- Later figures move the scores: c01 comes back (a visit yesterday, more spent), c08 is erased.
UPDATE app.customers SET booking_count = 2, last_visit_at = (SELECT as_of FROM a) - interval '1 day',
                         lifetime_value_minor = 95000
 WHERE id = pg_temp.id('c01');
UPDATE app.customers SET erased_at = (SELECT as_of FROM a) WHERE id = pg_temp.id('c08');
SELECT pg_temp.act_as('manager_a');
SELECT is((SELECT r ->> 'scored' FROM api.refresh_customer_segments(pg_temp.id('org_a'), (SELECT as_of FROM a)) r),
          '9', 'nine left to score');
RESET ROLE;
-- Nine scored. c01: last visit 1 day before A, two later (c09 and c10, upcoming) -> R 5 - 10/9 = 4; 2 visits, three
-- with fewer (c04, c06, c10) -> F 1 + 15/9 = 2; 95000, eight with less -> M 1 + 40/9 = 5: a potential loyalist
-- (R>=3, F<=2), and vip.
SELECT is((SELECT format('%s%s%s %s %s', recency_score, frequency_score, monetary_score, segment, label)
             FROM app.customer_segments WHERE customer_id = pg_temp.id('c01')),
          '425 potential_loyalists vip', 'a customer who came back moves up');
SELECT is((SELECT count(*)::int FROM app.customer_segments WHERE customer_id = pg_temp.id('c08')), 0,
          'a customer erased since the last refresh leaves the segments');

-- Every one of the 125 scores has exactly one segment.
SELECT is((SELECT count(*)::int FROM generate_series(1, 5) r, generate_series(1, 5) f, generate_series(1, 5) m
            WHERE private.rfm_segment(r::smallint, f::smallint, m::smallint) IS NULL), 0,
          'the segment rules name every score');
SELECT is((SELECT count(DISTINCT private.rfm_segment(r::smallint, f::smallint, m::smallint))::int
             FROM generate_series(1, 5) r, generate_series(1, 5) f, generate_series(1, 5) m), 8,
          'and all eight segments are reachable');

SELECT * FROM finish();
ROLLBACK;
