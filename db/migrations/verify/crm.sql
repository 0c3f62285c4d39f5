-- Verify tessera:crm on pg
--
-- Raises unless the customer, lead and partner tables exist with RLS enabled and forced and customers record
-- consent.

BEGIN;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['customer_tags', 'customer_notes', 'customer_requests', 'leads', 'event_partners'] LOOP
    IF NOT (SELECT relrowsecurity AND relforcerowsecurity FROM pg_catalog.pg_class
             WHERE oid = format('app.%I', t)::regclass) THEN
      RAISE EXCEPTION 'row-level security is not enabled and forced on app.%', t;
    END IF;
  END LOOP;
END
$$;
SELECT marketing_consent, marketing_consent_at, marketing_consent_source, erased_at FROM app.customers WHERE false;

ROLLBACK;
