-- Verify tessera:place_booking_doc on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text)';
  END IF;
END
$verify$;

ROLLBACK;
