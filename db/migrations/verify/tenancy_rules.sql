-- Verify tessera:tenancy_rules on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that argument_words changed are retired; its verify checks them now.

-- Checks of functions that caller_once changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'app.touch_updated_at()'::pg_catalog.regprocedure;
  PERFORM 'private.create_organization(text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.create_organization(text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.create_organization(text,text)';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.memberships' AND policyname = 'memberships_delete') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'memberships_delete', 'app.memberships';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.memberships' AND policyname = 'memberships_insert') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'memberships_insert', 'app.memberships';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.memberships' AND policyname = 'memberships_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'memberships_select', 'app.memberships';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.memberships' AND policyname = 'memberships_update') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'memberships_update', 'app.memberships';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.organizations' AND policyname = 'organizations_delete') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'organizations_delete', 'app.organizations';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.organizations' AND policyname = 'organizations_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'organizations_select', 'app.organizations';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.organizations' AND policyname = 'organizations_update') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'organizations_update', 'app.organizations';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.profiles' AND policyname = 'profiles_insert') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'profiles_insert', 'app.profiles';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.profiles' AND policyname = 'profiles_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'profiles_select', 'app.profiles';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.profiles' AND policyname = 'profiles_update') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'profiles_update', 'app.profiles';
  END IF;
END
$verify$;

ROLLBACK;
