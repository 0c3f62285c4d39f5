-- Verify tessera:erasure_reasons on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that fn_org_joins changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'private.audit_redact(uuid,uuid,text,text,text[],text[])'::pg_catalog.regprocedure;
  PERFORM 'private.bookings_guard()'::pg_catalog.regprocedure;
  PERFORM 'private.refunds_guard()'::pg_catalog.regprocedure;
END
$verify$;

ROLLBACK;
