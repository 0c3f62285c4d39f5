-- Revert tessera:extensions from pg
--
-- Drops btree_gist and the extensions schema only when this project created them (their comments say so); an
-- extension or schema the platform provides stays.

BEGIN;

DO $$
BEGIN
  IF pg_catalog.obj_description((SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'btree_gist'),
                                'pg_extension') = 'tessera: btree operator classes for GiST, for exclusion constraints'
  THEN
    DROP EXTENSION btree_gist;
  END IF;
  IF pg_catalog.obj_description(to_regnamespace('extensions'), 'pg_namespace') = 'tessera: extensions schema' THEN
    DROP SCHEMA extensions;
  END IF;
END
$$;

COMMIT;
