-- Revert tessera:export_everything from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.customer_row_ids(p_customer app.customers)
 RETURNS text[]
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  -- The ids of every row about the person, as the audit log names rows (row_id) and refers to them (customer_id).
  SELECT ARRAY[p_customer.id::text]
         || ARRAY(SELECT b.id::text FROM app.bookings b WHERE b.customer_id = p_customer.id)
         || ARRAY(SELECT o.id::text FROM app.orders o WHERE o.customer_id = p_customer.id)
         || ARRAY(SELECT n.id::text FROM app.customer_notes n WHERE n.customer_id = p_customer.id)
         || ARRAY(SELECT w.id::text FROM app.waiver_signatures w JOIN app.bookings b ON b.id = w.booking_id
                   WHERE b.customer_id = p_customer.id)
         || ARRAY(SELECT l.id::text FROM app.leads l
                   WHERE l.org_id = p_customer.org_id
                     AND pg_catalog.lower(pg_catalog.btrim(l.email)) = p_customer.email_key)
         || ARRAY(SELECT p.id::text FROM app.event_partners p
                   WHERE p.org_id = p_customer.org_id
                     AND pg_catalog.lower(pg_catalog.btrim(p.email)) = p_customer.email_key)
         || ARRAY(SELECT x.id::text FROM app.notifications_outbox x
                   WHERE x.org_id = p_customer.org_id
                     AND pg_catalog.lower(pg_catalog.btrim(x.recipient)) = p_customer.email_key)
$function$
;

