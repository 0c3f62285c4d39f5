-- Deploy tessera:tenancy to pg
-- requires: schemas
-- requires: auth
--
-- Who belongs where. An organization is the tenant: every tenant table carries org_id and every foreign key
-- between tenant tables includes it, so no row can point into another organization, even through a bug.
-- A membership gives a user one role in one organization, ordered staff < manager < admin < owner so that
-- "at least manager" is a plain comparison. A profile is the user's own record, keyed by the auth user id.
-- RLS is enabled and forced on each table: no policy, no rows (the policies live in db/policies/tenancy.sql).
-- The API roles get table privileges here and RLS decides which rows; anon gets nothing.

BEGIN;

CREATE TYPE app.member_role AS ENUM ('staff', 'manager', 'admin', 'owner');
COMMENT ON TYPE app.member_role IS 'A member''s role in an organization, weakest first: compare with >=.';

CREATE TABLE app.organizations (
  id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  name       text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  slug       text        NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE app.organizations IS 'Tenants: a company running venues. Every tenant row carries its org_id.';

CREATE TABLE app.memberships (
  org_id     uuid            NOT NULL REFERENCES app.organizations (id) ON DELETE CASCADE,
  user_id    uuid            NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
  role       app.member_role NOT NULL,
  created_at timestamptz     NOT NULL DEFAULT now(),
  updated_at timestamptz     NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, user_id)
);
-- Policies look memberships up by user; the primary key only serves lookups by organization.
CREATE INDEX memberships_user_id_idx ON app.memberships (user_id);
COMMENT ON TABLE app.memberships IS 'A user''s role in an organization (one row per user and organization).';

CREATE TABLE app.profiles (
  user_id      uuid        PRIMARY KEY REFERENCES auth.users (id) ON DELETE CASCADE,
  display_name text        NOT NULL CHECK (length(btrim(display_name)) BETWEEN 1 AND 200),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE app.profiles IS 'A user''s own public details, keyed by the auth user id.';

ALTER TABLE app.organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.organizations FORCE ROW LEVEL SECURITY;
ALTER TABLE app.memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.memberships FORCE ROW LEVEL SECURITY;
ALTER TABLE app.profiles ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.profiles FORCE ROW LEVEL SECURITY;

-- Signed-in users reach the tables through RLS; service_role bypasses RLS; anon reaches nothing here.
GRANT USAGE ON SCHEMA app TO authenticated, service_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON app.organizations, app.memberships, app.profiles TO authenticated;
GRANT ALL ON app.organizations, app.memberships, app.profiles TO service_role;
-- Policies call membership helpers in private (SECURITY DEFINER, each granted on its own).
GRANT USAGE ON SCHEMA private TO authenticated, service_role;

COMMIT;
