-- Deploy tessera:template_rules to pg
-- requires: template_checks
--
-- Staff and their templates: list_templates (the effective template per kind, channel and locale, overridden or default) for members, template_sample, save_template (only parts the service's preview rendered without a problem, by fingerprint) and delete_template (back to the default) for managers and up, record_template_check for the service

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

CREATE OR REPLACE FUNCTION private.delete_template(p_org_id uuid, p_kind text, p_channel text, p_locale text)
 RETURNS boolean
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
BEGIN
  PERFORM private.catalogue_may(p_org_id, 'manager', 'template');
  PERFORM private.template_kind(p_kind);
  DELETE FROM app.notification_templates t
   WHERE t.org_id = p_org_id AND t.kind = p_kind AND t.channel = p_channel AND t.locale = p_locale;
  RETURN FOUND;
END
$function$
;

CREATE OR REPLACE FUNCTION private.list_templates(p_org_id uuid, p_kind text)
 RETURNS TABLE(kind text, channel text, locale text, subject text, html text, body text, overridden boolean, updated_at timestamp with time zone)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
BEGIN
  PERFORM private.catalogue_may(p_org_id, 'staff', 'template');
  IF p_kind IS NOT NULL THEN
    PERFORM private.template_kind(p_kind);
  END IF;
  RETURN QUERY
    SELECT coalesce(t.kind, d.kind), coalesce(t.channel, d.channel), coalesce(t.locale, d.locale),
           CASE WHEN t.kind IS NULL THEN d.subject ELSE t.subject END,
           CASE WHEN t.kind IS NULL THEN d.html ELSE t.html END,
           coalesce(t.body, d.body), t.kind IS NOT NULL, t.updated_at
      FROM app.default_templates d
      FULL JOIN (SELECT x.* FROM app.notification_templates x WHERE x.org_id = p_org_id) t
        ON (t.kind, t.channel, t.locale) = (d.kind, d.channel, d.locale)
     WHERE p_kind IS NULL OR coalesce(t.kind, d.kind) = p_kind
     ORDER BY 1, 2, 3;
END
$function$
;

CREATE OR REPLACE FUNCTION private.record_template_check(p_org_id uuid, p_fingerprint text, p_checked_by uuid)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
BEGIN
  -- Its own check: only the service, which has just rendered the parts, vouches for them.
  IF auth.role() IS DISTINCT FROM 'service_role' THEN
    RAISE EXCEPTION 'only the service records checked templates' USING ERRCODE = 'PT403', DETAIL = 'forbidden';
  END IF;
  IF p_fingerprint IS NULL OR p_fingerprint !~ '^[0-9a-f]{64}$' THEN
    RAISE EXCEPTION 'fingerprint must be 64 lowercase hex digits' USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
  IF NOT EXISTS (SELECT FROM app.organizations o WHERE o.id = p_org_id) THEN
    RAISE EXCEPTION 'organization not found' USING ERRCODE = 'PT404';
  END IF;
  INSERT INTO app.template_checks (org_id, fingerprint, checked_by)
  VALUES (p_org_id, p_fingerprint, (SELECT u.id FROM auth.users u WHERE u.id = p_checked_by))
  ON CONFLICT (org_id, fingerprint) DO UPDATE
    SET checked_at = EXCLUDED.checked_at, checked_by = EXCLUDED.checked_by;
END
$function$
;

CREATE OR REPLACE FUNCTION private.save_template(p_org_id uuid, p_kind text, p_channel text, p_locale text, p_subject text, p_html text, p_body text)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  saved app.notification_templates;
BEGIN
  PERFORM private.catalogue_may(p_org_id, 'manager', 'template');
  PERFORM private.template_kind(p_kind);
  PERFORM private.template_parts(p_channel, p_locale, p_subject, p_html, p_body);
  IF NOT EXISTS (SELECT FROM app.template_checks c
                  WHERE c.org_id = p_org_id
                    AND c.fingerprint = private.template_fingerprint(p_kind, p_channel, p_subject, p_html, p_body)
                    AND c.checked_at > pg_catalog.now() - interval '1 day') THEN
    RAISE EXCEPTION 'this template has not been checked' USING ERRCODE = 'PT400', DETAIL = 'template_unchecked',
      HINT = 'preview it first (POST /templates/preview), then save exactly what was previewed';
  END IF;
  INSERT INTO app.notification_templates AS t (org_id, kind, channel, locale, subject, html, body, updated_by)
  VALUES (p_org_id, p_kind, p_channel, p_locale, p_subject, p_html, p_body, auth.uid())
  ON CONFLICT (org_id, kind, channel, locale) DO UPDATE
    SET subject = EXCLUDED.subject, html = EXCLUDED.html, body = EXCLUDED.body, updated_at = pg_catalog.now(),
        updated_by = EXCLUDED.updated_by
  RETURNING t.* INTO saved;
  RETURN pg_catalog.jsonb_build_object('kind', saved.kind, 'channel', saved.channel, 'locale', saved.locale,
                                       'subject', saved.subject, 'html', saved.html, 'body', saved.body,
                                       'overridden', true, 'updated_at', saved.updated_at);
END
$function$
;

CREATE OR REPLACE FUNCTION private.template_fingerprint(p_kind text, p_channel text, p_subject text, p_html text, p_body text)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
 SET search_path TO ''
AS $function$
  -- Each part hashed on its own (NULL as '-'), so that no text moved from one part to the next fingerprints the
  -- same; api/notify/preview.py computes exactly this.
  SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(pg_catalog.concat_ws('|', p_kind, p_channel,
           coalesce(pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(p_subject, 'UTF8')), 'hex'), '-'),
           coalesce(pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(p_html, 'UTF8')), 'hex'), '-'),
           coalesce(pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(p_body, 'UTF8')), 'hex'), '-')),
         'UTF8')), 'hex')
