-- Deploy tessera:extensions to pg
-- requires: schemas
--
-- Supabase keeps extensions in schema `extensions`; plain PostgreSQL gets the same schema here, so SQL reads the
-- same on both. btree_gist lets one exclusion constraint mix equality on ids with overlap on time ranges: the
-- database itself refuses two active bookings of one room at once. Each object is created only where missing and
-- then marked with a comment, so revert removes only what this change made.

BEGIN;

DO $$
BEGIN
  IF to_regnamespace('extensions') IS NULL THEN
    CREATE SCHEMA extensions;
    COMMENT ON SCHEMA extensions IS 'tessera: extensions schema';
    GRANT USAGE ON SCHEMA extensions TO anon, authenticated, service_role;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'btree_gist') THEN
    CREATE EXTENSION btree_gist SCHEMA extensions;
    COMMENT ON EXTENSION btree_gist IS 'tessera: btree operator classes for GiST, for exclusion constraints';
  END IF;
END
$$;

COMMIT;
