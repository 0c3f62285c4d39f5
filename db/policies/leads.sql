-- Row-level security of the `leads` area: staff of an organization read, add and work its leads (never delete
-- them: a lead ends won or lost).

DROP POLICY IF EXISTS leads_select ON app.leads;
CREATE POLICY leads_select ON app.leads FOR SELECT TO authenticated
  USING (org_id = ANY ((SELECT private.org_ids('staff'))::uuid[]));
DROP POLICY IF EXISTS leads_insert ON app.leads;
CREATE POLICY leads_insert ON app.leads FOR INSERT TO authenticated
  WITH CHECK (org_id = ANY ((SELECT private.org_ids('staff'))::uuid[]));
DROP POLICY IF EXISTS leads_update ON app.leads;
CREATE POLICY leads_update ON app.leads FOR UPDATE TO authenticated
  USING (org_id = ANY ((SELECT private.org_ids('staff'))::uuid[]))
  WITH CHECK (org_id = ANY ((SELECT private.org_ids('staff'))::uuid[]));
