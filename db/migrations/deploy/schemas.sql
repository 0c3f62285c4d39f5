-- Deploy tessera:schemas to pg
-- requires: roles
--
-- Tessera's four schemas, each with one job:
--   app      tables, types, constraints and triggers; never exposed over HTTP
--   api      the functions the world calls (PostgREST / the proxy expose this schema only)
--   private  SECURITY DEFINER helpers, each with its own checks; never exposed
--   audit    the audit log and its seals
-- Only api is usable by the API roles; each later change grants exactly what its functions need.
-- PostgreSQL grants EXECUTE on every new function to PUBLIC; the deploying role's default privileges take that
-- away, so a function nobody granted is a function nobody can call.

BEGIN;

CREATE SCHEMA app;
COMMENT ON SCHEMA app IS 'Tables, types, constraints and triggers. Never exposed over HTTP.';

CREATE SCHEMA api;
COMMENT ON SCHEMA api IS 'The RPC surface: the only schema exposed over HTTP. Every function is granted explicitly.';
GRANT USAGE ON SCHEMA api TO anon, authenticated, service_role;

CREATE SCHEMA private;
COMMENT ON SCHEMA private IS 'SECURITY DEFINER helpers with their own checks. Never exposed.';

CREATE SCHEMA audit;
COMMENT ON SCHEMA audit IS 'The append-only audit log and its tamper-evident seals.';

ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

COMMIT;
