-- Verify tessera:catalogue on pg
--
-- Raises unless every catalogue table exists with RLS enabled and forced, and the venue time zone check refuses a
-- zone that is not IANA.

BEGIN;

-- Checks of privileges that table_privileges changed are retired; its verify checks them now.

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['venues', 'venue_hours', 'venue_closures', 'resources', 'experiences',
                           'experience_resources', 'price_tiers', 'ticket_types', 'schedules'] LOOP
    IF NOT (SELECT relrowsecurity AND relforcerowsecurity FROM pg_catalog.pg_class
             WHERE oid = format('app.%I', t)::regclass) THEN
      RAISE EXCEPTION 'row-level security is not enabled and forced on app.%', t;
    END IF;
  END LOOP;
  IF EXISTS (SELECT FROM pg_catalog.pg_constraint WHERE conrelid = 'app.venues'::regclass AND contype = 'c'
              AND pg_get_constraintdef(oid) LIKE '%is_iana_timezone%') IS NOT TRUE THEN
    RAISE EXCEPTION 'app.venues does not check its time zone';
  END IF;
END
$$;

ROLLBACK;
