-- Row-level security of the `partners` area: managers and up of an organization read and keep its event
-- partners; staff see none.

DROP POLICY IF EXISTS event_partners_select ON app.event_partners;
CREATE POLICY event_partners_select ON app.event_partners FOR SELECT TO authenticated
  USING (org_id = ANY ((SELECT private.org_ids('manager'))::uuid[]));
DROP POLICY IF EXISTS event_partners_insert ON app.event_partners;
CREATE POLICY event_partners_insert ON app.event_partners FOR INSERT TO authenticated
  WITH CHECK (org_id = ANY ((SELECT private.org_ids('manager'))::uuid[]));
DROP POLICY IF EXISTS event_partners_update ON app.event_partners;
CREATE POLICY event_partners_update ON app.event_partners FOR UPDATE TO authenticated
  USING (org_id = ANY ((SELECT private.org_ids('manager'))::uuid[]))
  WITH CHECK (org_id = ANY ((SELECT private.org_ids('manager'))::uuid[]));
DROP POLICY IF EXISTS event_partners_delete ON app.event_partners;
CREATE POLICY event_partners_delete ON app.event_partners FOR DELETE TO authenticated
  USING (org_id = ANY ((SELECT private.org_ids('manager'))::uuid[]));
