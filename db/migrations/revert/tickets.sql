-- Revert tessera:tickets from pg
--
-- Drops the ticket tables (dependents first), and pgcrypto only if this change created it.

BEGIN;

DROP TABLE app.ticket_lookup_failures;
DROP TABLE app.check_ins;
DROP TABLE app.tickets;
DROP TABLE app.ticket_keys;

DO $$
BEGIN
  IF pg_catalog.obj_description((SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'pgcrypto'), 'pg_extension')
     = 'tessera: HMAC and random bytes, for signed tickets' THEN
    DROP EXTENSION pgcrypto;
  END IF;
END
$$;

COMMIT;
