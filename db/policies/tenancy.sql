-- Row-level security of the `tenancy` area. One permissive policy per table, role and action; helpers are
-- wrapped in (SELECT …) so they run once per statement. Organizations are created through
-- api.create_organization only, so there is no INSERT policy on them.

-- organizations: members read, admins edit, owners delete.
DROP POLICY IF EXISTS organizations_select ON app.organizations;
CREATE POLICY organizations_select ON app.organizations FOR SELECT TO authenticated
  USING (id = ANY ((SELECT private.org_ids('staff'))::uuid[]) OR (SELECT private.is_super_admin()));

DROP POLICY IF EXISTS organizations_update ON app.organizations;
CREATE POLICY organizations_update ON app.organizations FOR UPDATE TO authenticated
  USING (id = ANY ((SELECT private.org_ids('admin'))::uuid[]))
  WITH CHECK (id = ANY ((SELECT private.org_ids('admin'))::uuid[]));

DROP POLICY IF EXISTS organizations_delete ON app.organizations;
CREATE POLICY organizations_delete ON app.organizations FOR DELETE TO authenticated
  USING (id = ANY ((SELECT private.org_ids('owner'))::uuid[]));

-- memberships: members read their organization's; admins manage them, but only owners touch owner rows.
DROP POLICY IF EXISTS memberships_select ON app.memberships;
CREATE POLICY memberships_select ON app.memberships FOR SELECT TO authenticated
  USING (org_id = ANY ((SELECT private.org_ids('staff'))::uuid[]) OR (SELECT private.is_super_admin()));

DROP POLICY IF EXISTS memberships_insert ON app.memberships;
CREATE POLICY memberships_insert ON app.memberships FOR INSERT TO authenticated
  WITH CHECK (org_id = ANY ((SELECT private.org_ids('admin'))::uuid[])
              AND (role <> 'owner' OR org_id = ANY ((SELECT private.org_ids('owner'))::uuid[])));

DROP POLICY IF EXISTS memberships_update ON app.memberships;
CREATE POLICY memberships_update ON app.memberships FOR UPDATE TO authenticated
  USING (org_id = ANY ((SELECT private.org_ids('admin'))::uuid[])
         AND (role <> 'owner' OR org_id = ANY ((SELECT private.org_ids('owner'))::uuid[])))
  WITH CHECK (org_id = ANY ((SELECT private.org_ids('admin'))::uuid[])
              AND (role <> 'owner' OR org_id = ANY ((SELECT private.org_ids('owner'))::uuid[])));

DROP POLICY IF EXISTS memberships_delete ON app.memberships;
CREATE POLICY memberships_delete ON app.memberships FOR DELETE TO authenticated
  USING (org_id = ANY ((SELECT private.org_ids('admin'))::uuid[])
         AND (role <> 'owner' OR org_id = ANY ((SELECT private.org_ids('owner'))::uuid[])));

-- profiles: your own, and those of people you work with.
DROP POLICY IF EXISTS profiles_select ON app.profiles;
CREATE POLICY profiles_select ON app.profiles FOR SELECT TO authenticated
  USING (user_id = ANY ((SELECT private.co_member_ids())::uuid[])
         OR user_id = (SELECT auth.uid())
         OR (SELECT private.is_super_admin()));

DROP POLICY IF EXISTS profiles_insert ON app.profiles;
CREATE POLICY profiles_insert ON app.profiles FOR INSERT TO authenticated
  WITH CHECK (user_id = (SELECT auth.uid()));

DROP POLICY IF EXISTS profiles_update ON app.profiles;
CREATE POLICY profiles_update ON app.profiles FOR UPDATE TO authenticated
  USING (user_id = (SELECT auth.uid()))
  WITH CHECK (user_id = (SELECT auth.uid()));
