-- Row-level security of the `booking` area: staff of an organization read and write its customers and bookings;
-- slots, counters and resource claims are readable by staff and written only by the booking triggers. Nobody
-- deletes a booking (it moves to cancelled, rejected or expired instead); admins may erase a customer.

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
  FOREACH t IN ARRAY ARRAY['customers', 'bookings', 'booking_tickets'] LOOP
    EXECUTE format('DROP POLICY IF EXISTS %I ON app.%I', t || '_insert', t);
    EXECUTE format($p$CREATE POLICY %I ON app.%I FOR INSERT TO authenticated
      WITH CHECK (org_id = ANY ((SELECT private.org_ids('staff'))::uuid[]))$p$, t || '_insert', t);
    EXECUTE format('DROP POLICY IF EXISTS %I ON app.%I', t || '_update', t);
    EXECUTE format($p$CREATE POLICY %I ON app.%I FOR UPDATE TO authenticated
      USING (org_id = ANY ((SELECT private.org_ids('staff'))::uuid[]))
      WITH CHECK (org_id = ANY ((SELECT private.org_ids('staff'))::uuid[]))$p$, t || '_update', t);
  END LOOP;
END
$$;

DROP POLICY IF EXISTS customers_delete ON app.customers;
CREATE POLICY customers_delete ON app.customers FOR DELETE TO authenticated
  USING (org_id = ANY ((SELECT private.org_ids('admin'))::uuid[]));
