-- Deploy tessera:webhook_arguments to pg
-- requires: webhook_endpoints_rules
--
-- The endpoint functions measure every text first, naming it (an event type is 1 to 50 characters), and an unknown event type is named under event_types

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION api.create_webhook_endpoint(org_id uuid, url text, event_types text[], description text DEFAULT NULL::text)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
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
$function$
;

CREATE OR REPLACE FUNCTION api.update_webhook_endpoint(org_id uuid, endpoint_id uuid, url text DEFAULT NULL::text, event_types text[] DEFAULT NULL::text[], description text DEFAULT NULL::text, enabled boolean DEFAULT NULL::boolean)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
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
$function$
;

CREATE OR REPLACE FUNCTION private.webhook_event_types_arg(p_event_types text[])
 RETURNS text[]
 LANGUAGE plpgsql
 IMMUTABLE
 SET search_path TO ''
AS $function$
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
$function$
;
REVOKE ALL ON FUNCTION api.create_webhook_endpoint(uuid,text,text[],text) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.create_webhook_endpoint(uuid,text,text[],text) TO authenticated;
COMMENT ON FUNCTION api.create_webhook_endpoint(uuid,text,text[],text) IS 'Registers an outgoing webhook endpoint of the organization: url (a public http:// or https:// address, 10 to 2000
characters, no user name or password, its host a domain name or a public IP address: not localhost, loopback,
private, link-local, unique-local, multicast or unspecified), event_types (1 to 20 of booking.created,
booking.confirmed, booking.cancelled, booking.rescheduled, payment.succeeded, refund.created, checkin.created,
waitlist.offered) and an optional description (up to 500 characters). Answers the endpoint {id, org_id, url,
description, event_types, enabled, disabled_at, disabled_reason, consecutive_failures, created_at, updated_at,
secret}: secret (whsec_…, the Standard Webhooks signing secret) is shown this once (rotate_webhook_secret makes a
new one). At most 20 endpoints per organization. For admins and the owner. Errors: PT400 an argument invalid
(detail invalid_url, unknown_event_type, out_of_range); PT403 staff and managers; PT404 not a member; PT409 20
endpoints already (detail too_many).';
REVOKE ALL ON FUNCTION api.update_webhook_endpoint(uuid,uuid,text,text[],text,boolean) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.update_webhook_endpoint(uuid,uuid,text,text[],text,boolean) TO authenticated;
COMMENT ON FUNCTION api.update_webhook_endpoint(uuid,uuid,text,text[],text,boolean) IS 'Changes an endpoint of the organization: each argument given replaces its value (url and event_types checked as
create_webhook_endpoint does; description '''' clears it); enabled false disables it (disabled_reason "disabled by an
admin"), enabled true enables it again, and enabling or a new url clears its failure count. Deliveries queued while
it was disabled go out once it is enabled. Answers the endpoint without its secret. For admins and the owner.
Errors: PT400 an argument invalid; PT403 staff and managers; PT404 not a member, or no such endpoint in the
organization.';
REVOKE ALL ON FUNCTION private.webhook_event_types_arg(text[]) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.webhook_event_types_arg(text[]) TO authenticated;
GRANT EXECUTE ON FUNCTION private.webhook_event_types_arg(text[]) TO service_role;
COMMENT ON FUNCTION private.webhook_event_types_arg(text[]) IS 'The event types p_event_types, sorted and without repeats, or PT400 when empty, over 20, or naming a type not in
private.webhook_event_types().';

COMMIT;
