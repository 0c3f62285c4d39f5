-- Functions of the `customers` area (CRM): marketing consent, tags and staff notes on customer records, and the
-- person's rights under the GDPR: everything held about them as one document (export), and anonymisation
-- everywhere (erasure), both written to the privacy log app.customer_requests. Tags, notes and consent are written
-- as the caller under RLS; export and erasure read and write past it (payments, the audit log), so they are
-- definers here with their own checks: admins and owners of the customer's organization.

-- Consent. ---------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION api.set_marketing_consent(customer_id uuid, consent boolean, source text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  answer jsonb;
BEGIN
  PERFORM private.text_arg('source', source, 1, 50);
  IF consent IS NULL OR source IS NULL OR pg_catalog.btrim(source) = '' THEN
    RAISE EXCEPTION '% is required', CASE WHEN consent IS NULL THEN 'consent' ELSE 'source' END
      USING ERRCODE = 'PT400', DETAIL = 'required', HINT = 'e.g. {"consent": true, "source": "staff"}';
  END IF;
  UPDATE app.customers c
     SET marketing_consent = consent, marketing_consent_at = pg_catalog.now(),
         marketing_consent_source = pg_catalog.lower(pg_catalog.btrim(source))
   WHERE c.id = set_marketing_consent.customer_id AND c.erased_at IS NULL
  RETURNING pg_catalog.jsonb_build_object('customer_id', c.id, 'marketing_consent', c.marketing_consent,
                                          'marketing_consent_at', c.marketing_consent_at,
                                          'marketing_consent_source', c.marketing_consent_source)
    INTO answer;
  IF answer IS NULL THEN
    RAISE EXCEPTION 'customer not found' USING ERRCODE = 'PT404';
  END IF;
  RETURN answer;
END
$$;

COMMENT ON FUNCTION api.set_marketing_consent(uuid, boolean, text) IS
$$Records a customer's answer to marketing: consent true or false, where it was given (source, 1 to 50 characters,
lower-cased: widget, staff, import, …) and now as its time; withdrawing keeps the time and source of the
withdrawal. Answers {customer_id, marketing_consent, marketing_consent_at, marketing_consent_source}. For staff of
the customer's organization. Errors: PT400 consent or source missing, source over 50 characters; PT404 the
customer does not exist, is another organization's or was erased.$$;

REVOKE ALL ON FUNCTION api.set_marketing_consent(uuid, boolean, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.set_marketing_consent(uuid, boolean, text) TO authenticated;


-- Tags. ------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION api.set_customer_tags(customer_id uuid, tags text[])
RETURNS text[]
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  org uuid;
  wanted text[];
  tag text;
BEGIN
  IF tags IS NOT NULL THEN
    IF pg_catalog.cardinality(tags) > 50 THEN
      RAISE EXCEPTION 'tags is a list of at most 50 tags, not %', pg_catalog.cardinality(tags)
        USING ERRCODE = 'PT400', DETAIL = 'out_of_range';
    END IF;
    FOREACH tag IN ARRAY tags LOOP
      IF tag IS NULL OR pg_catalog.length(pg_catalog.btrim(tag)) NOT BETWEEN 1 AND 50 THEN
        RAISE EXCEPTION 'tags are 1 to 50 characters each, not %',
          coalesce(pg_catalog.quote_literal(pg_catalog.left(tag, 60)), 'null')
          USING ERRCODE = 'PT400', DETAIL = 'out_of_range';
      END IF;
    END LOOP;
  END IF;
  SELECT c.org_id INTO org FROM app.customers c WHERE c.id = set_customer_tags.customer_id;
  IF org IS NULL THEN
    RAISE EXCEPTION 'customer not found' USING ERRCODE = 'PT404';
  END IF;
  wanted := ARRAY(SELECT DISTINCT pg_catalog.lower(pg_catalog.btrim(t)) FROM pg_catalog.unnest(coalesce(tags, '{}')) t
                   ORDER BY 1);
  DELETE FROM app.customer_tags t WHERE t.customer_id = set_customer_tags.customer_id AND NOT t.tag = ANY (wanted);
  INSERT INTO app.customer_tags (org_id, customer_id, tag)
  SELECT org, set_customer_tags.customer_id, w FROM pg_catalog.unnest(wanted) w
  ON CONFLICT DO NOTHING;
  RETURN wanted;
END
$$;

COMMENT ON FUNCTION api.set_customer_tags(uuid, text[]) IS
$$Replaces a customer's tags with tags (at most 50, each 1 to 50 characters; trimmed, lower-cased, duplicates
dropped; an empty list or null removes them all) and answers them sorted. For staff of the customer's
organization. Errors: PT400 too many tags or one empty or too long; PT404 the customer does not exist or is
another organization's.$$;

