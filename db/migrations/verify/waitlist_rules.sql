-- Verify tessera:waitlist_rules on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that fn_org_joins changed are retired; its verify checks them now.

-- Checks of functions that fn_org_routing changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'api.accept_waitlist_offer(text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'api.accept_waitlist_offer(text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'api.accept_waitlist_offer(text,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.accept_waitlist_offer(text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.accept_waitlist_offer(text,text)';
  END IF;
  PERFORM 'api.cancel_waitlist_entry(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.cancel_waitlist_entry(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.cancel_waitlist_entry(uuid)';
  END IF;
  PERFORM 'api.join_waitlist(text,uuid,timestamp with time zone,integer,text,text,text,boolean)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'api.join_waitlist(text,uuid,timestamp with time zone,integer,text,text,text,boolean)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'api.join_waitlist(text,uuid,timestamp with time zone,integer,text,text,text,boolean)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.join_waitlist(text,uuid,timestamp with time zone,integer,text,text,text,boolean)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.join_waitlist(text,uuid,timestamp with time zone,integer,text,text,text,boolean)';
  END IF;
  PERFORM 'api.leave_waitlist(text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'api.leave_waitlist(text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'api.leave_waitlist(text,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.leave_waitlist(text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.leave_waitlist(text,text)';
  END IF;
  PERFORM 'api.list_waitlist(uuid,timestamp with time zone)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.list_waitlist(uuid,timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.list_waitlist(uuid,timestamp with time zone)';
  END IF;
  PERFORM 'api.set_waitlist_offer_ttl(uuid,interval)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.set_waitlist_offer_ttl(uuid,interval)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.set_waitlist_offer_ttl(uuid,interval)';
  END IF;
  PERFORM 'private.accept_waitlist_offer(text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.accept_waitlist_offer(text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.accept_waitlist_offer(text,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.accept_waitlist_offer(text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.accept_waitlist_offer(text,text)';
  END IF;
  PERFORM 'private.cancel_waitlist_entry(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.cancel_waitlist_entry(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.cancel_waitlist_entry(uuid)';
  END IF;
  PERFORM 'private.customers_waitlist_erase()'::pg_catalog.regprocedure;
  PERFORM 'private.is_waitlist_hold(uuid)'::pg_catalog.regprocedure;
  PERFORM 'private.list_waitlist(uuid,timestamp with time zone)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.list_waitlist(uuid,timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.list_waitlist(uuid,timestamp with time zone)';
  END IF;
  PERFORM 'private.offer_waitlist(uuid,uuid)'::pg_catalog.regprocedure;
  PERFORM 'private.set_waitlist_offer_ttl(uuid,interval)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.set_waitlist_offer_ttl(uuid,interval)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.set_waitlist_offer_ttl(uuid,interval)';
  END IF;
  PERFORM 'private.slots_waitlist()'::pg_catalog.regprocedure;
  PERFORM 'private.waitlist_entry(text,text)'::pg_catalog.regprocedure;
  PERFORM 'private.waitlist_hash(text)'::pg_catalog.regprocedure;
  PERFORM 'private.waitlist_hold(app.waitlist_entries,app.experiences,app.slots,timestamp with time zone)'::pg_catalog.regprocedure;
  PERFORM 'private.waitlist_offer_unwanted(app.notifications_outbox)'::pg_catalog.regprocedure;
  PERFORM 'private.waitlist_places(app.experience_kind,integer)'::pg_catalog.regprocedure;
  PERFORM 'private.waitlist_token(text)'::pg_catalog.regprocedure;
END
$verify$;

ROLLBACK;
