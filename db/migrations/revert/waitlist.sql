-- Revert tessera:waitlist from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

ALTER TABLE app.org_settings DROP COLUMN waitlist_offer_ttl;
DROP TABLE app.waitlist_entries;

COMMIT;
