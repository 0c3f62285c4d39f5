-- Row-level security of the `audit` area: admins and owners read their organization's log, seals, purges and
-- redactions; nobody writes them except the definer triggers and functions.

DROP POLICY IF EXISTS log_select ON audit.log;
CREATE POLICY log_select ON audit.log FOR SELECT TO authenticated
  USING (org_id = ANY ((SELECT private.org_ids('admin'))::uuid[]));

DROP POLICY IF EXISTS seals_select ON audit.seals;
CREATE POLICY seals_select ON audit.seals FOR SELECT TO authenticated
  USING (org_id = ANY ((SELECT private.org_ids('admin'))::uuid[]));

DROP POLICY IF EXISTS purges_select ON audit.purges;
CREATE POLICY purges_select ON audit.purges FOR SELECT TO authenticated
  USING (org_id = ANY ((SELECT private.org_ids('admin'))::uuid[]));

DROP POLICY IF EXISTS redactions_select ON audit.redactions;
CREATE POLICY redactions_select ON audit.redactions FOR SELECT TO authenticated
  USING (org_id = ANY ((SELECT private.org_ids('admin'))::uuid[]));