REVOKE ALL ON FUNCTION api.set_customer_tags(uuid, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.set_customer_tags(uuid, text[]) TO authenticated;


-- Notes. -----------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION api.add_customer_note(customer_id uuid, body text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  org uuid;
  note app.customer_notes;
BEGIN
  PERFORM private.text_arg('body', body, 1, 5000);
  IF body IS NULL OR pg_catalog.btrim(body) = '' THEN
    RAISE EXCEPTION 'body is required' USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  SELECT c.org_id INTO org FROM app.customers c WHERE c.id = add_customer_note.customer_id;
  IF org IS NULL THEN
    RAISE EXCEPTION 'customer not found' USING ERRCODE = 'PT404';
  END IF;
  INSERT INTO app.customer_notes (org_id, customer_id, body)
  VALUES (org, add_customer_note.customer_id, body)
  RETURNING * INTO note;
  RETURN pg_catalog.to_jsonb(note);
END
$$;

COMMENT ON FUNCTION api.add_customer_note(uuid, text) IS
$$Adds a note (body, 1 to 5000 characters) to a customer, authored by the caller, and answers it: {org_id, id,
customer_id, author_id, body, created_at, updated_at}. For staff of the customer's organization. Errors: PT400 body
missing or over 5000 characters; PT404 the customer does not exist or is another organization's.$$;

REVOKE ALL ON FUNCTION api.add_customer_note(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.add_customer_note(uuid, text) TO authenticated;


CREATE OR REPLACE FUNCTION private.own_note(p_note_id uuid)
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
DECLARE
  author uuid;
BEGIN
  -- Runs as the caller: a note staff cannot see does not exist for them; one they see but did not write is
  -- refused in words (RLS alone would silently change nothing).
  SELECT n.author_id INTO author FROM app.customer_notes n WHERE n.id = p_note_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'note not found' USING ERRCODE = 'PT404';
  ELSIF author IS DISTINCT FROM (SELECT auth.uid()) THEN
    RAISE EXCEPTION 'only the author of a note may change or delete it' USING ERRCODE = 'PT403',
      DETAIL = 'not_author', HINT = 'add a note of your own instead';
  END IF;
END
$$;

COMMENT ON FUNCTION private.own_note(uuid) IS
'Raises PT404 when the caller cannot see the note, PT403 (detail not_author) when they did not write it.';

REVOKE ALL ON FUNCTION private.own_note(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.own_note(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.update_customer_note(note_id uuid, body text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  note app.customer_notes;
BEGIN
  PERFORM private.text_arg('body', body, 1, 5000);
  IF body IS NULL OR pg_catalog.btrim(body) = '' THEN
    RAISE EXCEPTION 'body is required' USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  PERFORM private.own_note(note_id);
  UPDATE app.customer_notes n SET body = update_customer_note.body WHERE n.id = note_id RETURNING * INTO note;
  RETURN pg_catalog.to_jsonb(note);
END
$$;

COMMENT ON FUNCTION api.update_customer_note(uuid, text) IS
$$Replaces the body (1 to 5000 characters) of a note and answers it (updated_at moves). For its author only, while a
member of its organization. Errors: PT400 body missing or over 5000 characters; PT403 the caller is not the
note's author (detail not_author); PT404 no such note for the caller.$$;

REVOKE ALL ON FUNCTION api.update_customer_note(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.update_customer_note(uuid, text) TO authenticated;


CREATE OR REPLACE FUNCTION api.delete_customer_note(note_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
BEGIN
  PERFORM private.own_note(note_id);
  DELETE FROM app.customer_notes n WHERE n.id = note_id;
  RETURN pg_catalog.jsonb_build_object('deleted', note_id);
END
$$;

COMMENT ON FUNCTION api.delete_customer_note(uuid) IS
$$Deletes a note and answers {"deleted": note_id}. For its author only, while a member of its organization.
Errors: PT403 the caller is not the note's author (detail not_author); PT404 no such note for the caller.$$;

REVOKE ALL ON FUNCTION api.delete_customer_note(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.delete_customer_note(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.list_customer_notes(customer_id uuid)
RETURNS jsonb
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(n) ORDER BY n.created_at, n.id), '[]')
    FROM app.customer_notes n
   WHERE n.customer_id = list_customer_notes.customer_id
$$;

COMMENT ON FUNCTION api.list_customer_notes(uuid) IS
$$A customer's notes, oldest first, as a JSON array of {org_id, id, customer_id, author_id, body, created_at,
updated_at}; empty for a customer the caller cannot see. For staff of the customer's organization.$$;

REVOKE ALL ON FUNCTION api.list_customer_notes(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.list_customer_notes(uuid) TO authenticated;


CREATE OR REPLACE TRIGGER customer_notes_touch_updated_at
  BEFORE UPDATE ON app.customer_notes FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();


-- GDPR: access (export) and erasure. -------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.privacy_customer(p_org_id uuid, p_customer_id uuid)
RETURNS app.customers
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  c app.customers;
BEGIN
  IF NOT (p_org_id = ANY (private.org_ids('admin'))) THEN
    RAISE EXCEPTION 'only admins and owners of the organization may export or erase a customer'
      USING ERRCODE = 'PT403';
  END IF;
  SELECT * INTO c FROM app.customers x WHERE x.id = p_customer_id AND x.org_id = p_org_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'customer not found' USING ERRCODE = 'PT404';
  END IF;
  RETURN c;
END
$$;

COMMENT ON FUNCTION private.privacy_customer(uuid, uuid) IS
'The customer p_customer_id of p_org_id, for an admin or owner of it: PT403 for anyone else, PT404 when the
organization has no such customer.';

REVOKE ALL ON FUNCTION private.privacy_customer(uuid, uuid) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.customer_row_ids(p_customer app.customers)
RETURNS text[]
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
  -- The ids of every row about the person, as the audit log names rows (row_id) and refers to them (customer_id).
  SELECT ARRAY[p_customer.id::text]
         || ARRAY(SELECT b.id::text FROM app.bookings b WHERE b.customer_id = p_customer.id)
         || ARRAY(SELECT o.id::text FROM app.orders o WHERE o.customer_id = p_customer.id)
         || ARRAY(SELECT r.id::text FROM app.refunds r JOIN app.orders o ON o.org_id = r.org_id AND o.id = r.order_id
                   WHERE o.customer_id = p_customer.id)
         || ARRAY(SELECT n.id::text FROM app.customer_notes n WHERE n.customer_id = p_customer.id)
         || ARRAY(SELECT w.id::text FROM app.waiver_signatures w
                    JOIN app.bookings b ON b.org_id = w.org_id AND b.id = w.booking_id
                   WHERE b.org_id = p_customer.org_id AND b.customer_id = p_customer.id)
         || ARRAY(SELECT l.id::text FROM app.leads l
                   WHERE l.org_id = p_customer.org_id
                     AND pg_catalog.lower(pg_catalog.btrim(l.email)) = p_customer.email_key)
         || ARRAY(SELECT p.id::text FROM app.event_partners p
                   WHERE p.org_id = p_customer.org_id
                     AND pg_catalog.lower(pg_catalog.btrim(p.email)) = p_customer.email_key)
         || ARRAY(SELECT x.id::text FROM app.notifications_outbox x
                   WHERE x.org_id = p_customer.org_id
                     AND pg_catalog.lower(pg_catalog.btrim(x.recipient)) = p_customer.email_key)
         || ARRAY(SELECT w.id::text FROM app.waitlist_entries w
                   WHERE w.org_id = p_customer.org_id AND w.customer_id = p_customer.id)
         || ARRAY(SELECT m.id::text FROM app.message_preferences m
                   WHERE m.org_id = p_customer.org_id AND m.customer_id = p_customer.id)
$$;

COMMENT ON FUNCTION private.customer_row_ids(app.customers) IS
'The ids (as text) of the customer''s row and of every row about them: bookings, orders, notes, waiver
signatures, waitlist entries, message preferences, and leads, partners and outbox rows under their address.';

REVOKE ALL ON FUNCTION private.customer_row_ids(app.customers) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.export_customer(p_org_id uuid, p_customer_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
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
                            FROM app.payments p JOIN app.orders o ON o.org_id = p.org_id AND o.id = p.order_id
                           WHERE o.org_id = c.org_id AND o.customer_id = c.id), '[]'),
    'refunds', coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(r) ORDER BY r.created_at, r.id)
                           FROM app.refunds r JOIN app.orders o ON o.org_id = r.org_id AND o.id = r.order_id
                          WHERE o.org_id = c.org_id AND o.customer_id = c.id), '[]'),
    'loyalty', pg_catalog.jsonb_build_object(
      'balance', coalesce((SELECT a.balance FROM app.loyalty_accounts a WHERE a.customer_id = c.id), 0),
      'ledger', coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(l) ORDER BY l.created_at, l.id)
                            FROM app.loyalty_ledger l WHERE l.customer_id = c.id), '[]')),
    'waiver_signatures', coalesce((
      SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(w) ORDER BY w.signed_at, w.id)
        FROM app.waiver_signatures w JOIN app.bookings b ON b.org_id = w.org_id AND b.id = w.booking_id
       WHERE b.org_id = c.org_id AND b.customer_id = c.id), '[]'),
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
    -- The entries' token hashes are capabilities' fingerprints, not data about the person.
    'waitlist_entries', coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(w) - 'token_hash'
                                                                - 'offer_token_hash' ORDER BY w.created_at, w.id)
                                    FROM app.waitlist_entries w
                                   WHERE w.org_id = c.org_id AND w.customer_id = c.id), '[]'),
    'message_preferences', coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(m) ORDER BY m.changed_at, m.id)
                                       FROM app.message_preferences m
                                      WHERE m.org_id = c.org_id AND m.customer_id = c.id), '[]'),
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
$$;

