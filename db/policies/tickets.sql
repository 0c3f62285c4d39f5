-- Row-level security of the `tickets` area. API roles hold no privilege on these tables: tickets are issued and
-- revoked by triggers, read through get_tickets and check_in, and a key's secret never leaves the definer functions
-- that sign and verify. The policies say what staff would see if a read were ever granted: their organization's
-- tickets and check-ins. ticket_keys and ticket_lookup_failures have none: no claims, no rows.

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['tickets', 'check_ins'] LOOP
    EXECUTE format('DROP POLICY IF EXISTS %I ON app.%I', t || '_select', t);
    EXECUTE format($p$CREATE POLICY %I ON app.%I FOR SELECT TO authenticated
      USING (org_id = ANY ((SELECT private.org_ids('staff'))::uuid[]))$p$, t || '_select', t);
  END LOOP;
END
$$;
