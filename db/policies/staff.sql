-- Row-level security of the `staff` area. One permissive policy per table, role and action; helpers are wrapped in
-- (SELECT …) so they run once per statement. Members read their organization's shifts and who runs which session
-- (the rota is no secret among colleagues); managers and up plan them. Time entries are written only by the time
-- clock's definers: staff read their own, managers and up everyone's, and the corrections of those entries the
-- same way.

DROP POLICY IF EXISTS shifts_select ON app.shifts;
CREATE POLICY shifts_select ON app.shifts FOR SELECT TO authenticated
  USING (org_id = ANY ((SELECT private.org_ids('staff'))::uuid[]));

DROP POLICY IF EXISTS shifts_insert ON app.shifts;
CREATE POLICY shifts_insert ON app.shifts FOR INSERT TO authenticated
  WITH CHECK (org_id = ANY ((SELECT private.org_ids('manager'))::uuid[]));

DROP POLICY IF EXISTS shifts_update ON app.shifts;
CREATE POLICY shifts_update ON app.shifts FOR UPDATE TO authenticated
  USING (org_id = ANY ((SELECT private.org_ids('manager'))::uuid[]))
  WITH CHECK (org_id = ANY ((SELECT private.org_ids('manager'))::uuid[]));

DROP POLICY IF EXISTS shifts_delete ON app.shifts;
CREATE POLICY shifts_delete ON app.shifts FOR DELETE TO authenticated
  USING (org_id = ANY ((SELECT private.org_ids('manager'))::uuid[]));

DROP POLICY IF EXISTS session_staff_select ON app.session_staff;
CREATE POLICY session_staff_select ON app.session_staff FOR SELECT TO authenticated
  USING (org_id = ANY ((SELECT private.org_ids('staff'))::uuid[]));

DROP POLICY IF EXISTS session_staff_insert ON app.session_staff;
CREATE POLICY session_staff_insert ON app.session_staff FOR INSERT TO authenticated
  WITH CHECK (org_id = ANY ((SELECT private.org_ids('manager'))::uuid[]));

DROP POLICY IF EXISTS session_staff_delete ON app.session_staff;
CREATE POLICY session_staff_delete ON app.session_staff FOR DELETE TO authenticated
  USING (org_id = ANY ((SELECT private.org_ids('manager'))::uuid[]));

DROP POLICY IF EXISTS time_entries_select ON app.time_entries;
CREATE POLICY time_entries_select ON app.time_entries FOR SELECT TO authenticated
  USING (org_id = ANY ((SELECT private.org_ids('manager'))::uuid[])
         OR (user_id = (SELECT auth.uid()) AND org_id = ANY ((SELECT private.org_ids('staff'))::uuid[])));

DROP POLICY IF EXISTS time_entry_corrections_select ON app.time_entry_corrections;
CREATE POLICY time_entry_corrections_select ON app.time_entry_corrections FOR SELECT TO authenticated
  USING (org_id = ANY ((SELECT private.org_ids('manager'))::uuid[])
         OR (org_id = ANY ((SELECT private.org_ids('staff'))::uuid[])
             AND entry_id IN (SELECT e.id FROM app.time_entries e WHERE e.user_id = (SELECT auth.uid()))));
