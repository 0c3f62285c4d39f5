-- Who may read and write each payments table: anon, a signed-in outsider, staff / manager / admin of organization
-- A, an admin of organization B and service_role, each against select, insert, update and delete. Nobody: money
-- moves only through the definer functions of the payments area (api.apply_payment_event, record_offline_payment,
-- request_refund, the service's queues), which check their caller; no API role holds a privilege on these tables,
-- and row-level security is forced on them besides.
BEGIN;
\ir setup.psql
SELECT plan(203);

\ir fixtures.psql

CREATE TEMP TABLE cases (tbl text PRIMARY KEY, insert_sql text NOT NULL, delete_sql text NOT NULL,
                         update_set text NOT NULL, insert_min text NOT NULL, update_min text NOT NULL,
                         delete_min text NOT NULL, select_min text NOT NULL, service_may text NOT NULL);
INSERT INTO cases
SELECT t, format($$INSERT INTO app.%I (org_id) SELECT pg_temp.id('org_a') WHERE %%L IS NOT NULL$$, t),
       format($$DELETE FROM app.%I WHERE org_id = pg_temp.id('org_a') AND %%L IS NOT NULL RETURNING 1$$, t),
       'org_id = org_id', 'nogrant', 'nogrant', 'nogrant', 'nogrant', ''
  FROM unnest(ARRAY['checkouts', 'payments', 'refunds', 'loyalty_accounts', 'loyalty_ledger',
                    'notifications_outbox']) t;

\ir rls_matrix.psql

SELECT pg_temp.check_role(r, t)
  FROM unnest(ARRAY['anon', 'outsider', 'staff_a', 'manager_a', 'admin_a', 'admin_b', 'service_role']) r,
       unnest(ARRAY['checkouts', 'payments', 'refunds', 'loyalty_accounts', 'loyalty_ledger',
                    'notifications_outbox']) t;

-- The inbox has no org_id (a receipt log of no organization: docs/scale-out.md), so the matrix, which counts rows by
-- organization, cannot take it: every role is refused every action on it outright.
CREATE FUNCTION pg_temp.inbox_refused(p_role text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  label text := p_role || ' on provider_events: ';
BEGIN
  PERFORM pg_temp.act_as(p_role);
  RETURN NEXT throws_ok('SELECT 1 FROM app.provider_events', '42501', NULL, label || 'has no select privilege');
  RETURN NEXT throws_ok($q$INSERT INTO app.provider_events (provider, event_id, type, payload)
                           VALUES ('stripe', 'evt_matrix', 'matrix', '{}')$q$, '42501', NULL,
                        label || 'has no insert privilege');
  RETURN NEXT throws_ok('UPDATE app.provider_events SET outcome = outcome RETURNING 1', '42501', NULL,
                        label || 'has no update privilege');
  RETURN NEXT throws_ok('DELETE FROM app.provider_events RETURNING 1', '42501', NULL,
                        label || 'has no delete privilege');
  PERFORM set_config('role', 'none', true);
END
$$;
SELECT pg_temp.inbox_refused(r)
  FROM unnest(ARRAY['anon', 'outsider', 'staff_a', 'manager_a', 'admin_a', 'admin_b', 'service_role']) r;

-- RLS is enabled and forced on each, so a privilege granted by mistake still shows no rows without a policy.
SELECT ok((SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE oid = format('app.%I', t)::regclass),
          format('row-level security is enabled and forced on app.%s', t))
  FROM unnest(ARRAY['checkouts', 'payments', 'refunds', 'provider_events', 'loyalty_accounts', 'loyalty_ledger',
                    'notifications_outbox']) t;

SELECT * FROM finish();
ROLLBACK;