COMMENT ON FUNCTION private.export_customer(uuid, uuid) IS
'The body of api.export_customer: checks the caller (private.privacy_customer), builds the document, records the
export in the privacy log.';

REVOKE ALL ON FUNCTION private.export_customer(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.export_customer(uuid, uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.export_customer(org_id uuid, customer_id uuid)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.export_customer(org_id, customer_id)
$$;

COMMENT ON FUNCTION api.export_customer(uuid, uuid) IS
$$Everything the organization holds about one person, as one JSON document (GDPR right of access): {format
("tessera.customer_export.v1"), exported_at, org_id, customer (the whole record), marketing_consent {consent, at,
source}, tags, notes, bookings (each with ticket_lines and tickets, each ticket with its check_in), orders (each
with its lines), payments, refunds, loyalty {balance, ledger}, waiver_signatures, leads and event_partners under
their e-mail, notifications (outbox rows to their address), waitlist_entries (without their token hashes),
message_preferences, privacy_requests, audit (the audit log rows about them)}. The export is recorded in the privacy log (app.customer_requests, kind export), itself audited. For admins
and owners of the organization. Errors: PT403 anyone else; PT404 the organization has no such customer.$$;

REVOKE ALL ON FUNCTION api.export_customer(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.export_customer(uuid, uuid) TO authenticated;


CREATE OR REPLACE FUNCTION private.erase_customer(p_org_id uuid, p_customer_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  c app.customers := private.privacy_customer(p_org_id, p_customer_id);
  ids text[];
  erased_email text := 'erased-' || p_customer_id || '@erased.invalid';
  email_hash text;
  personal text[];
  request uuid := pg_catalog.gen_random_uuid();
  n integer;
  counts jsonb := '{}'::jsonb;
BEGIN
  -- One erasure of a person at a time: the record locked and read again, so a second call waiting here sees the
  -- first one's work.
  SELECT x.* INTO c FROM app.customers x WHERE x.id = c.id FOR UPDATE;
  IF c.erased_at IS NOT NULL THEN
    -- Idempotent: a second erasure answers what the first one did.
    SELECT q.summary INTO counts FROM app.customer_requests q
     WHERE q.customer_id = c.id AND q.kind = 'erasure' ORDER BY q.at LIMIT 1;
    RETURN counts;
  END IF;
  ids := private.customer_row_ids(c);
  personal := ARRAY[c.name, c.phone];
  email_hash := pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(c.email_key, 'UTF8')), 'hex');
  PERFORM pg_catalog.set_config('tessera.erasure', 'on', true);

  UPDATE app.customers x
     SET email = erased_email, name = NULL, phone = NULL, marketing_consent = false, marketing_consent_at = NULL,
         marketing_consent_source = NULL, erased_at = pg_catalog.now()
   WHERE x.id = c.id;
  counts := counts || pg_catalog.jsonb_build_object('customers', 1);

  DELETE FROM app.customer_tags t WHERE t.customer_id = c.id;
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('customer_tags', n);
  DELETE FROM app.customer_notes t WHERE t.customer_id = c.id;
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('customer_notes', n);

  -- Bookings keep their counts and money; a widget key's scope and fingerprint carry the address.
  UPDATE app.bookings b
     SET idempotency_scope = CASE WHEN b.idempotency_scope IS NOT NULL
                                  THEN pg_catalog.replace(b.idempotency_scope, c.email_key, erased_email) END,
         request_fingerprint = NULL
   WHERE b.customer_id = c.id AND (b.idempotency_scope IS NOT NULL OR b.request_fingerprint IS NOT NULL);
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('bookings', n);

  -- Free text written about the person's bookings and refunds (why it was cancelled or refunded: it may name
  -- them, or their health) is kept only as "[erased]", in the rows and in the booking events sent to webhooks.
  UPDATE app.bookings b SET cancel_reason = '[erased]'
   WHERE b.org_id = c.org_id AND b.customer_id = c.id AND b.cancel_reason <> '[erased]';
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('booking_reasons', n);
  UPDATE app.refunds r SET reason = '[erased]'
   WHERE r.org_id = c.org_id AND r.reason <> '[erased]'
     AND r.order_id IN (SELECT o.id FROM app.orders o WHERE o.org_id = c.org_id AND o.customer_id = c.id);
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('refund_reasons', n);
  UPDATE app.webhook_deliveries d
     SET payload = pg_catalog.jsonb_set(d.payload, '{data,booking,cancel_reason}', '"[erased]"')
   WHERE d.org_id = c.org_id AND d.payload #>> '{data,booking,customer_id}' = c.id::text
     AND d.payload #>> '{data,booking,cancel_reason}' <> '[erased]';
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('webhook_deliveries', n);

  UPDATE app.waiver_signatures w
     SET participant_name = '[erased]', date_of_birth = DATE '1900-01-01', signature = '[erased]',
         guardian_name = CASE WHEN w.guardian_name IS NOT NULL THEN '[erased]' END,
         guardian_signature = CASE WHEN w.guardian_signature IS NOT NULL THEN '[erased]' END,
         client_ip = NULL, user_agent = NULL
    FROM app.bookings b
   WHERE b.org_id = c.org_id AND w.org_id = c.org_id AND b.id = w.booking_id AND b.customer_id = c.id;
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('waiver_signatures', n);

  UPDATE app.leads l
     SET contact_name = '[erased]', email = erased_email, phone = NULL, notes = NULL
   WHERE l.org_id = c.org_id AND pg_catalog.lower(pg_catalog.btrim(l.email)) = c.email_key;
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('leads', n);

  UPDATE app.event_partners p
     SET contact_name = NULL, email = erased_email, phone = NULL
   WHERE p.org_id = c.org_id AND pg_catalog.lower(pg_catalog.btrim(p.email)) = c.email_key;
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('event_partners', n);

  UPDATE app.notifications_outbox x
     SET recipient = erased_email, data = '{"erased": true}'
   WHERE x.org_id = c.org_id AND pg_catalog.lower(pg_catalog.btrim(x.recipient)) = c.email_key;
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('notifications_outbox', n);

  -- Provider events of the person's orders, and any naming the address (a payload the inbox could not match).
  UPDATE app.provider_events e
     SET payload = private.redact_jsonb(e.payload, c.email_key, erased_email, personal)
   WHERE (e.order_id IN (SELECT o.id FROM app.orders o WHERE o.customer_id = c.id)
          OR pg_catalog.strpos(pg_catalog.lower(e.payload::text), c.email_key) > 0)
     AND e.payload IS DISTINCT FROM private.redact_jsonb(e.payload, c.email_key, erased_email, personal);
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('provider_events', n);

  -- The lookup rate limit keeps the address only as its SHA-256; counters about it go.
  DELETE FROM app.ticket_lookup_failures f WHERE f.subject = 'email ' || email_hash;
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('ticket_lookup_failures', n);

  -- The privacy log's row holds the summary and no personal value; then the audit log, rows written by this
  -- erasure included, loses the person's values.
  INSERT INTO app.customer_requests (org_id, id, customer_id, kind, requested_by, summary)
  VALUES (c.org_id, request, c.id, 'erasure', auth.uid(), counts);
  n := private.audit_redact(c.org_id, request, c.email_key, erased_email, personal, ids);
  counts := counts || pg_catalog.jsonb_build_object('audit_log', n);
  -- The full count, for a second call to answer; this last write carries no personal value.
  UPDATE app.customer_requests q SET summary = counts WHERE q.id = request;
  PERFORM pg_catalog.set_config('tessera.erasure', 'off', true);
  RETURN counts;
END
$$;

COMMENT ON FUNCTION private.erase_customer(uuid, uuid) IS
'The body of api.erase_customer: checks the caller (private.privacy_customer) and anonymises the person
everywhere in one transaction, redacting the audit log last (private.audit_redact).';

REVOKE ALL ON FUNCTION private.erase_customer(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.erase_customer(uuid, uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.erase_customer(org_id uuid, customer_id uuid)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.erase_customer(org_id, customer_id)
$$;

COMMENT ON FUNCTION api.erase_customer(uuid, uuid) IS
$$Anonymises a person everywhere the organization holds them (GDPR erasure), in one transaction: the customer
record (e-mail becomes erased-<id>@erased.invalid, name and phone cleared, consent withdrawn, erased_at set), their
tags and notes (deleted), their bookings' idempotency scope and fingerprint, their waiver signatures (names, date
of birth, signatures, IP and user agent; the text's SHA-256 and times kept), leads, event partners and outbox rows
under their address, provider event payloads naming them, the ticket lookup counters of their address, and the
audit log's values about them (listed in audit.redactions, so api.verify_audit_chain still passes). Bookings,
orders, payments, refunds and loyalty keep their counts and amounts for the books. The erasure is recorded in the
privacy log (app.customer_requests, kind erasure, with the counts). Answers what was changed per table, e.g.
{"customers": 1, "bookings": 2, "audit_log": 14, …}; a second call on an erased customer changes nothing and
answers the first call's counts. For admins and owners of the organization. Errors: PT403 anyone else; PT404 the
organization has no such customer.$$;

REVOKE ALL ON FUNCTION api.erase_customer(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.erase_customer(uuid, uuid) TO authenticated;
