-- Revert tessera:discovery_rules from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop trigger if exists "experiences_search_vector" on "app"."experiences";

drop trigger if exists "audit_log" on "app"."invitations";

drop trigger if exists "org_settings_search_language" on "app"."org_settings";

drop trigger if exists "org_settings_search_language_check" on "app"."org_settings";

drop function if exists "api"."recommend_experiences"(org_id uuid, customer_id uuid, booking_id uuid, "limit" integer);

drop function if exists "api"."search_experiences"(org_id uuid, query text, venue_id uuid, category text, on_date date, min_price_minor integer, max_price_minor integer, include_archived boolean, page_size integer, page_offset integer);

drop function if exists "api"."set_search_language"(org_id uuid, language text);

drop function if exists "api"."widget_search_experiences"(embed_key text, query text, category text, on_date date, min_price_minor integer, max_price_minor integer, page_size integer, page_offset integer);

drop function if exists "private"."experience_from_price"(p_org_id uuid, p_experience_id uuid, p_kind app.experience_kind);

drop function if exists "private"."experience_search_vector"(p_language text, p_name text, p_category text, p_description text);

drop function if exists "private"."experiences_search_vector"();

drop function if exists "private"."org_settings_search_language"();

drop function if exists "private"."org_settings_search_language_check"();

drop function if exists "private"."recommend_experiences"(p_org_id uuid, p_customer_id uuid, p_booking_id uuid, p_limit integer);

drop function if exists "private"."search_args"(p_query text, p_category text, p_on_date date, p_min_price_minor integer, p_max_price_minor integer, p_page_size integer, p_page_offset integer);

drop function if exists "private"."search_experiences"(p_org_id uuid, p_embed_key text, p_query text, p_venue_id uuid, p_category text, p_on_date date, p_min_price_minor integer, p_max_price_minor integer, p_include_archived boolean, p_page_size integer, p_page_offset integer);

drop function if exists "private"."set_search_language"(p_org_id uuid, p_language text);

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.audit_record()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  -- A column named secret (a ticket signing key's) never enters the log, which admins read.
  old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN pg_catalog.to_jsonb(OLD) - 'secret' END;
  new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN pg_catalog.to_jsonb(NEW) - 'secret' END;
  any_row jsonb := coalesce(new_row, old_row);
  headers jsonb := nullif(pg_catalog.current_setting('request.headers', true), '')::jsonb;
  forwarded text;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    -- Only the fields that changed, before and after.
    SELECT pg_catalog.jsonb_object_agg(o.key, o.value), pg_catalog.jsonb_object_agg(o.key, new_row -> o.key)
      INTO old_row, new_row
      FROM pg_catalog.jsonb_each(old_row) o
     WHERE o.value IS DISTINCT FROM new_row -> o.key;
    IF old_row IS NULL THEN
      RETURN NULL;  -- nothing changed
    END IF;
  END IF;
  forwarded := pg_catalog.split_part(headers ->> 'x-forwarded-for', ',', 1);
  INSERT INTO audit.log (org_id, actor, actor_role, table_name, operation, row_id, old_values, new_values,
                         client_ip, user_agent)
  VALUES (
    CASE WHEN TG_TABLE_NAME = 'organizations' THEN (any_row ->> 'id')::uuid ELSE (any_row ->> 'org_id')::uuid END,
    auth.uid(),
    coalesce(auth.role(), session_user::text),
    TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME,
    TG_OP,
    coalesce(any_row ->> 'id', any_row ->> 'user_id', any_row ->> 'booking_id', any_row ->> 'slot_id'),
    old_row,
    new_row,
    private.parse_inet(coalesce(nullif(pg_catalog.btrim(forwarded), ''), headers ->> 'x-real-ip')),
    headers ->> 'user-agent'
  );
  RETURN NULL;
END
$function$
;
REVOKE ALL ON FUNCTION private.audit_record() FROM PUBLIC;
COMMENT ON FUNCTION private.audit_record() IS 'Trigger on every app table: appends one audit.log row per changed row (only changed fields for updates) with the
actor, role, client IP and user agent from the request headers; a column named secret is left out. A definer:
writers cannot touch the log itself.';

COMMIT;
