-- Row-level security of the `booking` area: staff of an organization read its customers, bookings, slots,
-- counters and claims, keep its customers, and move its bookings (the table grants limit which columns). Bookings
-- are created by private.place_booking and never deleted (they move to cancelled, rejected or expired); admins may
-- erase a customer.

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['customers', 'slots', 'slot_ticket_counts', 'bookings', 'booking_tickets',
                           'booking_resources'] LOOP
    EXECUTE format('DROP POLICY IF EXISTS %I ON app.%I', t || '_select', t);
    EXECUTE format($p$CREATE POLICY %I ON app.%I FOR SELECT TO authenticated
      USING (org_id = ANY ((SELECT private.org_ids('staff'))::uuid[]) OR (SELECT private.is_super_admin()))$p$,
      t || '_select', t);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['customers', 'bookings'] LOOP
    EXECUTE format('DROP POLICY IF EXISTS %I ON app.%I', t || '_update', t);
    EXECUTE format($p$CREATE POLICY %I ON app.%I FOR UPDATE TO authenticated
      USING (org_id = ANY ((SELECT private.org_ids('staff'))::uuid[]))
      WITH CHECK (org_id = ANY ((SELECT private.org_ids('staff'))::uuid[]))$p$, t || '_update', t);
  END LOOP;
END
$$;

DROP POLICY IF EXISTS customers_insert ON app.customers;
CREATE POLICY customers_insert ON app.customers FOR INSERT TO authenticated
  WITH CHECK (org_id = ANY ((SELECT private.org_ids('staff'))::uuid[]));

DROP POLICY IF EXISTS customers_delete ON app.customers;
CREATE POLICY customers_delete ON app.customers FOR DELETE TO authenticated
  USING (org_id = ANY ((SELECT private.org_ids('admin'))::uuid[]));
