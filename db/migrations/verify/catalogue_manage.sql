-- Verify tessera:catalogue_manage on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that fn_org_joins changed are retired; its verify checks them now.

-- Checks of functions that org_in_keys changed are retired; its verify checks them now.

-- Checks of functions that fn_org_routing changed are retired; its verify checks them now.

-- Checks of functions that waiver_settings_rules changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'api.add_venue_closure(uuid,timestamp with time zone,timestamp with time zone,text,boolean)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.add_venue_closure(uuid,timestamp with time zone,timestamp with time zone,text,boolean)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.add_venue_closure(uuid,timestamp with time zone,timestamp with time zone,text,boolean)';
  END IF;
  PERFORM 'api.archive_experience(uuid,boolean)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.archive_experience(uuid,boolean)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.archive_experience(uuid,boolean)';
  END IF;
  PERFORM 'api.archive_resource(uuid,boolean)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.archive_resource(uuid,boolean)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.archive_resource(uuid,boolean)';
  END IF;
  PERFORM 'api.archive_ticket_type(uuid,boolean)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.archive_ticket_type(uuid,boolean)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.archive_ticket_type(uuid,boolean)';
  END IF;
  PERFORM 'api.archive_venue(uuid,boolean)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.archive_venue(uuid,boolean)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.archive_venue(uuid,boolean)';
  END IF;
  PERFORM 'api.create_experience(uuid,text,text,integer,integer,integer,integer,integer,text,text,text,text,text[],interval,interval,integer,boolean,interval,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.create_experience(uuid,text,text,integer,integer,integer,integer,integer,text,text,text,text,text[],interval,interval,integer,boolean,interval,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.create_experience(uuid,text,text,integer,integer,integer,integer,integer,text,text,text,text,text[],interval,interval,integer,boolean,interval,integer)';
  END IF;
  PERFORM 'api.create_price_tier(uuid,integer,integer,bigint)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.create_price_tier(uuid,integer,integer,bigint)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.create_price_tier(uuid,integer,integer,bigint)';
  END IF;
  PERFORM 'api.create_resource(uuid,text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.create_resource(uuid,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.create_resource(uuid,text,text)';
  END IF;
  PERFORM 'api.create_ticket_type(uuid,text,bigint,integer,timestamp with time zone,timestamp with time zone,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.create_ticket_type(uuid,text,bigint,integer,timestamp with time zone,timestamp with time zone,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.create_ticket_type(uuid,text,bigint,integer,timestamp with time zone,timestamp with time zone,integer)';
  END IF;
  PERFORM 'api.create_venue(uuid,text,text,text,text,text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.create_venue(uuid,text,text,text,text,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.create_venue(uuid,text,text,text,text,text,text)';
  END IF;
  PERFORM 'api.delete_price_tier(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.delete_price_tier(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.delete_price_tier(uuid)';
  END IF;
  PERFORM 'api.get_catalogue(uuid,boolean)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.get_catalogue(uuid,boolean)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.get_catalogue(uuid,boolean)';
  END IF;
  PERFORM 'api.remove_venue_closure(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.remove_venue_closure(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.remove_venue_closure(uuid)';
  END IF;
  PERFORM 'api.restore_experience(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.restore_experience(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.restore_experience(uuid)';
  END IF;
  PERFORM 'api.restore_resource(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.restore_resource(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.restore_resource(uuid)';
  END IF;
  PERFORM 'api.restore_ticket_type(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.restore_ticket_type(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.restore_ticket_type(uuid)';
  END IF;
  PERFORM 'api.restore_venue(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.restore_venue(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.restore_venue(uuid)';
  END IF;
  PERFORM 'api.rotate_embed_key(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.rotate_embed_key(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.rotate_embed_key(uuid)';
  END IF;
  PERFORM 'api.set_experience_resources(uuid,uuid[],boolean)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.set_experience_resources(uuid,uuid[],boolean)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.set_experience_resources(uuid,uuid[],boolean)';
  END IF;
  PERFORM 'api.set_venue_hours(uuid,jsonb,boolean)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.set_venue_hours(uuid,jsonb,boolean)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.set_venue_hours(uuid,jsonb,boolean)';
  END IF;
  PERFORM 'api.set_weekly_schedule(uuid,jsonb,boolean)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.set_weekly_schedule(uuid,jsonb,boolean)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.set_weekly_schedule(uuid,jsonb,boolean)';
  END IF;
  PERFORM 'api.update_price_tier(uuid,jsonb)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.update_price_tier(uuid,jsonb)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.update_price_tier(uuid,jsonb)';
  END IF;
  PERFORM 'api.update_resource(uuid,jsonb)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.update_resource(uuid,jsonb)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.update_resource(uuid,jsonb)';
  END IF;
  PERFORM 'api.update_ticket_type(uuid,jsonb,boolean)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.update_ticket_type(uuid,jsonb,boolean)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.update_ticket_type(uuid,jsonb,boolean)';
  END IF;
  PERFORM 'private.catalogue_may(uuid,app.member_role,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.catalogue_may(uuid,app.member_role,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.catalogue_may(uuid,app.member_role,text)';
  END IF;
  PERFORM 'private.clock_arg(text,jsonb,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.clock_arg(text,jsonb,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.clock_arg(text,jsonb,text)';
  END IF;
  PERFORM 'private.image_urls_arg(text,text[])'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.image_urls_arg(text,text[])', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.image_urls_arg(text,text[])';
  END IF;
  PERFORM 'private.impact_scope(uuid[])'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.impact_scope(uuid[])', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.impact_scope(uuid[])';
  END IF;
  PERFORM 'private.org_currency(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.org_currency(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.org_currency(uuid)';
  END IF;
  PERFORM 'private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text)';
  END IF;
  PERFORM 'private.quote(uuid,timestamp with time zone,integer,jsonb,text,integer,text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.quote(uuid,timestamp with time zone,integer,jsonb,text,integer,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.quote(uuid,timestamp with time zone,integer,jsonb,text,integer,text,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.quote(uuid,timestamp with time zone,integer,jsonb,text,integer,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.quote(uuid,timestamp with time zone,integer,jsonb,text,integer,text,text)';
  END IF;
  PERFORM 'private.rows_arg(text,jsonb,text[],text[],integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.rows_arg(text,jsonb,text[],text[],integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.rows_arg(text,jsonb,text[],text[],integer)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.rows_arg(text,jsonb,text[],text[],integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.rows_arg(text,jsonb,text[],text[],integer)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.rows_arg(text,jsonb,text[],text[],integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.rows_arg(text,jsonb,text[],text[],integer)';
  END IF;
  PERFORM 'private.set_archived(regclass,uuid,boolean)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.set_archived(regclass,uuid,boolean)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.set_archived(regclass,uuid,boolean)';
  END IF;
  PERFORM 'private.weekday_arg(text,jsonb)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.weekday_arg(text,jsonb)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.weekday_arg(text,jsonb)';
  END IF;
  PERFORM 'private.widget_experiences(text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.widget_experiences(text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.widget_experiences(text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.widget_experiences(text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.widget_experiences(text)';
  END IF;
  PERFORM 'private.widget_venue(text)'::pg_catalog.regprocedure;
  PERFORM 'private.write_row(regclass,jsonb)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.write_row(regclass,jsonb)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.write_row(regclass,jsonb)';
  END IF;
END
$verify$;

ROLLBACK;
