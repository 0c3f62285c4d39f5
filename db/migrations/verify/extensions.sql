-- Verify tessera:extensions on pg
--
-- Raises unless schema extensions exists and btree_gist is installed.

BEGIN;

SELECT 'extensions'::regnamespace;

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'btree_gist') THEN
    RAISE EXCEPTION 'btree_gist is not installed';
  END IF;
END
$$;

ROLLBACK;
