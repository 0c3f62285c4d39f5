-- Row-level security of the `waivers` area: members of an organization (staff and up) read its waiver templates
-- and versions, managers and up write them (as the caller, through the api functions; nothing is ever deleted:
-- templates are archived, versions stay). API roles hold no privilege on signatures: they are written and read
-- through the definer functions of db/functions/waivers.sql; the policy says what staff would see if a read were
-- ever granted: their organization's.

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['waiver_templates', 'waiver_versions'] LOOP
    EXECUTE format('DROP POLICY IF EXISTS %I ON app.%I', t || '_select', t);
    EXECUTE format($p$CREATE POLICY %I ON app.%I FOR SELECT TO authenticated
      USING (org_id = ANY ((SELECT private.org_ids('staff'))::uuid[]))$p$, t || '_select', t);
    EXECUTE format('DROP POLICY IF EXISTS %I ON app.%I', t || '_insert', t);
    EXECUTE format($p$CREATE POLICY %I ON app.%I FOR INSERT TO authenticated
      WITH CHECK (org_id = ANY ((SELECT private.org_ids('manager'))::uuid[]))$p$, t || '_insert', t);
    EXECUTE format('DROP POLICY IF EXISTS %I ON app.%I', t || '_update', t);
    EXECUTE format($p$CREATE POLICY %I ON app.%I FOR UPDATE TO authenticated
      USING (org_id = ANY ((SELECT private.org_ids('manager'))::uuid[]))
      WITH CHECK (org_id = ANY ((SELECT private.org_ids('manager'))::uuid[]))$p$, t || '_update', t);
  END LOOP;
END
$$;

DROP POLICY IF EXISTS waiver_signatures_select ON app.waiver_signatures;
CREATE POLICY waiver_signatures_select ON app.waiver_signatures FOR SELECT TO authenticated
  USING (org_id = ANY ((SELECT private.org_ids('staff'))::uuid[]));
