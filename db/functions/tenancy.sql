-- Functions of the `tenancy` area: who the caller is in which organization, and creating organizations.
-- The membership helpers are SECURITY DEFINER in `private` so that policies can ask about memberships without
-- recursing through the memberships table's own policies; each answers only about the caller (auth.uid()), so
-- calling one directly reveals nothing the caller could not see anyway.

-- The helpers every policy calls are PL/pgSQL: a SQL function with SET search_path is never inlined and is
-- planned again on every call, and these run once in nearly every statement.
CREATE OR REPLACE FUNCTION private.is_super_admin()
RETURNS boolean
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
BEGIN
  -- app_metadata is written by the server only; user_metadata is the user's own and never trusted.
  RETURN coalesce((auth.jwt() -> 'app_metadata' ->> 'tessera_super_admin')::boolean, false);
END
$$;

COMMENT ON FUNCTION private.is_super_admin() IS
'True when the caller''s JWT carries app_metadata.tessera_super_admin = true (set by the platform, never by users).';

REVOKE ALL ON FUNCTION private.is_super_admin() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.is_super_admin() TO authenticated, service_role;


CREATE OR REPLACE FUNCTION private.org_ids(min_role app.member_role)
RETURNS uuid[]
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  -- Read once: the claim reader is inlined, and in a WHERE clause it would parse the claims again for every row.
  caller uuid := auth.uid();
BEGIN
  RETURN (SELECT coalesce(pg_catalog.array_agg(m.org_id), '{}')
            FROM app.memberships m
           WHERE m.user_id = caller
             AND m.role >= org_ids.min_role);
END
$$;

COMMENT ON FUNCTION private.org_ids(app.member_role) IS
'The organizations in which the caller holds at least min_role; empty for anonymous callers. For policies, as
org_id = ANY ((SELECT private.org_ids(''staff''))::uuid[]) so it runs once per statement.';

REVOKE ALL ON FUNCTION private.org_ids(app.member_role) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.org_ids(app.member_role) TO authenticated, service_role;


CREATE OR REPLACE FUNCTION private.co_member_ids()
RETURNS uuid[]
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  caller uuid := auth.uid();  -- once, not per row
BEGIN
  RETURN (SELECT coalesce(pg_catalog.array_agg(DISTINCT other.user_id), '{}')
            FROM app.memberships mine
            JOIN app.memberships other ON other.org_id = mine.org_id
           WHERE mine.user_id = caller);
END
$$;

COMMENT ON FUNCTION private.co_member_ids() IS
'Users who share at least one organization with the caller (the caller included); empty for anonymous callers.';

REVOKE ALL ON FUNCTION private.co_member_ids() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.co_member_ids() TO authenticated, service_role;


CREATE OR REPLACE FUNCTION private.create_organization(p_name text, p_slug text)
RETURNS app.organizations
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  caller uuid := auth.uid();
  org app.organizations;
BEGIN
  IF caller IS NULL THEN
    RAISE EXCEPTION 'sign in to create an organization' USING ERRCODE = 'PT401';
  END IF;
  INSERT INTO app.organizations (name, slug) VALUES (p_name, p_slug) RETURNING * INTO org;
  INSERT INTO app.memberships (org_id, user_id, role) VALUES (org.id, caller, 'owner');
  RETURN org;
EXCEPTION
  WHEN unique_violation THEN
    RAISE EXCEPTION 'the slug % is taken', p_slug USING ERRCODE = 'PT409', HINT = 'choose another slug';
  WHEN check_violation THEN
    RAISE EXCEPTION 'invalid organization name or slug' USING ERRCODE = 'PT400',
      HINT = 'name: 1 to 200 characters; slug: lower-case letters, digits and inner hyphens, at most 63';
  WHEN foreign_key_violation THEN
    RAISE EXCEPTION 'the signed-in user has no account record' USING ERRCODE = 'PT401';
END
$$;

COMMENT ON FUNCTION private.create_organization(text, text) IS
'Creates an organization with the caller as its owner, in one transaction. Its own check: the caller must be
signed in. Called through api.create_organization.';

REVOKE ALL ON FUNCTION private.create_organization(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.create_organization(text, text) TO authenticated;


CREATE OR REPLACE FUNCTION api.create_organization(name text, slug text)
RETURNS app.organizations
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT * FROM private.create_organization(private.text_arg('name', name, 1, 200),
                                            private.text_arg('slug', slug, 1, 63))
$$;

COMMENT ON FUNCTION api.create_organization(text, text) IS
$$Creates an organization and makes the caller its owner. For signed-in users (authenticated). Errors: PT400 for an
invalid name (1 to 200 characters) or slug (lower-case letters, digits and inner hyphens, at most 63 characters);
PT401 when not signed in; PT409 when the slug is taken.$$;

REVOKE ALL ON FUNCTION api.create_organization(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.create_organization(text, text) TO authenticated;


CREATE OR REPLACE FUNCTION api.my_organizations()
RETURNS TABLE (org_id uuid, name text, slug text, role app.member_role)
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT o.id, o.name, o.slug, m.role
    FROM app.memberships m
    JOIN app.organizations o ON o.id = m.org_id
   WHERE m.user_id = (SELECT auth.uid())  -- once per statement, not per row
   ORDER BY o.name, o.id
$$;

COMMENT ON FUNCTION api.my_organizations() IS
'The organizations the caller belongs to, with the caller''s role in each, by name. For signed-in users.';

REVOKE ALL ON FUNCTION api.my_organizations() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.my_organizations() TO authenticated;


CREATE OR REPLACE TRIGGER organizations_touch_updated_at
  BEFORE UPDATE ON app.organizations
  FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();
CREATE OR REPLACE TRIGGER memberships_touch_updated_at
  BEFORE UPDATE ON app.memberships
  FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();
CREATE OR REPLACE TRIGGER profiles_touch_updated_at
  BEFORE UPDATE ON app.profiles
  FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();


CREATE OR REPLACE FUNCTION api.set_display_name(display_name text)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  caller uuid := auth.uid();
BEGIN
  PERFORM private.text_arg('display_name', display_name, 1, 200);
  IF caller IS NULL THEN
    RAISE EXCEPTION 'sign in to set your name' USING ERRCODE = 'PT401';
  END IF;
  INSERT INTO app.profiles AS p (user_id, display_name) VALUES (caller, set_display_name.display_name)
  ON CONFLICT (user_id) DO UPDATE SET display_name = EXCLUDED.display_name;
EXCEPTION
  WHEN check_violation THEN
    RAISE EXCEPTION 'a display name has 1 to 200 characters' USING ERRCODE = 'PT400';
  WHEN foreign_key_violation THEN
    RAISE EXCEPTION 'the signed-in user has no account record' USING ERRCODE = 'PT401';
END
$$;

COMMENT ON FUNCTION api.set_display_name(text) IS
$$Sets the name the caller's colleagues see (their profile), creating the profile on first use. Returns nothing. For
signed-in users (authenticated). Errors: PT400 for an empty or over-long name (1 to 200 characters); PT401 when not
signed in.$$;

REVOKE ALL ON FUNCTION api.set_display_name(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.set_display_name(text) TO authenticated;
