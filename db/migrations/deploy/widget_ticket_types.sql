-- Deploy tessera:widget_ticket_types to pg
--
-- api.widget_ticket_types: the ticket types a widget sells now (ids, names, prices), so a booking page can book a ticketed event from the widget's answers alone

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION api.widget_ticket_types(embed_key text, experience_id uuid DEFAULT NULL::uuid)
 RETURNS TABLE(experience_id uuid, ticket_type_id uuid, name text, price_minor bigint, currency text, per_order_max integer, sales_end timestamp with time zone)
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  SELECT * FROM private.widget_ticket_types(embed_key, experience_id)
$function$
;

CREATE OR REPLACE FUNCTION private.widget_ticket_types(p_embed_key text, p_experience_id uuid)
 RETURNS TABLE(experience_id uuid, ticket_type_id uuid, name text, price_minor bigint, currency text, per_order_max integer, sales_end timestamp with time zone)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  -- Exactly the ticket types place_booking sells now: active, inside their sales window, of an active experience.
  SELECT tt.experience_id, tt.id, tt.name, tt.price_minor, e.currency::text, tt.per_order_max, tt.sales_end
    FROM app.venues v
    JOIN app.experiences e ON e.org_id = v.org_id AND e.venue_id = v.id
    JOIN app.ticket_types tt ON tt.org_id = e.org_id AND tt.experience_id = e.id
   WHERE v.id = private.widget_venue(p_embed_key) AND e.active AND e.kind = 'ticketed_event'
     AND (p_experience_id IS NULL OR e.id = p_experience_id)
     AND tt.active AND (tt.sales_start IS NULL OR tt.sales_start <= pg_catalog.now())
     AND (tt.sales_end IS NULL OR pg_catalog.now() < tt.sales_end)
   ORDER BY e.name, e.id, tt.price_minor, tt.name, tt.id
$function$
;
COMMENT ON FUNCTION api.widget_experiences(text) IS 'What the public booking widget of a venue offers: its active experiences (id, kind, name, description,
duration, party limits, currency) and the venue''s name and time zone; a ticketed event''s tickets and prices are
in widget_ticket_types. For anyone with the venue''s embed key (anon). Errors: PT404 for an unknown or rotated
key.';
REVOKE ALL ON FUNCTION api.widget_ticket_types(text,uuid) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION api.widget_ticket_types(text,uuid) TO anon;
GRANT EXECUTE ON FUNCTION api.widget_ticket_types(text,uuid) TO authenticated;
COMMENT ON FUNCTION api.widget_ticket_types(text,uuid) IS 'The tickets the public booking widget of a venue sells now: for each ticketed event of the venue (or the one
given), each ticket type on sale (id, name, price in minor units, currency, most per order, end of sales, if
any), cheapest first. Book them with widget_create_booking''s tickets, [{"ticket_type_id": "…", "quantity": 2}].
For anyone with the venue''s embed key (anon). Errors: PT404 for an unknown or rotated key.';
REVOKE ALL ON FUNCTION private.widget_ticket_types(text,uuid) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION private.widget_ticket_types(text,uuid) TO anon;
GRANT EXECUTE ON FUNCTION private.widget_ticket_types(text,uuid) TO authenticated;
COMMENT ON FUNCTION private.widget_ticket_types(text,uuid) IS 'The ticket types on sale now of the ticketed events of the venue a widget key opens (of one, when
p_experience_id is given), with public fields only.';

COMMIT;
