-- Functions of the `webhook_endpoints` area: outgoing webhooks. Admins and owners register endpoints (a public
-- http(s) URL, checked here when saved and again by the sender before it connects), the event types they want and
-- a Standard Webhooks signing secret made here; the tables that record events write one delivery per subscribed
-- endpoint in their own transaction (triggers, once per endpoint and event key); the sender (api/outgoing/, run by
-- `tessera worker`) claims due deliveries under a lease (FOR UPDATE SKIP LOCKED), signs and posts them, and records
-- every attempt; failures retry with backoff and jitter, then are dead; an endpoint that keeps failing is disabled
-- and its organization's admins are told (private.enqueue_notification, kind webhook_endpoint_disabled).

-- The rules. ----------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.webhook_event_types()
RETURNS text[]
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
  SELECT ARRAY['booking.created', 'booking.confirmed', 'booking.cancelled', 'booking.rescheduled',
               'payment.succeeded', 'refund.created', 'checkin.created', 'waitlist.offered']
$$;

COMMENT ON FUNCTION private.webhook_event_types() IS
'The event types an endpoint may subscribe to, the events the database records: booking.created,
booking.confirmed, booking.cancelled, booking.rescheduled, payment.succeeded, refund.created, checkin.created,
waitlist.offered.';

REVOKE ALL ON FUNCTION private.webhook_event_types() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.webhook_event_types() TO authenticated, service_role;


CREATE OR REPLACE FUNCTION private.webhook_max_attempts()
RETURNS integer
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$ SELECT 12 $$;

COMMENT ON FUNCTION private.webhook_max_attempts() IS
'How many attempts a webhook delivery gets before it is dead: 12 (with the backoff, about 9 to 17 hours of
retrying).';

REVOKE ALL ON FUNCTION private.webhook_max_attempts() FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.webhook_disable_after()
RETURNS integer
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$ SELECT 20 $$;

COMMENT ON FUNCTION private.webhook_disable_after() IS
'How many failed attempts in a row disable an endpoint: 20 (or any failure once it has been failing, with no
success, for a day).';

REVOKE ALL ON FUNCTION private.webhook_disable_after() FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.webhook_backoff(p_attempts integer, p_jitter double precision)
RETURNS interval
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
  -- Half the ceiling plus a random part of the other half: retries of deliveries that failed together spread out,
  -- and never come sooner than half the schedule. The ceiling is 30 s after the first attempt, doubling, at most
  -- 12 hours.
  SELECT pg_catalog.make_interval(secs => (0.5 + 0.5 * GREATEST(0, LEAST(1, p_jitter)))
           * LEAST(43200, 30 * 2 ^ LEAST(GREATEST(p_attempts - 1, 0), 20)))
$$;

COMMENT ON FUNCTION private.webhook_backoff(integer, double precision) IS
'How long a webhook delivery waits after its p_attempts-th failed attempt: (0.5 + 0.5 * p_jitter) times the ceiling
min(12 h, 30 s * 2^(p_attempts - 1)); p_jitter is 0 to 1 (the sender''s functions pass random()).';

REVOKE ALL ON FUNCTION private.webhook_backoff(integer, double precision) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.webhook_address_public(p_address inet)
RETURNS boolean
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
DECLARE
  a inet := pg_catalog.host(p_address)::inet;
BEGIN
  IF pg_catalog.family(a) = 6 AND a << '::ffff:0:0/96'::inet THEN
    -- IPv4-mapped: judged as the IPv4 address it carries.
    a := '0.0.0.0'::inet + (a - '::ffff:0.0.0.0'::inet);
  END IF;
  IF pg_catalog.family(a) = 4 THEN
    RETURN NOT (a << ANY (ARRAY['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16',
                                '172.16.0.0/12', '192.0.0.0/24', '192.0.2.0/24', '192.168.0.0/16', '198.18.0.0/15',
                                '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/4', '240.0.0.0/4']::inet[]));
  END IF;
  RETURN NOT (a <<= ANY (ARRAY['::/128', '::1/128', '::/96', '64:ff9b::/96', '64:ff9b:1::/48', '100::/64',
                               '2001::/23', '2001:db8::/32', '2002::/16', 'fc00::/7', 'fe80::/10', 'fec0::/10',
                               'ff00::/8']::inet[]));
END
$$;

COMMENT ON FUNCTION private.webhook_address_public(inet) IS
'Whether an IP address is public: false for IPv4 this-network, private (10/8, 172.16/12, 192.168/16), shared
(100.64/10), loopback, link-local (169.254/16, cloud metadata), documentation, benchmarking, multicast and reserved
ranges, and for IPv6 unspecified, loopback, IPv4-compatible, NAT64, discard, IETF protocol (incl. Teredo),
documentation, 6to4, unique-local, link-local, site-local and multicast ranges; an IPv4-mapped IPv6 address is
judged as its IPv4 address.';

REVOKE ALL ON FUNCTION private.webhook_address_public(inet) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.webhook_address_public(inet) TO authenticated, service_role;


CREATE OR REPLACE FUNCTION private.webhook_url_problem(p_url text)
RETURNS text
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
DECLARE
  m text[];
  authority text;
  host text;
  port text;
  addr inet;
BEGIN
  IF p_url IS NULL OR pg_catalog.length(p_url) NOT BETWEEN 10 AND 2000 THEN
    RETURN 'url is 10 to 2000 characters';
  END IF;
  IF p_url ~ '[\s\x01-\x1f\x7f\\]' OR p_url !~ '^[\x21-\x7e]+$' THEN
    RETURN 'url may hold no spaces, control characters, backslashes or non-ASCII characters (write a domain '
           'name in its xn-- form)';
  END IF;
  m := pg_catalog.regexp_match(p_url, '^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)([/?#].*)?$');
  IF m IS NULL OR pg_catalog.lower(m[1]) NOT IN ('http', 'https') THEN
    RETURN 'url must be an http:// or https:// address';
  END IF;
  authority := m[2];
  IF pg_catalog.strpos(authority, '@') > 0 THEN
    RETURN 'url may not carry a user name or password';
  END IF;
  IF authority ~ '^\[' THEN
    m := pg_catalog.regexp_match(authority, '^\[([0-9A-Fa-f:.]+)\](:([0-9]{1,5}))?$');
    IF m IS NULL THEN
      RETURN 'url has a malformed IPv6 address';
    END IF;
    BEGIN
      addr := m[1]::inet;
    EXCEPTION WHEN invalid_text_representation THEN
      RETURN 'url has a malformed IPv6 address';
    END;
    IF pg_catalog.family(addr) <> 6 THEN
      RETURN 'url has a malformed IPv6 address';
    END IF;
    port := m[3];
  ELSE
    m := pg_catalog.regexp_match(authority, '^([^:]*)(:([0-9]{1,5}))?$');
    IF m IS NULL THEN
      RETURN 'url has a malformed host or port';
    END IF;
    host := pg_catalog.rtrim(pg_catalog.lower(m[1]), '.');
    port := m[3];
    IF host = '' THEN
      RETURN 'url has no host';
    END IF;
    IF host ~ '^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+))*$' THEN
      -- Only a plain dotted quad: 127.1, 2130706433 or 0x7f.0.0.1 are loopback to a resolver.
      IF host !~ '^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$' THEN
        RETURN 'url has a malformed IPv4 address (write four decimal numbers)';
      END IF;
      addr := host::inet;
    ELSIF host = 'localhost' OR host LIKE '%.localhost' THEN
      RETURN 'url may not point at localhost';
    ELSIF pg_catalog.length(host) > 253
          OR host !~ '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$' THEN
      RETURN 'url''s host is not a domain name';
    ELSIF pg_catalog.strpos(host, '.') = 0 THEN
      RETURN 'url''s host is not a public domain name';
    END IF;
  END IF;
  IF port IS NOT NULL AND port::integer NOT BETWEEN 1 AND 65535 THEN
    RETURN 'url has a port outside 1 to 65535';
  END IF;
  IF addr IS NOT NULL AND NOT private.webhook_address_public(addr) THEN
    RETURN 'url may not point at a loopback, private, link-local, multicast or otherwise non-public address';
  END IF;
  RETURN NULL;
