-- Verify tessera:discovery_rules on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that fn_org_joins changed are retired; its verify checks them now.

-- Checks of functions that team_rules changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'api.recommend_experiences(uuid,uuid,uuid,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.recommend_experiences(uuid,uuid,uuid,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.recommend_experiences(uuid,uuid,uuid,integer)';
  END IF;
  PERFORM 'api.search_experiences(uuid,text,uuid,text,date,integer,integer,boolean,integer,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.search_experiences(uuid,text,uuid,text,date,integer,integer,boolean,integer,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.search_experiences(uuid,text,uuid,text,date,integer,integer,boolean,integer,integer)';
  END IF;
  PERFORM 'api.set_search_language(uuid,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.set_search_language(uuid,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.set_search_language(uuid,text)';
  END IF;
  PERFORM 'api.widget_search_experiences(text,text,text,date,integer,integer,integer,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'api.widget_search_experiences(text,text,text,date,integer,integer,integer,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'api.widget_search_experiences(text,text,text,date,integer,integer,integer,integer)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.widget_search_experiences(text,text,text,date,integer,integer,integer,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.widget_search_experiences(text,text,text,date,integer,integer,integer,integer)';
  END IF;
  PERFORM 'private.experience_from_price(uuid,uuid,app.experience_kind)'::pg_catalog.regprocedure;
  PERFORM 'private.experience_search_vector(text,text,text,text)'::pg_catalog.regprocedure;
  PERFORM 'private.experiences_search_vector()'::pg_catalog.regprocedure;
  PERFORM 'private.org_settings_search_language()'::pg_catalog.regprocedure;
  PERFORM 'private.org_settings_search_language_check()'::pg_catalog.regprocedure;
  PERFORM 'private.recommend_experiences(uuid,uuid,uuid,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.recommend_experiences(uuid,uuid,uuid,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.recommend_experiences(uuid,uuid,uuid,integer)';
  END IF;
  PERFORM 'private.search_args(text,text,date,integer,integer,integer,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.search_args(text,text,date,integer,integer,integer,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.search_args(text,text,date,integer,integer,integer,integer)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.search_args(text,text,date,integer,integer,integer,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.search_args(text,text,date,integer,integer,integer,integer)';
  END IF;
  PERFORM 'private.set_search_language(uuid,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.set_search_language(uuid,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.set_search_language(uuid,text)';
  END IF;
END
$verify$;

ROLLBACK;
