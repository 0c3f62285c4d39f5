-- Verify tessera:tickets on pg
--
-- Raises unless the ticket tables exist with forced RLS, one check-in per ticket, and pgcrypto's hmac().

BEGIN;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['ticket_keys', 'tickets', 'check_ins', 'ticket_lookup_failures'] LOOP
    IF NOT (SELECT relrowsecurity AND relforcerowsecurity FROM pg_catalog.pg_class
             WHERE oid = format('app.%I', t)::regclass) THEN
      RAISE EXCEPTION 'row-level security is not enabled and forced on app.%', t;
    END IF;
  END LOOP;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_constraint WHERE conname = 'check_ins_ticket_id_key') THEN
    RAISE EXCEPTION 'check-ins are not one per ticket';
  END IF;
  PERFORM extensions.hmac('x'::bytea, 'k'::bytea, 'sha256');
END
$$;

ROLLBACK;
