-- Verify tessera:crm_rules on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that fn_org_routing changed are retired; its verify checks them now.
-- Checks of functions that audit_platform_org changed are retired; its verify checks them now.

-- Checks of functions that plpgsql_check_clean changed are retired; its verify checks them now.

-- Checks of functions that export_everything changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'api.add_customer_note(uuid,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.add_customer_note(uuid,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.add_customer_note(uuid,text)';
  END IF;
  PERFORM 'api.convert_lead(uuid,uuid,timestamp with time zone,integer,jsonb)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.convert_lead(uuid,uuid,timestamp with time zone,integer,jsonb)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.convert_lead(uuid,uuid,timestamp with time zone,integer,jsonb)';
  END IF;
  PERFORM 'api.create_lead(uuid,text,text,text,text,integer,date,uuid,uuid,bigint,text,uuid,text,timestamp with time zone,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.create_lead(uuid,text,text,text,text,integer,date,uuid,uuid,bigint,text,uuid,text,timestamp with time zone,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.create_lead(uuid,text,text,text,text,integer,date,uuid,uuid,bigint,text,uuid,text,timestamp with time zone,text)';
  END IF;
  PERFORM 'api.create_partner(uuid,text,text,bigint,text,uuid,uuid,text,text,text,text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.create_partner(uuid,text,text,bigint,text,uuid,uuid,text,text,text,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.create_partner(uuid,text,text,bigint,text,uuid,uuid,text,text,text,text,text)';
  END IF;
  PERFORM 'api.delete_customer_note(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.delete_customer_note(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.delete_customer_note(uuid)';
  END IF;
  PERFORM 'api.delete_partner(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.delete_partner(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.delete_partner(uuid)';
  END IF;
  PERFORM 'api.erase_customer(uuid,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.erase_customer(uuid,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.erase_customer(uuid,uuid)';
  END IF;
  PERFORM 'api.list_customer_notes(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.list_customer_notes(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.list_customer_notes(uuid)';
  END IF;
  PERFORM 'api.list_leads(uuid,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.list_leads(uuid,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.list_leads(uuid,text)';
  END IF;
  PERFORM 'api.list_partners(uuid,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.list_partners(uuid,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.list_partners(uuid,uuid)';
  END IF;
  PERFORM 'api.set_customer_tags(uuid,text[])'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.set_customer_tags(uuid,text[])', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.set_customer_tags(uuid,text[])';
  END IF;
  PERFORM 'api.set_marketing_consent(uuid,boolean,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.set_marketing_consent(uuid,boolean,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.set_marketing_consent(uuid,boolean,text)';
  END IF;
  PERFORM 'api.update_customer_note(uuid,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.update_customer_note(uuid,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.update_customer_note(uuid,text)';
  END IF;
  PERFORM 'api.update_lead(uuid,jsonb)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.update_lead(uuid,jsonb)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.update_lead(uuid,jsonb)';
  END IF;
  PERFORM 'api.update_partner(uuid,jsonb)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.update_partner(uuid,jsonb)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.update_partner(uuid,jsonb)';
  END IF;
  PERFORM 'private.audit_append_only()'::pg_catalog.regprocedure;
  PERFORM 'private.leads_guard()'::pg_catalog.regprocedure;
  PERFORM 'private.own_note(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.own_note(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.own_note(uuid)';
  END IF;
  PERFORM 'private.partners_manager(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.partners_manager(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.partners_manager(uuid)';
  END IF;
  PERFORM 'private.privacy_customer(uuid,uuid)'::pg_catalog.regprocedure;
  PERFORM 'private.provider_events_guard()'::pg_catalog.regprocedure;
  PERFORM 'private.redact_jsonb(jsonb,text,text,text[],text[])'::pg_catalog.regprocedure;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.customer_notes' AND policyname = 'customer_notes_delete') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'customer_notes_delete', 'app.customer_notes';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.customer_notes' AND policyname = 'customer_notes_insert') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'customer_notes_insert', 'app.customer_notes';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.customer_notes' AND policyname = 'customer_notes_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'customer_notes_select', 'app.customer_notes';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.customer_notes' AND policyname = 'customer_notes_update') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'customer_notes_update', 'app.customer_notes';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.customer_tags' AND policyname = 'customer_tags_delete') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'customer_tags_delete', 'app.customer_tags';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.customer_tags' AND policyname = 'customer_tags_insert') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'customer_tags_insert', 'app.customer_tags';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.customer_tags' AND policyname = 'customer_tags_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'customer_tags_select', 'app.customer_tags';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.event_partners' AND policyname = 'event_partners_delete') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'event_partners_delete', 'app.event_partners';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.event_partners' AND policyname = 'event_partners_insert') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'event_partners_insert', 'app.event_partners';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.event_partners' AND policyname = 'event_partners_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'event_partners_select', 'app.event_partners';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.event_partners' AND policyname = 'event_partners_update') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'event_partners_update', 'app.event_partners';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.leads' AND policyname = 'leads_insert') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'leads_insert', 'app.leads';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.leads' AND policyname = 'leads_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'leads_select', 'app.leads';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.leads' AND policyname = 'leads_update') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'leads_update', 'app.leads';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'audit.redactions' AND policyname = 'redactions_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'redactions_select', 'audit.redactions';
  END IF;
END
$verify$;

ROLLBACK;
