-- Functions of the `catalogue` area: what a venue offers (venues, hours, closures, resources, experiences,
-- prices, ticket types, weekly schedules) and the checks its tables rely on.

CREATE OR REPLACE FUNCTION private.is_iana_timezone(tz text)
RETURNS boolean
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
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
$$;

COMMENT ON FUNCTION private.is_iana_timezone(text) IS
'True for an IANA time zone name PostgreSQL knows (Area/Location, or UTC). Immutable for the life of a server''s
zone database; used by CHECK constraints.';

REVOKE ALL ON FUNCTION private.is_iana_timezone(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.is_iana_timezone(text) TO authenticated, service_role;


CREATE OR REPLACE FUNCTION private.new_embed_key()
RETURNS text
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  -- 244 random bits from two v4 UUIDs, URL-safe: unguessable, and safe to put in a page's HTML.
  SELECT 'wk_' || pg_catalog.translate(pg_catalog.rtrim(pg_catalog.encode(
           pg_catalog.decode(pg_catalog.replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'),
           'base64'), '='), '+/', '-_')
$$;

COMMENT ON FUNCTION private.new_embed_key() IS
'A fresh public widget key: ''wk_'' and 43 URL-safe characters carrying 244 random bits.';

REVOKE ALL ON FUNCTION private.new_embed_key() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.new_embed_key() TO authenticated, service_role;


CREATE OR REPLACE FUNCTION api.rotate_embed_key(venue_id uuid)
RETURNS text
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  fresh text;
BEGIN
  -- Staff see the venue but may not change it: told so (PT403), as by every catalogue function.
  PERFORM private.catalogue_may((SELECT v.org_id FROM app.venues v WHERE v.id = rotate_embed_key.venue_id),
                                'manager', 'venue');
  UPDATE app.venues v SET embed_key = private.new_embed_key()
   WHERE v.id = rotate_embed_key.venue_id
  RETURNING v.embed_key INTO fresh;
  IF fresh IS NULL THEN
    RAISE EXCEPTION 'venue not found' USING ERRCODE = 'PT404',
      HINT = 'the venue does not exist, or you are not a manager of its organization';
  END IF;
  RETURN fresh;
END
$$;

COMMENT ON FUNCTION api.rotate_embed_key(uuid) IS
$$Replaces a venue's public widget key with a new random one and returns it; pages using the old key stop working
at once. For managers and up of the venue's organization. Errors: PT403 staff; PT404 when the venue does not
exist or belongs to another organization.$$;

REVOKE ALL ON FUNCTION api.rotate_embed_key(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.rotate_embed_key(uuid) TO authenticated;


CREATE OR REPLACE TRIGGER venues_touch_updated_at
  BEFORE UPDATE ON app.venues FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();
CREATE OR REPLACE TRIGGER resources_touch_updated_at
  BEFORE UPDATE ON app.resources FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();
CREATE OR REPLACE TRIGGER experiences_touch_updated_at
  BEFORE UPDATE ON app.experiences FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();
CREATE OR REPLACE TRIGGER ticket_types_touch_updated_at
  BEFORE UPDATE ON app.ticket_types FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();


CREATE OR REPLACE FUNCTION private.is_image_url_list(urls text[])
RETURNS boolean
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
  -- A page shows these as <img src>: https only (no javascript: or data:), no spaces, a sane length each.
  SELECT urls IS NULL OR (pg_catalog.cardinality(urls) <= 10
         AND NOT EXISTS (SELECT FROM pg_catalog.unnest(urls) u
                          WHERE u IS NULL OR pg_catalog.length(u) > 2000 OR u !~ '^https://[^\s]+$'))
$$;

COMMENT ON FUNCTION private.is_image_url_list(text[]) IS
'True for NULL or a list of at most 10 https URLs (no spaces), each at most 2000 characters; used by a CHECK on
app.experiences.image_urls.';

REVOKE ALL ON FUNCTION private.is_image_url_list(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.is_image_url_list(text[]) TO authenticated, service_role;