$function$
;

CREATE OR REPLACE FUNCTION private.template_kind(p_kind text)
 RETURNS app.notification_kinds
 LANGUAGE plpgsql
 STABLE
 SET search_path TO ''
AS $function$
DECLARE
  k app.notification_kinds;
BEGIN
  SELECT x.* INTO k FROM app.notification_kinds x WHERE x.kind = p_kind;
  IF k.kind IS NULL THEN
    RAISE EXCEPTION 'there is no message kind %', coalesce(p_kind, 'without a name') USING ERRCODE = 'PT400',
      DETAIL = 'invalid', HINT = 'api.list_templates names the kinds';
  END IF;
  RETURN k;
END
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

CREATE OR REPLACE FUNCTION private.template_sample(p_org_id uuid, p_kind text)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  k app.notification_kinds;
BEGIN
  PERFORM private.catalogue_may(p_org_id, 'manager', 'template');
  k := private.template_kind(p_kind);
  RETURN pg_catalog.jsonb_build_object(
    'kind', k.kind, 'category', k.category, 'sample_data', k.sample_data,
    'locale', coalesce((SELECT s.locale FROM app.org_settings s WHERE s.org_id = p_org_id), 'en'),
    'currency', (SELECT s.currency::text FROM app.org_settings s WHERE s.org_id = p_org_id));
END
$function$
;

CREATE TRIGGER audit_log AFTER INSERT OR DELETE OR UPDATE ON app.template_checks FOR EACH ROW EXECUTE FUNCTION private.audit_record();
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
REVOKE ALL ON FUNCTION private.delete_template(uuid,text,text,text) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.delete_template(uuid,text,text,text) TO authenticated;
COMMENT ON FUNCTION private.delete_template(uuid,text,text,text) IS 'Removes organization p_org_id''s own template, for api.delete_template. Its own check: the caller is a manager or
above.';
REVOKE ALL ON FUNCTION private.list_templates(uuid,text) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.list_templates(uuid,text) TO authenticated;
COMMENT ON FUNCTION private.list_templates(uuid,text) IS 'The templates organization p_org_id sends, for api.list_templates. Its own check: the caller is a member.';
REVOKE ALL ON FUNCTION private.record_template_check(uuid,text,uuid) FROM PUBLIC, service_role;
GRANT EXECUTE ON FUNCTION private.record_template_check(uuid,text,uuid) TO service_role;
COMMENT ON FUNCTION private.record_template_check(uuid,text,uuid) IS 'Records that parts of fingerprint p_fingerprint rendered without a problem for organization p_org_id, checked by
p_checked_by. Its own check: the caller is service_role.';
REVOKE ALL ON FUNCTION private.save_template(uuid,text,text,text,text,text,text) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.save_template(uuid,text,text,text,text,text,text) TO authenticated;
COMMENT ON FUNCTION private.save_template(uuid,text,text,text,text,text,text) IS 'Saves organization p_org_id''s own template, for api.save_template. Its own check: the caller is a manager or
above; the parts must have been checked by the preview.';
REVOKE ALL ON FUNCTION private.template_fingerprint(text,text,text,text,text) FROM PUBLIC;
COMMENT ON FUNCTION private.template_fingerprint(text,text,text,text,text) IS 'The fingerprint of a template''s parts: hex SHA-256 of "kind|channel|S(subject)|S(html)|S(body)", S being the hex
SHA-256 of the part''s UTF-8 text, or "-" for a part that is absent. What the preview records and save_template
looks for.';
REVOKE ALL ON FUNCTION private.template_kind(text) FROM PUBLIC;
COMMENT ON FUNCTION private.template_kind(text) IS 'The kind p_kind of app.notification_kinds, or PT400 invalid. For the definers of this file.';
REVOKE ALL ON FUNCTION private.template_parts(text,text,text,text,text) FROM PUBLIC;
COMMENT ON FUNCTION private.template_parts(text,text,text,text,text) IS 'PT400 unless the parts fit the channel (email: subject, html and body; sms: body only; in_app: body and perhaps a
subject) and the locale is a language tag.';
REVOKE ALL ON FUNCTION private.template_sample(uuid,text) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.template_sample(uuid,text) TO authenticated;
COMMENT ON FUNCTION private.template_sample(uuid,text) IS 'What a template of kind p_kind is checked with, for api.template_sample. Its own check: the caller is a manager or
above of p_org_id.';

COMMIT;