END
$$;

COMMENT ON FUNCTION private.webhook_url_problem(text) IS
'Why p_url may not be a webhook endpoint (NULL when it may): it must be an http:// or https:// URL of 10 to 2000
printable ASCII characters, without user name or password, whose host is a domain name with a dot (not localhost
nor *.localhost) or a public IP address (private.webhook_address_public; IPv4 only as a dotted quad, IPv6 in
brackets), with a port of 1 to 65535 if any. Names are resolved, and the addresses checked again, at send time.';

REVOKE ALL ON FUNCTION private.webhook_url_problem(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.webhook_url_problem(text) TO authenticated, service_role;


CREATE OR REPLACE FUNCTION private.webhook_url_arg(p_url text)
RETURNS text
LANGUAGE plpgsql
IMMUTABLE
SET search_path = ''
AS $$
DECLARE
  problem text := private.webhook_url_problem(p_url);
BEGIN
  IF problem IS NOT NULL THEN
    RAISE EXCEPTION '%', problem USING ERRCODE = 'PT400', DETAIL = 'invalid_url',
      HINT = 'give the public https:// address of your receiver';
  END IF;
  RETURN p_url;
END
$$;

COMMENT ON FUNCTION private.webhook_url_arg(text) IS
'Returns p_url unchanged, or raises PT400 (detail invalid_url) saying why it may not be a webhook endpoint.';

REVOKE ALL ON FUNCTION private.webhook_url_arg(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.webhook_url_arg(text) TO authenticated, service_role;


CREATE OR REPLACE FUNCTION private.webhook_event_types_arg(p_event_types text[])
RETURNS text[]
LANGUAGE plpgsql
IMMUTABLE
SET search_path = ''
AS $$
DECLARE
  unknown text;
BEGIN
  IF p_event_types IS NULL OR coalesce(pg_catalog.cardinality(p_event_types), 0) NOT BETWEEN 1 AND 20
     OR pg_catalog.array_position(p_event_types, NULL) IS NOT NULL THEN
    RAISE EXCEPTION 'event_types lists 1 to 20 event types' USING ERRCODE = 'PT400', DETAIL = 'out_of_range',
      HINT = 'choose among ' || pg_catalog.array_to_string(private.webhook_event_types(), ', ');
  END IF;
  SELECT t INTO unknown FROM pg_catalog.unnest(p_event_types) t WHERE NOT t = ANY (private.webhook_event_types())
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'event_types: % is not an event Tessera sends', pg_catalog.left(unknown, 50)
      USING ERRCODE = 'PT400',
      DETAIL = 'unknown_event_type',
      HINT = 'choose among ' || pg_catalog.array_to_string(private.webhook_event_types(), ', ');
  END IF;
  RETURN (SELECT pg_catalog.array_agg(DISTINCT t ORDER BY t) FROM pg_catalog.unnest(p_event_types) t);
END
$$;

COMMENT ON FUNCTION private.webhook_event_types_arg(text[]) IS
'The event types p_event_types, sorted and without repeats, or PT400 when empty, over 20, or naming a type not in
private.webhook_event_types().';

REVOKE ALL ON FUNCTION private.webhook_event_types_arg(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.webhook_event_types_arg(text[]) TO authenticated, service_role;


CREATE OR REPLACE FUNCTION private.webhook_secret()
RETURNS text
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$ SELECT 'whsec_' || pg_catalog.encode(extensions.gen_random_bytes(32), 'base64') $$;

COMMENT ON FUNCTION private.webhook_secret() IS
'A new Standard Webhooks signing secret: whsec_ and 32 random bytes in base64.';

REVOKE ALL ON FUNCTION private.webhook_secret() FROM PUBLIC;


DROP FUNCTION IF EXISTS private.webhook_admin(uuid);



CREATE OR REPLACE FUNCTION private.webhook_endpoint_json(p_endpoint app.webhook_endpoints, p_with_secret boolean)
RETURNS jsonb
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT pg_catalog.jsonb_build_object(
           'id', p_endpoint.id, 'org_id', p_endpoint.org_id, 'url', p_endpoint.url,
           'description', p_endpoint.description, 'event_types', pg_catalog.to_jsonb(p_endpoint.event_types),
           'enabled', p_endpoint.enabled, 'disabled_at', p_endpoint.disabled_at,
           'disabled_reason', p_endpoint.disabled_reason, 'consecutive_failures', p_endpoint.consecutive_failures,
           'previous_secret_until', CASE WHEN p_endpoint.previous_secret_until > pg_catalog.now()
                                         THEN p_endpoint.previous_secret_until END,
           'created_at', p_endpoint.created_at, 'updated_at', p_endpoint.updated_at)
         || CASE WHEN p_with_secret THEN pg_catalog.jsonb_build_object('secret', p_endpoint.secret)
                 ELSE '{}'::jsonb END
$$;

COMMENT ON FUNCTION private.webhook_endpoint_json(app.webhook_endpoints, boolean) IS
'An endpoint as the webhook functions answer it: previous_secret_until while the secret before the last rotation
still signs (else null, the old secret itself never); its secret only when p_with_secret (on create and rotate).';

REVOKE ALL ON FUNCTION private.webhook_endpoint_json(app.webhook_endpoints, boolean) FROM PUBLIC;


-- Admins: the endpoints. ----------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.create_webhook_endpoint(p_org_id uuid, p_url text, p_event_types text[],
                                                           p_description text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  e app.webhook_endpoints;
BEGIN
  PERFORM private.catalogue_may(p_org_id, 'admin', 'organization');
  IF (SELECT pg_catalog.count(*) FROM app.webhook_endpoints w WHERE w.org_id = p_org_id) >= 20 THEN
    RAISE EXCEPTION 'an organization has at most 20 webhook endpoints' USING ERRCODE = 'PT409',
      DETAIL = 'too_many', HINT = 'delete one you no longer use';
  END IF;
  INSERT INTO app.webhook_endpoints (org_id, url, description, event_types, secret, created_by)
  VALUES (p_org_id, p_url, nullif(pg_catalog.btrim(p_description), ''), p_event_types, private.webhook_secret(),
          auth.uid())
  RETURNING * INTO e;
  RETURN private.webhook_endpoint_json(e, true);
END
$$;

COMMENT ON FUNCTION private.create_webhook_endpoint(uuid, text, text[], text) IS
'api.create_webhook_endpoint (which checked the arguments), for admins and the owner.';

REVOKE ALL ON FUNCTION private.create_webhook_endpoint(uuid, text, text[], text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.create_webhook_endpoint(uuid, text, text[], text) TO authenticated;


CREATE OR REPLACE FUNCTION api.create_webhook_endpoint(org_id uuid, url text, event_types text[],
                                                       description text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  event_type text;
BEGIN
  -- Every text's size first, naming it, before anything reads one.
  PERFORM private.text_arg('description', description, 0, 500);
  FOREACH event_type IN ARRAY coalesce(event_types, '{}') LOOP
    PERFORM private.text_arg('event_types', event_type, 1, 50);
  END LOOP;
  RETURN private.create_webhook_endpoint(create_webhook_endpoint.org_id, private.webhook_url_arg(url),
                                         private.webhook_event_types_arg(event_types), description);
END
$$;

COMMENT ON FUNCTION api.create_webhook_endpoint(uuid, text, text[], text) IS
$$Registers an outgoing webhook endpoint of the organization: url (a public http:// or https:// address, 10 to 2000
characters, no user name or password, its host a domain name or a public IP address: not localhost, loopback,
private, link-local, unique-local, multicast or unspecified), event_types (1 to 20 of booking.created,
booking.confirmed, booking.cancelled, booking.rescheduled, payment.succeeded, refund.created, checkin.created,
waitlist.offered) and an optional description (up to 500 characters). Answers the endpoint {id, org_id, url,
description, event_types, enabled, disabled_at, disabled_reason, consecutive_failures, previous_secret_until,
created_at, updated_at, secret}: secret (whsec_…, the Standard Webhooks signing secret) is shown this once
(rotate_webhook_secret makes a new one; previous_secret_until is when the secret it replaced stops signing, null
when none does). At most 20 endpoints per organization. For admins and the owner. Errors: PT400 an argument
invalid (detail invalid_url, unknown_event_type, out_of_range); PT403 staff and managers; PT404 not a member;
PT409 20 endpoints already (detail too_many).$$;

REVOKE ALL ON FUNCTION api.create_webhook_endpoint(uuid, text, text[], text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.create_webhook_endpoint(uuid, text, text[], text) TO authenticated;


CREATE OR REPLACE FUNCTION private.update_webhook_endpoint(p_org_id uuid, p_endpoint_id uuid, p_url text,
                                                           p_event_types text[], p_description text,
                                                           p_enabled boolean)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  e app.webhook_endpoints;
BEGIN
  PERFORM private.catalogue_may(p_org_id, 'admin', 'organization');
  SELECT w.* INTO e FROM app.webhook_endpoints w WHERE w.org_id = p_org_id AND w.id = p_endpoint_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'webhook endpoint not found' USING ERRCODE = 'PT404', DETAIL = 'not_found';
  END IF;
  UPDATE app.webhook_endpoints w
     SET url = coalesce(p_url, w.url),
         event_types = coalesce(p_event_types, w.event_types),
         description = CASE WHEN p_description IS NULL THEN w.description
                            ELSE nullif(pg_catalog.btrim(p_description), '') END,
         enabled = coalesce(p_enabled, w.enabled),
         disabled_at = CASE WHEN p_enabled IS NULL OR p_enabled = w.enabled THEN w.disabled_at
                            WHEN p_enabled THEN NULL ELSE pg_catalog.now() END,
         disabled_reason = CASE WHEN p_enabled IS NULL OR p_enabled = w.enabled THEN w.disabled_reason
                                WHEN p_enabled THEN NULL ELSE 'disabled by an admin' END,
         -- Enabled again (or pointed elsewhere): it starts with a clean record.
         consecutive_failures = CASE WHEN p_enabled OR p_url IS NOT NULL THEN 0 ELSE w.consecutive_failures END,
         failing_since = CASE WHEN p_enabled OR p_url IS NOT NULL THEN NULL ELSE w.failing_since END,
         updated_at = pg_catalog.now()
   WHERE w.id = e.id
  RETURNING * INTO e;
  RETURN private.webhook_endpoint_json(e, false);
END
$$;

COMMENT ON FUNCTION private.update_webhook_endpoint(uuid, uuid, text, text[], text, boolean) IS
'api.update_webhook_endpoint (which checked the arguments), for admins and the owner.';

REVOKE ALL ON FUNCTION private.update_webhook_endpoint(uuid, uuid, text, text[], text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.update_webhook_endpoint(uuid, uuid, text, text[], text, boolean) TO authenticated;


CREATE OR REPLACE FUNCTION api.update_webhook_endpoint(org_id uuid, endpoint_id uuid, url text DEFAULT NULL,
                                                       event_types text[] DEFAULT NULL,
                                                       description text DEFAULT NULL, enabled boolean DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  event_type text;
BEGIN
  -- Every text's size first, naming it, before anything reads one.
  PERFORM private.text_arg('description', description, 0, 500);
  FOREACH event_type IN ARRAY coalesce(event_types, '{}') LOOP
    PERFORM private.text_arg('event_types', event_type, 1, 50);
  END LOOP;
  RETURN private.update_webhook_endpoint(
    update_webhook_endpoint.org_id, endpoint_id,
    CASE WHEN url IS NOT NULL THEN private.webhook_url_arg(url) END,
    CASE WHEN event_types IS NOT NULL THEN private.webhook_event_types_arg(event_types) END,
    description, enabled);
END
$$;

COMMENT ON FUNCTION api.update_webhook_endpoint(uuid, uuid, text, text[], text, boolean) IS
$$Changes an endpoint of the organization: each argument given replaces its value (url and event_types checked as
create_webhook_endpoint does; description '' clears it); enabled false disables it (disabled_reason "disabled by an
admin"), enabled true enables it again, and enabling or a new url clears its failure count. Deliveries queued while
it was disabled go out once it is enabled. Answers the endpoint without its secret. For admins and the owner.
Errors: PT400 an argument invalid; PT403 staff and managers; PT404 not a member, or no such endpoint in the
organization.$$;

REVOKE ALL ON FUNCTION api.update_webhook_endpoint(uuid, uuid, text, text[], text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.update_webhook_endpoint(uuid, uuid, text, text[], text, boolean) TO authenticated;


CREATE OR REPLACE FUNCTION private.delete_webhook_endpoint(p_org_id uuid, p_endpoint_id uuid)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  PERFORM private.catalogue_may(p_org_id, 'admin', 'organization');
  DELETE FROM app.webhook_endpoints w WHERE w.org_id = p_org_id AND w.id = p_endpoint_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'webhook endpoint not found' USING ERRCODE = 'PT404', DETAIL = 'not_found';
  END IF;
END
$$;

COMMENT ON FUNCTION private.delete_webhook_endpoint(uuid, uuid) IS
'api.delete_webhook_endpoint, for admins and the owner.';

REVOKE ALL ON FUNCTION private.delete_webhook_endpoint(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.delete_webhook_endpoint(uuid, uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.delete_webhook_endpoint(org_id uuid, endpoint_id uuid)
RETURNS void
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$ SELECT private.delete_webhook_endpoint(delete_webhook_endpoint.org_id, delete_webhook_endpoint.endpoint_id) $$;

COMMENT ON FUNCTION api.delete_webhook_endpoint(uuid, uuid) IS
$$Deletes an endpoint of the organization with its deliveries and their attempts (nothing more is sent to it). For
admins and the owner. Errors: PT403 staff and managers; PT404 not a member, or no such endpoint in the
organization.$$;

REVOKE ALL ON FUNCTION api.delete_webhook_endpoint(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.delete_webhook_endpoint(uuid, uuid) TO authenticated;


CREATE OR REPLACE FUNCTION private.list_webhook_endpoints(p_org_id uuid)
RETURNS SETOF jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  PERFORM private.catalogue_may(p_org_id, 'admin', 'organization');
  RETURN QUERY SELECT private.webhook_endpoint_json(w, false) FROM app.webhook_endpoints w
                WHERE w.org_id = p_org_id ORDER BY w.created_at, w.id;
END
$$;

COMMENT ON FUNCTION private.list_webhook_endpoints(uuid) IS
'api.list_webhook_endpoints, for admins and the owner.';

REVOKE ALL ON FUNCTION private.list_webhook_endpoints(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.list_webhook_endpoints(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.list_webhook_endpoints(org_id uuid)
RETURNS SETOF jsonb
LANGUAGE sql
STABLE
SET search_path = ''
AS $$ SELECT * FROM private.list_webhook_endpoints(list_webhook_endpoints.org_id) $$;

COMMENT ON FUNCTION api.list_webhook_endpoints(uuid) IS
$$The organization's webhook endpoints, oldest first, each as create_webhook_endpoint answers it but without its
secret. For admins and the owner. Errors: PT403 staff and managers; PT404 not a member.$$;

REVOKE ALL ON FUNCTION api.list_webhook_endpoints(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.list_webhook_endpoints(uuid) TO authenticated;


-- The overlap: until previous_secret_until every attempt carries a signature under each secret.
DROP FUNCTION IF EXISTS api.rotate_webhook_secret(uuid, uuid);
DROP FUNCTION IF EXISTS private.rotate_webhook_secret(uuid, uuid);

CREATE OR REPLACE FUNCTION private.rotate_webhook_secret(p_org_id uuid, p_endpoint_id uuid, p_overlap_hours integer)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  e app.webhook_endpoints;
BEGIN
  IF p_overlap_hours IS NULL OR p_overlap_hours NOT BETWEEN 0 AND 168 THEN
    RAISE EXCEPTION 'overlap_hours is 0 to 168 hours' USING ERRCODE = 'PT400', DETAIL = 'out_of_range',
      HINT = 'Give 0 to stop signing with the old secret at once.';
  END IF;
  PERFORM private.catalogue_may(p_org_id, 'admin', 'organization');
  -- The secret replaced becomes the previous one (a rotation during an overlap ends the older secret's at once:
  -- two secrets sign at most).
  UPDATE app.webhook_endpoints w
     SET secret = private.webhook_secret(),
         previous_secret = CASE WHEN p_overlap_hours > 0 THEN w.secret END,
         previous_secret_until = CASE WHEN p_overlap_hours > 0
                                      THEN pg_catalog.now() + pg_catalog.make_interval(hours => p_overlap_hours) END,
         updated_at = pg_catalog.now()
   WHERE w.org_id = p_org_id AND w.id = p_endpoint_id
  RETURNING * INTO e;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'webhook endpoint not found' USING ERRCODE = 'PT404', DETAIL = 'not_found';
  END IF;
  RETURN private.webhook_endpoint_json(e, true);
END
$$;

COMMENT ON FUNCTION private.rotate_webhook_secret(uuid, uuid, integer) IS
'api.rotate_webhook_secret, for admins and the owner.';

REVOKE ALL ON FUNCTION private.rotate_webhook_secret(uuid, uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.rotate_webhook_secret(uuid, uuid, integer) TO authenticated;


CREATE OR REPLACE FUNCTION api.rotate_webhook_secret(org_id uuid, endpoint_id uuid, overlap_hours integer DEFAULT 24)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.rotate_webhook_secret(rotate_webhook_secret.org_id, rotate_webhook_secret.endpoint_id,
                                       rotate_webhook_secret.overlap_hours)
$$;

COMMENT ON FUNCTION api.rotate_webhook_secret(uuid, uuid, integer) IS
$$Gives an endpoint a new signing secret and answers the endpoint with it (secret, shown this once). For
overlap_hours (0 to 168, default 24) the secret it replaces keeps signing too: every attempt, retries of earlier
deliveries included, carries one signature under each secret in its webhook-signature header (space-separated, as
Standard Webhooks allows), so a receiver verifies with either while it switches; previous_secret_until in the
answer says until when. overlap_hours 0 signs with the new secret only, at once: the choice after a leak, as a
leaked secret must stop signing now. api.end_webhook_secret_overlap ends an overlap early without a new secret.
Rotating again during an overlap ends the older secret's at once (two secrets sign at most). For admins and the
owner. Errors: PT400 overlap_hours out of range (detail out_of_range); PT403 staff and managers; PT404 not a
member, or no such endpoint in the organization.$$;

REVOKE ALL ON FUNCTION api.rotate_webhook_secret(uuid, uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.rotate_webhook_secret(uuid, uuid, integer) TO authenticated;


CREATE OR REPLACE FUNCTION private.end_webhook_secret_overlap(p_org_id uuid, p_endpoint_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  e app.webhook_endpoints;
BEGIN
  PERFORM private.catalogue_may(p_org_id, 'admin', 'organization');
  UPDATE app.webhook_endpoints w
     SET previous_secret = NULL, previous_secret_until = NULL, updated_at = pg_catalog.now()
   WHERE w.org_id = p_org_id AND w.id = p_endpoint_id
  RETURNING * INTO e;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'webhook endpoint not found' USING ERRCODE = 'PT404', DETAIL = 'not_found';
  END IF;
  RETURN private.webhook_endpoint_json(e, false);
END
$$;

COMMENT ON FUNCTION private.end_webhook_secret_overlap(uuid, uuid) IS
'api.end_webhook_secret_overlap, for admins and the owner.';

REVOKE ALL ON FUNCTION private.end_webhook_secret_overlap(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.end_webhook_secret_overlap(uuid, uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.end_webhook_secret_overlap(org_id uuid, endpoint_id uuid)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.end_webhook_secret_overlap(end_webhook_secret_overlap.org_id, end_webhook_secret_overlap.endpoint_id)
$$;

COMMENT ON FUNCTION api.end_webhook_secret_overlap(uuid, uuid) IS
$$Stops signing with the secret a rotation replaced, at once, and forgets it: once every receiver verifies with the
new secret, there is no need to wait for the overlap's end. The current secret is kept (and not shown). Answers the
endpoint (previous_secret_until null). Ending no overlap changes nothing but updated_at. For admins and the owner.
Errors: PT403 staff and managers; PT404 not a member, or no such endpoint in the organization.$$;

REVOKE ALL ON FUNCTION api.end_webhook_secret_overlap(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.end_webhook_secret_overlap(uuid, uuid) TO authenticated;


-- Admins: the deliveries. ---------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.list_webhook_deliveries(p_org_id uuid, p_endpoint_id uuid, p_status text,
                                                           p_before_at timestamptz, p_before_id uuid,
                                                           p_page_size integer)
RETURNS TABLE (id uuid, endpoint_id uuid, event_type text, webhook_id text, status text, attempts integer,
               next_attempt_at timestamptz, last_status_code integer, last_error text, created_at timestamptz,
               delivered_at timestamptz, payload jsonb, cursor text)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  PERFORM private.catalogue_may(p_org_id, 'admin', 'organization');
  RETURN QUERY
  SELECT d.id, d.endpoint_id, d.event_type, d.webhook_id, d.status, d.attempts::integer, d.next_attempt_at,
         d.last_status_code::integer, d.last_error, d.created_at, d.delivered_at, d.payload,
         private.keyset_cursor(d.created_at, d.id)
    FROM app.webhook_deliveries d
   WHERE d.org_id = p_org_id
     AND (p_endpoint_id IS NULL OR d.endpoint_id = p_endpoint_id)
     AND (p_status IS NULL OR d.status = p_status)
     AND (p_before_at IS NULL OR (d.created_at, d.id) < (p_before_at, p_before_id))
   ORDER BY d.created_at DESC, d.id DESC
   LIMIT p_page_size;
END
$$;

COMMENT ON FUNCTION private.list_webhook_deliveries(uuid, uuid, text, timestamptz, uuid, integer) IS
'One page of api.list_webhook_deliveries (which checked the arguments and decoded the cursor), for admins and the
owner.';

REVOKE ALL ON FUNCTION private.list_webhook_deliveries(uuid, uuid, text, timestamptz, uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.list_webhook_deliveries(uuid, uuid, text, timestamptz, uuid, integer)
  TO authenticated;


CREATE OR REPLACE FUNCTION api.list_webhook_deliveries(org_id uuid, endpoint_id uuid DEFAULT NULL,
                                                       status text DEFAULT NULL, before text DEFAULT NULL,
                                                       page_size integer DEFAULT 50)
RETURNS SETOF jsonb
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
DECLARE
  k record;
BEGIN
  PERFORM private.count_arg('page_size', page_size, 1, 200);
  PERFORM private.text_arg('before', before, 1, 80);
  IF status IS NOT NULL AND status NOT IN ('queued', 'sending', 'delivered', 'dead') THEN
    RAISE EXCEPTION 'status is queued, sending, delivered or dead' USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
  SELECT d.at, d.id INTO k FROM private.keyset_decode('before', before) d;
  RETURN QUERY SELECT pg_catalog.to_jsonb(r)
                 FROM private.list_webhook_deliveries(list_webhook_deliveries.org_id,
                                                      list_webhook_deliveries.endpoint_id,
                                                      list_webhook_deliveries.status, k.at, k.id,
                                                      coalesce(page_size, 50)) r;
END
$$;

COMMENT ON FUNCTION api.list_webhook_deliveries(uuid, uuid, text, text, integer) IS
$$The organization's webhook deliveries, newest first, optionally of one endpoint and of one status (queued,
sending, delivered, dead): rows {id, endpoint_id, event_type, webhook_id (the webhook-id header), status, attempts,
next_attempt_at, last_status_code, last_error, created_at, delivered_at, payload, cursor}. page_size 1 to 200
(default 50); the next page: before => the last row's cursor. retry_webhook_delivery queues a dead one again. For
admins and the owner. Errors: PT400 an argument out of range or before not a cursor; PT403 staff and managers;
PT404 not a member.$$;

REVOKE ALL ON FUNCTION api.list_webhook_deliveries(uuid, uuid, text, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.list_webhook_deliveries(uuid, uuid, text, text, integer) TO authenticated;


CREATE OR REPLACE FUNCTION private.retry_webhook_delivery(p_org_id uuid, p_delivery_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  d app.webhook_deliveries;
BEGIN
  PERFORM private.catalogue_may(p_org_id, 'admin', 'organization');
  SELECT x.* INTO d FROM app.webhook_deliveries x WHERE x.org_id = p_org_id AND x.id = p_delivery_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'webhook delivery not found' USING ERRCODE = 'PT404', DETAIL = 'not_found';
  END IF;
  IF d.status <> 'dead' THEN
    RAISE EXCEPTION 'only a failed delivery can be retried; this one is %', d.status USING ERRCODE = 'PT409',
      DETAIL = 'illegal_transition';
  END IF;
  UPDATE app.webhook_deliveries x SET status = 'queued', next_attempt_at = pg_catalog.now()
   WHERE x.id = d.id RETURNING x.* INTO d;
  RETURN pg_catalog.jsonb_build_object('id', d.id, 'status', d.status, 'attempts', d.attempts,
                                       'next_attempt_at', d.next_attempt_at);
END
$$;

COMMENT ON FUNCTION private.retry_webhook_delivery(uuid, uuid) IS
'api.retry_webhook_delivery, for admins and the owner.';

REVOKE ALL ON FUNCTION private.retry_webhook_delivery(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.retry_webhook_delivery(uuid, uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.retry_webhook_delivery(org_id uuid, delivery_id uuid)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$ SELECT private.retry_webhook_delivery(retry_webhook_delivery.org_id, retry_webhook_delivery.delivery_id) $$;

COMMENT ON FUNCTION api.retry_webhook_delivery(uuid, uuid) IS
$$Queues a dead webhook delivery of the organization again, due now (sent once its endpoint is enabled): {id,
status: "queued", attempts, next_attempt_at}. Its attempts are kept, so it gets one more: a failure sends it back
to dead. For admins and the owner. Errors: PT403 staff and managers; PT404 not a member, or no such delivery in the
organization; PT409 the delivery is not dead (detail illegal_transition).$$;

REVOKE ALL ON FUNCTION api.retry_webhook_delivery(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.retry_webhook_delivery(uuid, uuid) TO authenticated;


-- Events. -------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.webhook_emit(p_org_id uuid, p_event_type text, p_event_key text, p_data jsonb)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  written integer;
BEGIN
  -- One delivery per enabled endpoint subscribed to the type; a repeated event (same key) writes nothing more.
  INSERT INTO app.webhook_deliveries (org_id, endpoint_id, event_type, event_key, payload)
  SELECT p_org_id, w.id, p_event_type, p_event_key,
         pg_catalog.jsonb_build_object('type', p_event_type,
                                       'timestamp', pg_catalog.to_char(pg_catalog.now() AT TIME ZONE 'UTC',
                                                                       'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                                       'org_id', p_org_id, 'data', p_data)
    FROM app.webhook_endpoints w
   WHERE w.org_id = p_org_id AND w.enabled AND p_event_type = ANY (w.event_types)
  ON CONFLICT ON CONSTRAINT webhook_deliveries_once DO NOTHING;
  GET DIAGNOSTICS written = ROW_COUNT;
  RETURN written;
END
$$;

COMMENT ON FUNCTION private.webhook_emit(uuid, text, text, jsonb) IS
'Writes one delivery of event p_event_type, payload {type, timestamp, org_id, data: p_data}, to every enabled
endpoint of p_org_id subscribed to it, once per endpoint and p_event_key; answers how many it wrote. For the
webhook triggers (definers), in the transaction of the event.';

REVOKE ALL ON FUNCTION private.webhook_emit(uuid, text, text, jsonb) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.webhook_booking_data(p_booking app.bookings)
RETURNS jsonb
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT pg_catalog.jsonb_build_object('booking', pg_catalog.jsonb_build_object(
           'id', p_booking.id, 'code', p_booking.confirmation_code, 'status', p_booking.status,
           'experience_id', p_booking.experience_id, 'slot_id', p_booking.slot_id,
           'customer_id', p_booking.customer_id, 'starts_at', p_booking.starts_at, 'ends_at', p_booking.ends_at,
           'party_size', p_booking.party_size, 'price_minor', p_booking.price_minor,
           'currency', p_booking.currency, 'hold_expires_at', p_booking.hold_expires_at,
           'cancel_reason', p_booking.cancel_reason, 'created_at', p_booking.created_at))
$$;

COMMENT ON FUNCTION private.webhook_booking_data(app.bookings) IS
'The data of a booking event: {booking: {id, code, status, experience_id, slot_id, customer_id, starts_at, ends_at,
party_size, price_minor, currency, hold_expires_at, cancel_reason, created_at}} (no name or contact of the
customer).';

REVOKE ALL ON FUNCTION private.webhook_booking_data(app.bookings) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.bookings_webhooks()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  IF NOT EXISTS (SELECT FROM app.webhook_endpoints w WHERE w.org_id = NEW.org_id AND w.enabled) THEN
    RETURN NULL;  -- the common case, one index probe
  END IF;
  IF TG_OP = 'INSERT' THEN
    PERFORM private.webhook_emit(NEW.org_id, 'booking.created', 'booking.created:' || NEW.id,
                                 private.webhook_booking_data(NEW));
    IF NEW.status = 'confirmed' THEN
      PERFORM private.webhook_emit(NEW.org_id, 'booking.confirmed', 'booking.confirmed:' || NEW.id,
                                   private.webhook_booking_data(NEW));
    END IF;
    RETURN NULL;
  END IF;
  IF NEW.status IS DISTINCT FROM OLD.status AND NEW.status = 'confirmed' THEN
    PERFORM private.webhook_emit(NEW.org_id, 'booking.confirmed', 'booking.confirmed:' || NEW.id,
                                 private.webhook_booking_data(NEW));
  ELSIF NEW.status IS DISTINCT FROM OLD.status AND NEW.status = 'cancelled' THEN
    PERFORM private.webhook_emit(NEW.org_id, 'booking.cancelled', 'booking.cancelled:' || NEW.id,
                                 private.webhook_booking_data(NEW));
  END IF;
  IF NEW.slot_id IS DISTINCT FROM OLD.slot_id AND NEW.status IN ('pending', 'confirmed') THEN
    PERFORM private.webhook_emit(NEW.org_id, 'booking.rescheduled',
                                 'booking.rescheduled:' || NEW.id || ':' || NEW.slot_id || ':'
                                   || pg_catalog.pg_current_xact_id()::text,
                                 private.webhook_booking_data(NEW)
                                   || pg_catalog.jsonb_build_object('previous', pg_catalog.jsonb_build_object(
                                        'slot_id', OLD.slot_id, 'starts_at', OLD.starts_at,
                                        'ends_at', OLD.ends_at)));
  END IF;
  RETURN NULL;
END
$$;

COMMENT ON FUNCTION private.bookings_webhooks() IS
'Trigger on app.bookings (after insert, and after its status or session changes): booking.created for a new
booking (and booking.confirmed when it is confirmed at once), booking.confirmed / booking.cancelled when its status
becomes that, booking.rescheduled (with previous {slot_id, starts_at, ends_at}) when a live booking moves to
another session; once per booking for the first three, once per move for the last.';

REVOKE ALL ON FUNCTION private.bookings_webhooks() FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.payments_webhooks()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  IF EXISTS (SELECT FROM app.webhook_endpoints w WHERE w.org_id = NEW.org_id AND w.enabled) THEN
    PERFORM private.webhook_emit(NEW.org_id, 'payment.succeeded', 'payment.succeeded:' || NEW.id,
      pg_catalog.jsonb_build_object('payment', pg_catalog.jsonb_build_object(
        'id', NEW.id, 'order_id', NEW.order_id, 'provider', NEW.provider, 'provider_ref', NEW.provider_ref,
        'method', NEW.method, 'amount_minor', NEW.amount_minor, 'currency', NEW.currency,
        'received_at', NEW.received_at)));
  END IF;
  RETURN NULL;
END
$$;

COMMENT ON FUNCTION private.payments_webhooks() IS
'Trigger on app.payments (after insert): payment.succeeded {payment: {id, order_id, provider, provider_ref,
method, amount_minor, currency, received_at}}, once per payment.';

REVOKE ALL ON FUNCTION private.payments_webhooks() FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.refunds_webhooks()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  IF EXISTS (SELECT FROM app.webhook_endpoints w WHERE w.org_id = NEW.org_id AND w.enabled) THEN
    PERFORM private.webhook_emit(NEW.org_id, 'refund.created', 'refund.created:' || NEW.id,
      pg_catalog.jsonb_build_object('refund', pg_catalog.jsonb_build_object(
        'id', NEW.id, 'order_id', NEW.order_id, 'payment_id', NEW.payment_id, 'amount_minor', NEW.amount_minor,
        'currency', NEW.currency, 'kind', NEW.kind, 'status', NEW.status, 'provider', NEW.provider,
        'created_at', NEW.created_at)));
  END IF;
  RETURN NULL;
END
$$;

COMMENT ON FUNCTION private.refunds_webhooks() IS
'Trigger on app.refunds (after insert): refund.created {refund: {id, order_id, payment_id, amount_minor, currency,
kind, status, provider, created_at}}, once per refund.';

REVOKE ALL ON FUNCTION private.refunds_webhooks() FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.check_ins_webhooks()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  t app.tickets;
BEGIN
  IF EXISTS (SELECT FROM app.webhook_endpoints w WHERE w.org_id = NEW.org_id AND w.enabled) THEN
    SELECT k.* INTO t FROM app.tickets k WHERE k.org_id = NEW.org_id AND k.id = NEW.ticket_id;
    PERFORM private.webhook_emit(NEW.org_id, 'checkin.created', 'checkin.created:' || NEW.ticket_id,
      pg_catalog.jsonb_build_object('check_in', pg_catalog.jsonb_build_object(
        'ticket_id', NEW.ticket_id, 'booking_id', t.booking_id, 'slot_id', t.slot_id, 'venue_id', t.venue_id,
        'seat_no', t.seat_no, 'checked_in_at', NEW.checked_in_at)));
  END IF;
  RETURN NULL;
END
$$;

COMMENT ON FUNCTION private.check_ins_webhooks() IS
'Trigger on app.check_ins (after insert): checkin.created {check_in: {ticket_id, booking_id, slot_id, venue_id,
seat_no, checked_in_at}}, once per ticket.';

REVOKE ALL ON FUNCTION private.check_ins_webhooks() FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.waitlist_entries_webhooks()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  IF EXISTS (SELECT FROM app.webhook_endpoints w WHERE w.org_id = NEW.org_id AND w.enabled) THEN
    PERFORM private.webhook_emit(NEW.org_id, 'waitlist.offered', 'waitlist.offered:' || NEW.id || ':' || NEW.offers,
      pg_catalog.jsonb_build_object('waitlist_entry', pg_catalog.jsonb_build_object(
        'id', NEW.id, 'slot_id', NEW.slot_id, 'customer_id', NEW.customer_id, 'party_size', NEW.party_size,
        'booking_id', NEW.booking_id, 'offer_expires_at', NEW.offer_expires_at, 'offer_number', NEW.offers)));
  END IF;
  RETURN NULL;
END
$$;

COMMENT ON FUNCTION private.waitlist_entries_webhooks() IS
'Trigger on app.waitlist_entries (after an entry is offered places): waitlist.offered {waitlist_entry: {id,
slot_id, customer_id, party_size, booking_id (the held booking), offer_expires_at, offer_number}}, once per offer.';

REVOKE ALL ON FUNCTION private.waitlist_entries_webhooks() FROM PUBLIC;


CREATE OR REPLACE TRIGGER bookings_webhooks
  AFTER INSERT OR UPDATE OF status, slot_id ON app.bookings
  FOR EACH ROW EXECUTE FUNCTION private.bookings_webhooks();
CREATE OR REPLACE TRIGGER payments_webhooks
  AFTER INSERT ON app.payments FOR EACH ROW EXECUTE FUNCTION private.payments_webhooks();
CREATE OR REPLACE TRIGGER refunds_webhooks
  AFTER INSERT ON app.refunds FOR EACH ROW EXECUTE FUNCTION private.refunds_webhooks();
CREATE OR REPLACE TRIGGER check_ins_webhooks
  AFTER INSERT ON app.check_ins FOR EACH ROW EXECUTE FUNCTION private.check_ins_webhooks();
CREATE OR REPLACE TRIGGER waitlist_entries_webhooks
  AFTER UPDATE OF status, offers ON app.waitlist_entries
  FOR EACH ROW WHEN (NEW.status = 'offered' AND (OLD.status IS DISTINCT FROM NEW.status OR OLD.offers <> NEW.offers))
  EXECUTE FUNCTION private.waitlist_entries_webhooks();
CREATE OR REPLACE TRIGGER webhook_endpoints_touch_updated_at
  BEFORE UPDATE ON app.webhook_endpoints FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();


-- The sender. ---------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.disable_webhook_endpoint(p_org_id uuid, p_endpoint_id uuid, p_reason text)
RETURNS boolean
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  e app.webhook_endpoints;
  admin record;
  data jsonb;
BEGIN
  UPDATE app.webhook_endpoints w
     SET enabled = false, disabled_at = pg_catalog.now(), disabled_reason = pg_catalog.left(p_reason, 500)
   WHERE w.org_id = p_org_id AND w.id = p_endpoint_id AND w.enabled
  RETURNING * INTO e;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  -- The data of the kind's default templates (its sample_data): endpoint {id, url, disabled_at, failures}.
  data := pg_catalog.jsonb_build_object(
    'timezone', 'UTC',
    'endpoint', pg_catalog.jsonb_build_object('id', e.id, 'url', e.url, 'description', e.description,
                                              'disabled_at', e.disabled_at, 'disabled_reason', e.disabled_reason,
                                              'failures', e.consecutive_failures),
    'org', (SELECT pg_catalog.jsonb_build_object('name', g.name) FROM app.organizations g WHERE g.id = e.org_id));
  -- Each admin and owner: an e-mail, and a note in their in-app inbox.
  FOR admin IN
    SELECT u.id, u.email FROM app.memberships m JOIN auth.users u ON u.id = m.user_id
     WHERE m.org_id = e.org_id AND m.role >= 'admin' AND u.email IS NOT NULL ORDER BY u.id
  LOOP
    PERFORM private.enqueue_notification(e.org_id, 'webhook_endpoint_disabled', admin.email, data,
      'webhook_endpoint_disabled:' || e.id || ':' || private.keyset_cursor(e.disabled_at, admin.id) || ':email',
      p_channel => 'email', p_user_id => admin.id);
    PERFORM private.enqueue_notification(e.org_id, 'webhook_endpoint_disabled', admin.email, data,
      'webhook_endpoint_disabled:' || e.id || ':' || private.keyset_cursor(e.disabled_at, admin.id) || ':in_app',
      p_channel => 'in_app', p_user_id => admin.id);
  END LOOP;
  RETURN true;
END
$$;

COMMENT ON FUNCTION private.disable_webhook_endpoint(uuid, uuid, text) IS
'Disables an enabled endpoint (disabled_reason p_reason, kept to 500 characters) and queues a
webhook_endpoint_disabled message, data {timezone: UTC, endpoint: {id, url, description, disabled_at,
disabled_reason, failures}, org: {name}}, to each admin and owner of its organization by e-mail and in-app. True when
it disabled the endpoint, false when it was not enabled. For private.webhook_endpoint_failed and
private.fail_webhook_delivery.';

REVOKE ALL ON FUNCTION private.disable_webhook_endpoint(uuid, uuid, text) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.webhook_endpoint_failed(p_org_id uuid, p_endpoint_id uuid, p_error text)
RETURNS boolean
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  e app.webhook_endpoints;
BEGIN
  UPDATE app.webhook_endpoints w
     SET consecutive_failures = w.consecutive_failures + 1,
         failing_since = coalesce(w.failing_since, pg_catalog.now())
   WHERE w.org_id = p_org_id AND w.id = p_endpoint_id AND w.enabled
  RETURNING * INTO e;
  IF NOT FOUND OR NOT (e.consecutive_failures >= private.webhook_disable_after()
                       OR e.failing_since <= pg_catalog.now() - interval '1 day') THEN
    RETURN false;
  END IF;
  RETURN private.disable_webhook_endpoint(e.org_id, e.id,
    pg_catalog.format('failed %s times in a row since %s; last error: %s', e.consecutive_failures, e.failing_since,
                      p_error));
END
$$;

COMMENT ON FUNCTION private.webhook_endpoint_failed(uuid, uuid, text) IS
'Counts a failed attempt against an enabled endpoint; when it has failed private.webhook_disable_after() (20)
times in a row, or has been failing with no success for a day, disables it (private.disable_webhook_endpoint:
disabled_reason says why, its admins and owners are told). True when it disabled the endpoint. For
private.fail_webhook_delivery.';

REVOKE ALL ON FUNCTION private.webhook_endpoint_failed(uuid, uuid, text) FROM PUBLIC;


-- Its result gained previous_secret (webhook_secret_overlap_rules): a changed result is a new function.
DROP FUNCTION IF EXISTS private.claim_webhook_deliveries(text, integer, interval);

CREATE OR REPLACE FUNCTION private.claim_webhook_deliveries(p_worker text, p_limit integer, p_lease interval)
RETURNS TABLE (id uuid, org_id uuid, endpoint_id uuid, webhook_id text, event_type text, payload jsonb, url text,
               secret text, previous_secret text, attempts integer, claimed_until timestamptz)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  d app.webhook_deliveries;
  taken uuid[] := '{}'::uuid[];
  lease_end timestamptz := pg_catalog.now() + p_lease;
  lost constant text := 'the worker''s lease ran out before it reported the outcome';
BEGIN
  PERFORM private.require_service_role('take webhooks to deliver');
  IF p_worker IS NULL OR pg_catalog.length(p_worker) NOT BETWEEN 1 AND 200 THEN
    RAISE EXCEPTION 'worker is a name of 1 to 200 characters' USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
  IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 1000 THEN
    RAISE EXCEPTION 'limit is 1 to 1000 deliveries' USING ERRCODE = 'PT400', DETAIL = 'out_of_range';
  END IF;
  IF p_lease IS NULL OR p_lease NOT BETWEEN interval '1 second' AND interval '1 hour' THEN
    RAISE EXCEPTION 'lease is 1 second to 1 hour' USING ERRCODE = 'PT400', DETAIL = 'out_of_range';
  END IF;
  -- As private.claim_messages: expired leases first, then due deliveries oldest first, of enabled endpoints only
  -- (a disabled endpoint's deliveries wait for it), skipping rows another worker holds.
  FOR d IN
    WITH expired AS (
      SELECT x.* FROM app.webhook_deliveries x
        JOIN app.webhook_endpoints w ON w.org_id = x.org_id AND w.id = x.endpoint_id AND w.enabled
       WHERE x.status = 'sending' AND x.claimed_until < pg_catalog.now()
       ORDER BY x.claimed_until LIMIT p_limit FOR UPDATE OF x SKIP LOCKED
    ), due AS (
      SELECT x.* FROM app.webhook_deliveries x
        JOIN app.webhook_endpoints w ON w.org_id = x.org_id AND w.id = x.endpoint_id AND w.enabled
       WHERE x.status = 'queued' AND x.next_attempt_at <= pg_catalog.now()
       ORDER BY x.next_attempt_at LIMIT p_limit FOR UPDATE OF x SKIP LOCKED
    )
    SELECT y.* FROM (SELECT * FROM expired UNION ALL SELECT * FROM due) y LIMIT p_limit
  LOOP
    IF d.status = 'sending' THEN
      INSERT INTO app.webhook_attempts (org_id, delivery_id, attempt, worker, started_at, outcome, error)
      VALUES (d.org_id, d.id, GREATEST(d.attempts, 1), coalesce(d.claimed_by, 'unknown'),
              LEAST(coalesce(d.claimed_at, d.claimed_until), pg_catalog.now()),
              CASE WHEN d.attempts >= private.webhook_max_attempts() THEN 'dead' ELSE 'retry' END, lost)
      ON CONFLICT DO NOTHING;
      IF d.attempts >= private.webhook_max_attempts() THEN
        UPDATE app.webhook_deliveries x SET status = 'dead', claimed_until = NULL, last_error = lost
         WHERE x.id = d.id;
        CONTINUE;
      END IF;
    END IF;
    UPDATE app.webhook_deliveries x
       SET status = 'sending', claimed_by = p_worker, claimed_at = pg_catalog.now(), claimed_until = lease_end,
           attempts = x.attempts + 1
     WHERE x.id = d.id;
    taken := taken || d.id;
  END LOOP;

  RETURN QUERY
  SELECT x.id, x.org_id, x.endpoint_id, x.webhook_id, x.event_type, x.payload, w.url, w.secret,
         CASE WHEN w.previous_secret_until > pg_catalog.now() THEN w.previous_secret END,
         x.attempts::integer, x.claimed_until
    FROM app.webhook_deliveries x
    JOIN app.webhook_endpoints w ON w.org_id = x.org_id AND w.id = x.endpoint_id
   WHERE x.id = ANY (taken)
   ORDER BY x.next_attempt_at, x.id;
END
$$;

COMMENT ON FUNCTION private.claim_webhook_deliveries(text, integer, interval) IS
'Takes up to p_limit (1 to 1000) webhook deliveries of enabled endpoints for worker p_worker (1 to 200 characters)
for p_lease (1 s to 1 h): those whose lease ran out (that attempt is recorded as lost, and the delivery is dead if
it was the last of its 12), then queued ones due, oldest first, skipping rows another worker holds (FOR UPDATE SKIP
LOCKED). Each becomes sending under the lease with one more attempt. One row per delivery: id, org_id,
endpoint_id, webhook_id (the webhook-id header), event_type, payload, url, secret (to sign with), previous_secret
(to sign with too: the secret before the last rotation while its overlap lasts, else null), attempts (this one
included), claimed_until. Report each with private.complete_webhook_delivery or private.fail_webhook_delivery, or
give it back untried with private.release_webhook_deliveries. For service_role (or the database owner without
request claims). Errors: PT400 an argument out of range; PT403 anyone else.';

REVOKE ALL ON FUNCTION private.claim_webhook_deliveries(text, integer, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.claim_webhook_deliveries(text, integer, interval) TO service_role;


CREATE OR REPLACE FUNCTION private.complete_webhook_delivery(p_delivery_id uuid, p_worker text, p_status_code integer,
                                                             p_duration_ms integer)
RETURNS boolean
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  d app.webhook_deliveries;
BEGIN
  PERFORM private.require_service_role('record webhook deliveries');
  UPDATE app.webhook_deliveries x
     SET status = 'delivered', delivered_at = pg_catalog.now(), claimed_until = NULL, last_error = NULL,
         last_status_code = p_status_code
   WHERE x.id = p_delivery_id AND x.status = 'sending' AND x.claimed_by = p_worker
  RETURNING x.* INTO d;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  INSERT INTO app.webhook_attempts (org_id, delivery_id, attempt, worker, started_at, outcome, status_code,
                                    duration_ms)
  VALUES (d.org_id, d.id, GREATEST(d.attempts, 1), p_worker, LEAST(coalesce(d.claimed_at, pg_catalog.now()),
          pg_catalog.now()), 'delivered', p_status_code, GREATEST(p_duration_ms, 0))
  ON CONFLICT DO NOTHING;
  UPDATE app.webhook_endpoints w SET consecutive_failures = 0, failing_since = NULL
   WHERE w.org_id = d.org_id AND w.id = d.endpoint_id AND w.consecutive_failures > 0;
  RETURN true;
END
$$;

COMMENT ON FUNCTION private.complete_webhook_delivery(uuid, text, integer, integer) IS
'Records that worker p_worker delivered p_delivery_id (the receiver answered 2xx p_status_code after p_duration_ms):
delivered, with an attempt row, and the endpoint''s failure count cleared. True when recorded; false, changing
nothing, when the delivery is not being sent under this worker''s lease. For service_role. Errors: PT403 anyone
else.';

REVOKE ALL ON FUNCTION private.complete_webhook_delivery(uuid, text, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.complete_webhook_delivery(uuid, text, integer, integer) TO service_role;


CREATE OR REPLACE FUNCTION private.fail_webhook_delivery(p_delivery_id uuid, p_worker text, p_status_code integer,
                                                         p_error text, p_duration_ms integer, p_permanent boolean)
RETURNS text
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  d app.webhook_deliveries;
  dead boolean;
  error text := pg_catalog.left(coalesce(p_error, 'failed'), 2000);
  code smallint := CASE WHEN p_status_code BETWEEN 100 AND 599 THEN p_status_code END;
BEGIN
  PERFORM private.require_service_role('record webhook deliveries');
  SELECT x.* INTO d FROM app.webhook_deliveries x
   WHERE x.id = p_delivery_id AND x.status = 'sending' AND x.claimed_by = p_worker
     FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  -- 410 Gone: the receiver says the endpoint is no more; this delivery is dead and the endpoint disabled at once.
  dead := coalesce(p_permanent, false) OR code = 410 OR d.attempts >= private.webhook_max_attempts();
  UPDATE app.webhook_deliveries x
     SET status = CASE WHEN dead THEN 'dead' ELSE 'queued' END, claimed_until = NULL, last_error = error,
         last_status_code = code,
         next_attempt_at = CASE WHEN dead THEN x.next_attempt_at
                                ELSE pg_catalog.now() + private.webhook_backoff(d.attempts, pg_catalog.random()) END
   WHERE x.id = d.id;
  INSERT INTO app.webhook_attempts (org_id, delivery_id, attempt, worker, started_at, outcome, status_code, error,
                                    duration_ms)
  VALUES (d.org_id, d.id, GREATEST(d.attempts, 1), p_worker, LEAST(coalesce(d.claimed_at, pg_catalog.now()),
          pg_catalog.now()), CASE WHEN dead THEN 'dead' ELSE 'retry' END, code, error,
          GREATEST(coalesce(p_duration_ms, 0), 0))
  ON CONFLICT DO NOTHING;
  PERFORM private.webhook_endpoint_failed(d.org_id, d.endpoint_id, error);
  IF code = 410 THEN
    PERFORM private.disable_webhook_endpoint(d.org_id, d.endpoint_id,
                                             'the receiver answered 410 Gone: it wants no more deliveries');
  END IF;
  RETURN CASE WHEN dead THEN 'dead' ELSE 'queued' END;
END
$$;

COMMENT ON FUNCTION private.fail_webhook_delivery(uuid, text, integer, text, integer, boolean) IS
'Records that worker p_worker''s attempt at p_delivery_id failed (p_status_code: the receiver''s non-2xx answer, or
NULL when none came; p_error kept to 2000 characters; p_duration_ms): queued again after private.webhook_backoff,
or dead when p_permanent (the URL was refused at send time), when the receiver answered 410 Gone (which also
disables the endpoint at once) or after its 12th attempt; an attempt row either way,
and the failure counts against the endpoint (private.webhook_endpoint_failed, which may disable it). Answers the
new status (queued or dead); NULL, changing nothing, when the delivery is not being sent under this worker''s lease.
For service_role. Errors: PT403 anyone else.';

REVOKE ALL ON FUNCTION private.fail_webhook_delivery(uuid, text, integer, text, integer, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.fail_webhook_delivery(uuid, text, integer, text, integer, boolean) TO service_role;


CREATE OR REPLACE FUNCTION private.release_webhook_deliveries(p_delivery_ids uuid[], p_worker text)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  released integer;
BEGIN
  PERFORM private.require_service_role('give webhook deliveries back');
  UPDATE app.webhook_deliveries x
     SET status = 'queued', claimed_until = NULL, attempts = GREATEST(x.attempts - 1, 0),
         next_attempt_at = pg_catalog.now()
   WHERE x.id = ANY (p_delivery_ids) AND x.status = 'sending' AND x.claimed_by = p_worker;
  GET DIAGNOSTICS released = ROW_COUNT;
  RETURN released;
END
$$;

COMMENT ON FUNCTION private.release_webhook_deliveries(uuid[], text) IS
'Gives back deliveries worker p_worker claimed and did not try (it is stopping, or its lease is running short):
queued, due now, without the attempt the claim counted; answers how many. For service_role. Errors: PT403 anyone
else.';

REVOKE ALL ON FUNCTION private.release_webhook_deliveries(uuid[], text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.release_webhook_deliveries(uuid[], text) TO service_role;
