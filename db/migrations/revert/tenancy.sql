-- Revert tessera:tenancy from pg
--
-- Drops the tenancy tables and type, and takes back the schema usage this change granted.

BEGIN;

REVOKE USAGE ON SCHEMA private FROM authenticated, service_role;
REVOKE USAGE ON SCHEMA app FROM authenticated, service_role;
DROP TABLE app.profiles;
DROP TABLE app.memberships;
DROP TABLE app.organizations;
DROP TYPE app.member_role;

COMMIT;
