-- Deploy tessera:catalogue_checks to pg
-- requires: schemas
--
-- private.is_iana_timezone and private.new_embed_key, which the catalogue tables' constraints and defaults use.

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.is_iana_timezone(tz text)
 RETURNS boolean
 LANGUAGE plpgsql
 IMMUTABLE PARALLEL SAFE
 SET search_path TO ''
AS $function$
BEGIN
  -- An IANA name is Area/Location (or UTC): this refuses abbreviations and offsets such as 'EST' or '+03', whose
  -- wall clock never follows daylight saving time. PostgreSQL's own zone database decides whether it exists.
  IF tz IS NULL OR NOT (tz = 'UTC' OR tz ~ '^[A-Za-z]+(/[A-Za-z0-9_+-]+)+$') THEN
    RETURN false;
  END IF;
  PERFORM pg_catalog.timezone(tz, '2000-01-01 00:00:00+00'::timestamptz);
  RETURN true;
EXCEPTION WHEN invalid_parameter_value THEN
  RETURN false;
END
$function$
;

CREATE OR REPLACE FUNCTION private.new_embed_key()
 RETURNS text
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  -- 244 random bits from two v4 UUIDs, URL-safe: unguessable, and safe to put in a page's HTML.
  SELECT 'wk_' || pg_catalog.translate(pg_catalog.rtrim(pg_catalog.encode(
           pg_catalog.decode(pg_catalog.replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'),
           'base64'), '='), '+/', '-_')
$function$
;
REVOKE ALL ON FUNCTION private.is_iana_timezone(text) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.is_iana_timezone(text) TO authenticated;
GRANT EXECUTE ON FUNCTION private.is_iana_timezone(text) TO service_role;
COMMENT ON FUNCTION private.is_iana_timezone(text) IS 'True for an IANA time zone name PostgreSQL knows (Area/Location, or UTC). Immutable for the life of a server''s
zone database; used by CHECK constraints.';
REVOKE ALL ON FUNCTION private.new_embed_key() FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.new_embed_key() TO authenticated;
GRANT EXECUTE ON FUNCTION private.new_embed_key() TO service_role;
COMMENT ON FUNCTION private.new_embed_key() IS 'A fresh public widget key: ''wk_'' and 43 URL-safe characters carrying 244 random bits.';

COMMIT;