CREATE OR REPLACE FUNCTION private.export_customer(p_org_id uuid, p_customer_id uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  c app.customers := private.privacy_customer(p_org_id, p_customer_id);
  ids text[] := private.customer_row_ids(c);
  doc jsonb;
BEGIN
  SELECT pg_catalog.jsonb_build_object(
    'format', 'tessera.customer_export.v1',
    'exported_at', pg_catalog.now(),
    'org_id', c.org_id,
    'customer', pg_catalog.to_jsonb(c),
    'marketing_consent', pg_catalog.jsonb_build_object('consent', c.marketing_consent, 'at', c.marketing_consent_at,
                                                       'source', c.marketing_consent_source),
    'tags', coalesce((SELECT pg_catalog.jsonb_agg(t.tag ORDER BY t.tag) FROM app.customer_tags t
                       WHERE t.customer_id = c.id), '[]'),
    'notes', coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(n) ORDER BY n.created_at, n.id)
                         FROM app.customer_notes n WHERE n.customer_id = c.id), '[]'),
    'bookings', coalesce((
      SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(b) || pg_catalog.jsonb_build_object(
               'ticket_lines', coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(bt) ORDER BY bt.ticket_type_id)
                                           FROM app.booking_tickets bt WHERE bt.booking_id = b.id), '[]'),
               'tickets', coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(t) || pg_catalog.jsonb_build_object(
                                             'check_in', (SELECT pg_catalog.to_jsonb(ci) FROM app.check_ins ci
                                                           WHERE ci.ticket_id = t.id))
                                           ORDER BY t.seat_no, t.created_at)
                                      FROM app.tickets t WHERE t.booking_id = b.id), '[]'))
             ORDER BY b.starts_at, b.id)
        FROM app.bookings b WHERE b.customer_id = c.id), '[]'),
    'orders', coalesce((
      SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(o) || pg_catalog.jsonb_build_object(
               'lines', coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(ol) ORDER BY ol.line_no)
                                    FROM app.order_lines ol WHERE ol.order_id = o.id), '[]'))
             ORDER BY o.created_at, o.id)
        FROM app.orders o WHERE o.customer_id = c.id), '[]'),
    'payments', coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(p) ORDER BY p.received_at, p.id)
                            FROM app.payments p JOIN app.orders o ON o.id = p.order_id
                           WHERE o.customer_id = c.id), '[]'),
    'refunds', coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(r) ORDER BY r.created_at, r.id)
                           FROM app.refunds r JOIN app.orders o ON o.id = r.order_id
                          WHERE o.customer_id = c.id), '[]'),
    'loyalty', pg_catalog.jsonb_build_object(
      'balance', coalesce((SELECT a.balance FROM app.loyalty_accounts a WHERE a.customer_id = c.id), 0),
      'ledger', coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(l) ORDER BY l.created_at, l.id)
                            FROM app.loyalty_ledger l WHERE l.customer_id = c.id), '[]')),
    'waiver_signatures', coalesce((
      SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(w) ORDER BY w.signed_at, w.id)
        FROM app.waiver_signatures w JOIN app.bookings b ON b.id = w.booking_id
       WHERE b.customer_id = c.id), '[]'),
    'leads', coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(l) ORDER BY l.created_at, l.id)
                         FROM app.leads l
                        WHERE l.org_id = c.org_id AND pg_catalog.lower(pg_catalog.btrim(l.email)) = c.email_key), '[]'),
    'event_partners', coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(p) ORDER BY p.created_at, p.id)
                                  FROM app.event_partners p
                                 WHERE p.org_id = c.org_id
                                   AND pg_catalog.lower(pg_catalog.btrim(p.email)) = c.email_key), '[]'),
    'notifications', coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(x) ORDER BY x.created_at, x.id)
                                 FROM app.notifications_outbox x
                                WHERE x.org_id = c.org_id
                                  AND pg_catalog.lower(pg_catalog.btrim(x.recipient)) = c.email_key), '[]'),
    'privacy_requests', coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(q) ORDER BY q.at, q.id)
                                    FROM app.customer_requests q WHERE q.customer_id = c.id), '[]'),
    'audit', coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(l) ORDER BY l.id)
                         FROM audit.log l
                        WHERE l.org_id = c.org_id
                          AND (l.row_id = ANY (ids) OR l.old_values ->> 'customer_id' = c.id::text
                               OR l.new_values ->> 'customer_id' = c.id::text)), '[]'))
    INTO doc;
  INSERT INTO app.customer_requests (org_id, customer_id, kind, requested_by, summary)
  VALUES (c.org_id, c.id, 'export', auth.uid(),
          pg_catalog.jsonb_build_object('bookings', pg_catalog.jsonb_array_length(doc -> 'bookings'),
                                        'orders', pg_catalog.jsonb_array_length(doc -> 'orders'),
                                        'audit_rows', pg_catalog.jsonb_array_length(doc -> 'audit')));
  RETURN doc;
END
$function$
;
COMMENT ON FUNCTION api.export_customer(uuid,uuid) IS 'Everything the organization holds about one person, as one JSON document (GDPR right of access): {format
("tessera.customer_export.v1"), exported_at, org_id, customer (the whole record), marketing_consent {consent, at,
source}, tags, notes, bookings (each with ticket_lines and tickets, each ticket with its check_in), orders (each
with its lines), payments, refunds, loyalty {balance, ledger}, waiver_signatures, leads and event_partners under
their e-mail, notifications (outbox rows to their address), privacy_requests, audit (the audit log rows about
them)}. The export is recorded in the privacy log (app.customer_requests, kind export), itself audited. For admins
and owners of the organization. Errors: PT403 anyone else; PT404 the organization has no such customer.';
REVOKE ALL ON FUNCTION private.customer_row_ids(app.customers) FROM PUBLIC;
COMMENT ON FUNCTION private.customer_row_ids(app.customers) IS 'The ids (as text) of the customer''s row and of every row about them: bookings, orders, notes, waiver
signatures, and leads, partners and outbox rows under their address.';
REVOKE ALL ON FUNCTION private.export_customer(uuid,uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.export_customer(uuid,uuid) TO authenticated;
COMMENT ON FUNCTION private.export_customer(uuid,uuid) IS 'The body of api.export_customer: checks the caller (private.privacy_customer), builds the document, records the
export in the privacy log.';

COMMIT;
