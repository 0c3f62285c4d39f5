-- Row-level security of the `catalogue` area: members of an organization (staff and up) read its catalogue;
-- managers and up change it; admins and up add or remove venues. The public widget reads nothing here directly:
-- it goes through functions that expose only what a booking page needs.

DROP POLICY IF EXISTS venues_select ON app.venues;
CREATE POLICY venues_select ON app.venues FOR SELECT TO authenticated
  USING (org_id = ANY ((SELECT private.org_ids('staff'))::uuid[]) OR (SELECT private.is_super_admin()));

DROP POLICY IF EXISTS venues_insert ON app.venues;
CREATE POLICY venues_insert ON app.venues FOR INSERT TO authenticated
  WITH CHECK (org_id = ANY ((SELECT private.org_ids('admin'))::uuid[]));

DROP POLICY IF EXISTS venues_update ON app.venues;
CREATE POLICY venues_update ON app.venues FOR UPDATE TO authenticated
  USING (org_id = ANY ((SELECT private.org_ids('manager'))::uuid[]))
  WITH CHECK (org_id = ANY ((SELECT private.org_ids('manager'))::uuid[]));

DROP POLICY IF EXISTS venues_delete ON app.venues;
CREATE POLICY venues_delete ON app.venues FOR DELETE TO authenticated
  USING (org_id = ANY ((SELECT private.org_ids('admin'))::uuid[]));

-- Everything a venue holds follows one rule: staff read, managers write.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['venue_hours', 'venue_closures', 'resources', 'experiences', 'experience_resources',
                           'price_tiers', 'ticket_types', 'schedules'] LOOP
    EXECUTE format('DROP POLICY IF EXISTS %I ON app.%I', t || '_select', t);
    EXECUTE format($p$CREATE POLICY %I ON app.%I FOR SELECT TO authenticated
      USING (org_id = ANY ((SELECT private.org_ids('staff'))::uuid[]) OR (SELECT private.is_super_admin()))$p$,
      t || '_select', t);
    EXECUTE format('DROP POLICY IF EXISTS %I ON app.%I', t || '_insert', t);
    EXECUTE format($p$CREATE POLICY %I ON app.%I FOR INSERT TO authenticated
      WITH CHECK (org_id = ANY ((SELECT private.org_ids('manager'))::uuid[]))$p$, t || '_insert', t);
    EXECUTE format('DROP POLICY IF EXISTS %I ON app.%I', t || '_update', t);
    EXECUTE format($p$CREATE POLICY %I ON app.%I FOR UPDATE TO authenticated
      USING (org_id = ANY ((SELECT private.org_ids('manager'))::uuid[]))
      WITH CHECK (org_id = ANY ((SELECT private.org_ids('manager'))::uuid[]))$p$, t || '_update', t);
    EXECUTE format('DROP POLICY IF EXISTS %I ON app.%I', t || '_delete', t);
    EXECUTE format($p$CREATE POLICY %I ON app.%I FOR DELETE TO authenticated
      USING (org_id = ANY ((SELECT private.org_ids('manager'))::uuid[]))$p$, t || '_delete', t);
  END LOOP;
END
$$;
