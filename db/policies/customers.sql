-- Row-level security of the `customers` area: staff of an organization read and keep its customers' tags and
-- read all its notes; a note is added, changed and deleted by its author only. The privacy log is read by nobody
-- directly (api.export_customer carries it) and written by the definers of export and erasure.

DROP POLICY IF EXISTS customer_tags_select ON app.customer_tags;
CREATE POLICY customer_tags_select ON app.customer_tags FOR SELECT TO authenticated
  USING (org_id = ANY ((SELECT private.org_ids('staff'))::uuid[]));
DROP POLICY IF EXISTS customer_tags_insert ON app.customer_tags;
CREATE POLICY customer_tags_insert ON app.customer_tags FOR INSERT TO authenticated
  WITH CHECK (org_id = ANY ((SELECT private.org_ids('staff'))::uuid[]));
DROP POLICY IF EXISTS customer_tags_delete ON app.customer_tags;
CREATE POLICY customer_tags_delete ON app.customer_tags FOR DELETE TO authenticated
  USING (org_id = ANY ((SELECT private.org_ids('staff'))::uuid[]));

DROP POLICY IF EXISTS customer_notes_select ON app.customer_notes;
CREATE POLICY customer_notes_select ON app.customer_notes FOR SELECT TO authenticated
  USING (org_id = ANY ((SELECT private.org_ids('staff'))::uuid[]));
DROP POLICY IF EXISTS customer_notes_insert ON app.customer_notes;
CREATE POLICY customer_notes_insert ON app.customer_notes FOR INSERT TO authenticated
  WITH CHECK (org_id = ANY ((SELECT private.org_ids('staff'))::uuid[]) AND author_id = (SELECT auth.uid()));
DROP POLICY IF EXISTS customer_notes_update ON app.customer_notes;
CREATE POLICY customer_notes_update ON app.customer_notes FOR UPDATE TO authenticated
  USING (org_id = ANY ((SELECT private.org_ids('staff'))::uuid[]) AND author_id = (SELECT auth.uid()))
  WITH CHECK (org_id = ANY ((SELECT private.org_ids('staff'))::uuid[]) AND author_id = (SELECT auth.uid()));
DROP POLICY IF EXISTS customer_notes_delete ON app.customer_notes;
CREATE POLICY customer_notes_delete ON app.customer_notes FOR DELETE TO authenticated
  USING (org_id = ANY ((SELECT private.org_ids('staff'))::uuid[]) AND author_id = (SELECT auth.uid()));
