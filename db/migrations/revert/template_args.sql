-- Revert tessera:template_args from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION api.delete_template(org_id uuid, kind text, channel text, locale text)
 RETURNS boolean
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  SELECT private.delete_template(org_id, kind, channel, locale)
$function$
;

CREATE OR REPLACE FUNCTION api.list_templates(org_id uuid, kind text DEFAULT NULL::text)
 RETURNS TABLE(kind text, channel text, locale text, subject text, html text, body text, overridden boolean, updated_at timestamp with time zone)
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  SELECT * FROM private.list_templates(list_templates.org_id, list_templates.kind)
$function$
;

CREATE OR REPLACE FUNCTION api.record_template_check(org_id uuid, fingerprint text, checked_by uuid DEFAULT NULL::uuid)
 RETURNS void
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  SELECT private.record_template_check(org_id, fingerprint, checked_by)
$function$
;

CREATE OR REPLACE FUNCTION api.save_template(org_id uuid, kind text, channel text, locale text, subject text DEFAULT NULL::text, html text DEFAULT NULL::text, body text DEFAULT NULL::text)
 RETURNS jsonb
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  SELECT private.save_template(org_id, kind, channel, locale, subject, html, body)
$function$
;

CREATE OR REPLACE FUNCTION api.template_sample(org_id uuid, kind text)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  SELECT private.template_sample(org_id, kind)
$function$
;

CREATE OR REPLACE FUNCTION private.template_parts(p_channel text, p_locale text, p_subject text, p_html text, p_body text)
 RETURNS void
 LANGUAGE plpgsql
 IMMUTABLE
 SET search_path TO ''
AS $function$
BEGIN
  IF p_channel IS NULL OR p_channel NOT IN ('email', 'sms', 'in_app') THEN
    RAISE EXCEPTION 'channel must be email, sms or in_app' USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
  IF p_locale IS NULL OR p_locale !~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$' THEN
    RAISE EXCEPTION 'locale must be a language tag such as en, ar or de-CH' USING ERRCODE = 'PT400',
      DETAIL = 'invalid';
  END IF;
  IF p_body IS NULL OR length(p_body) NOT BETWEEN 1 AND 20000 THEN
    RAISE EXCEPTION 'body is required (at most 20000 characters)' USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
  IF length(p_subject) NOT BETWEEN 1 AND 300 OR length(p_html) NOT BETWEEN 1 AND 100000 THEN
    RAISE EXCEPTION 'a subject has 1 to 300 characters, an HTML part 1 to 100000' USING ERRCODE = 'PT400',
      DETAIL = 'invalid';
  END IF;
  IF (p_channel = 'email' AND (p_subject IS NULL OR p_html IS NULL))
     OR (p_channel = 'sms' AND (p_subject IS NOT NULL OR p_html IS NOT NULL))
     OR (p_channel = 'in_app' AND p_html IS NOT NULL) THEN
    RAISE EXCEPTION 'an e-mail has a subject, an HTML and a text body; an SMS only a text body; an in-app message a
text body and perhaps a subject (its title)' USING ERRCODE = 'PT400', DETAIL = 'template_parts';
  END IF;
END
$function$
;
REVOKE ALL ON FUNCTION api.delete_template(uuid,text,text,text) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.delete_template(uuid,text,text,text) TO authenticated;
COMMENT ON FUNCTION api.delete_template(uuid,text,text,text) IS 'Removes the organization''s own template of a kind, channel and locale, so Tessera''s default is sent again.
Answers true when there was one, false when the default was in use already. For managers and up. Errors: PT404 not
a member; PT403 below manager; PT400 an unknown kind.';
REVOKE ALL ON FUNCTION api.list_templates(uuid,text) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.list_templates(uuid,text) TO authenticated;
COMMENT ON FUNCTION api.list_templates(uuid,text) IS 'The templates the organization''s messages are rendered with, one row per kind, channel (email, sms, in_app) and
locale: the organization''s own (overridden true, with updated_at) or else Tessera''s default. Only the kind given,
when one is. A message in a locale with no row falls back to its language, then to English. For members of the
organization. Errors: PT404 not a member; PT400 an unknown kind.';
REVOKE ALL ON FUNCTION api.record_template_check(uuid,text,uuid) FROM PUBLIC, service_role;
GRANT EXECUTE ON FUNCTION api.record_template_check(uuid,text,uuid) TO service_role;
COMMENT ON FUNCTION api.record_template_check(uuid,text,uuid) IS 'Records that template parts of this fingerprint (private.template_fingerprint) rendered without a problem with
their kind''s sample data, so api.save_template accepts them for the organization for a day. For the service only
(service_role): POST /templates/preview calls it after rendering. Errors: PT400 not a fingerprint; PT403 another
role; PT404 no such organization.';
REVOKE ALL ON FUNCTION api.save_template(uuid,text,text,text,text,text,text) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.save_template(uuid,text,text,text,text,text,text) TO authenticated;
COMMENT ON FUNCTION api.save_template(uuid,text,text,text,text,text,text) IS 'Saves the organization''s own template of a kind, channel and locale, replacing Tessera''s default (or its earlier
one): an e-mail has subject, html and body; an SMS a body only; an in-app message a body and perhaps a subject (its
title). Only exactly what POST /templates/preview rendered without a problem in the last day is accepted, so a
template with a syntax error or an unknown variable never reaches a customer. Answers {kind, channel, locale,
subject, html, body, overridden: true, updated_at}. For managers and up. Errors: PT404 not a member; PT403 below
manager; PT400 an unknown kind, channel or locale, parts that do not fit the channel (detail template_parts), or
parts not previewed (detail template_unchecked, hint: preview it first).';
REVOKE ALL ON FUNCTION api.template_sample(uuid,text) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.template_sample(uuid,text) TO authenticated;
COMMENT ON FUNCTION api.template_sample(uuid,text) IS 'What a template of `kind` is rendered with when previewed and checked: {kind, category (transactional or
marketing), sample_data (the data every message of the kind carries, with example values), locale and currency (the
organization''s)}. For managers and up of the organization, who may edit its templates; POST /templates/preview asks
it as the caller. Errors: PT404 not a member; PT403 below manager; PT400 an unknown kind.';
REVOKE ALL ON FUNCTION private.template_parts(text,text,text,text,text) FROM PUBLIC;
COMMENT ON FUNCTION private.template_parts(text,text,text,text,text) IS 'PT400 unless the parts fit the channel (email: subject, html and body; sms: body only; in_app: body and perhaps a
subject) and the locale is a language tag.';

COMMIT;
