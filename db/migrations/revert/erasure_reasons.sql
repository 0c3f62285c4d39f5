-- Revert tessera:erasure_reasons from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.audit_redact(p_org_id uuid, p_request_id uuid, p_email text, p_erased_email text, p_values text[], p_row_ids text[])
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
 SET "TimeZone" TO 'UTC'
AS $function$
DECLARE
  -- Fields personal whatever they hold, on the person's own rows (customers, bookings, notes, tags, waiver
  -- signatures, leads, partners, outbox rows...).
  personal constant text[] := ARRAY['email', 'email_key', 'name', 'phone', 'contact_name', 'participant_name',
    'date_of_birth', 'guardian_name', 'guardian_signature', 'signature', 'client_ip', 'user_agent', 'body', 'tag',
    'notes', 'recipient', 'data', 'idempotency_scope', 'request_fingerprint', 'marketing_consent_source'];
  made integer;
BEGIN
  -- Only the erasure calls this (private.erase_customer checks its caller); a definer so that it may write the
  -- log, which no caller can.
  PERFORM pg_catalog.set_config('tessera.audit_redact', 'on', true);
  WITH about AS (
    SELECT l.*, private.audit_row_digest(l) AS digest,
           (l.row_id = ANY (p_row_ids) OR l.old_values ->> 'customer_id' = ANY (p_row_ids)
            OR l.new_values ->> 'customer_id' = ANY (p_row_ids)) AS own
      FROM audit.log l
     -- The organization's rows, and the platform organization's (the nil uuid): the inbox's may name the person.
     WHERE l.org_id IN (p_org_id, '00000000-0000-0000-0000-000000000000'::uuid)
       AND (l.row_id = ANY (p_row_ids) OR l.old_values ->> 'customer_id' = ANY (p_row_ids)
            OR l.new_values ->> 'customer_id' = ANY (p_row_ids)
            OR pg_catalog.strpos(pg_catalog.lower(pg_catalog.concat_ws(' ', l.old_values::text, l.new_values::text,
                                                                       l.user_agent)), pg_catalog.lower(p_email)) > 0)
  ), redacted AS (
    SELECT a.org_id, a.id, a.digest,
           private.redact_jsonb(a.old_values, p_email, p_erased_email, p_values,
                                CASE WHEN a.own THEN personal ELSE '{}' END) AS old_values,
           private.redact_jsonb(a.new_values, p_email, p_erased_email, p_values,
                                CASE WHEN a.own THEN personal ELSE '{}' END) AS new_values,
           -- The address a request came from is the person's own when nobody signed in (the widget).
           CASE WHEN a.own AND a.actor IS NULL THEN NULL ELSE a.client_ip END AS client_ip,
           CASE WHEN a.own AND a.actor IS NULL THEN NULL
                ELSE (private.redact_jsonb(pg_catalog.to_jsonb(a.user_agent), p_email, p_erased_email, p_values)
                      #>> '{}') END AS user_agent
      FROM about a
  ), changed AS (
    UPDATE audit.log l
       SET old_values = r.old_values, new_values = r.new_values, client_ip = r.client_ip, user_agent = r.user_agent
      FROM redacted r
     WHERE l.org_id = r.org_id AND l.id = r.id
       AND (l.old_values, l.new_values, l.client_ip, l.user_agent)
           IS DISTINCT FROM (r.old_values, r.new_values, r.client_ip, r.user_agent)
    RETURNING l.*, r.digest AS was
  )
  INSERT INTO audit.redactions (org_id, log_id, request_id, sealed_digest, redacted_digest)
  SELECT c.org_id, c.id, p_request_id,
         -- A row redacted before keeps the digest its seal holds.
         coalesce((SELECT x.sealed_digest FROM audit.redactions x WHERE x.org_id = c.org_id AND x.log_id = c.id
                    ORDER BY x.id DESC LIMIT 1),
                  c.was),
         private.audit_row_digest(ROW(c.id, c.at, c.org_id, c.actor, c.actor_role, c.table_name, c.operation,
                                      c.row_id, c.old_values, c.new_values, c.client_ip, c.user_agent,
                                      c.txid)::audit.log)
    FROM changed c;
  GET DIAGNOSTICS made = ROW_COUNT;
  PERFORM pg_catalog.set_config('tessera.audit_redact', 'off', true);
  RETURN made;
END
$function$
;

CREATE OR REPLACE FUNCTION private.bookings_guard()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.status NOT IN ('pending', 'confirmed') THEN
      RAISE EXCEPTION 'a new booking is pending or confirmed, not %', NEW.status USING ERRCODE = 'PT400';
    END IF;
    RETURN NEW;
  END IF;
  IF (NEW.id, NEW.org_id, NEW.experience_id, NEW.customer_id, NEW.confirmation_code, NEW.created_at)
     IS DISTINCT FROM (OLD.id, OLD.org_id, OLD.experience_id, OLD.customer_id, OLD.confirmation_code, OLD.created_at)
  THEN
    RAISE EXCEPTION 'booking % keeps its organization, experience, customer and code', OLD.confirmation_code
      USING ERRCODE = 'PT400';
  END IF;
  -- A reason is given with the move it explains, so no later write (whichever path) replaces or erases it.
  IF NEW.cancel_reason IS DISTINCT FROM OLD.cancel_reason AND NEW.status IS NOT DISTINCT FROM OLD.status THEN
    RAISE EXCEPTION 'booking % keeps the reason it was given when it became %', OLD.confirmation_code, OLD.status
      USING ERRCODE = 'PT409', DETAIL = 'illegal_transition';
  END IF;
  IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
       (OLD.status = 'pending' AND NEW.status IN ('confirmed', 'cancelled', 'rejected', 'expired'))
    OR (OLD.status = 'confirmed' AND NEW.status IN ('completed', 'cancelled', 'no_show'))
    -- A payment that landed after the hold ran out re-takes the places (bookings_sync, under the counters' CHECKs).
    OR (OLD.status = 'expired' AND NEW.status = 'confirmed' AND private.booking_paid(NEW.id))) THEN
    RAISE EXCEPTION 'booking % cannot go from % to %', OLD.confirmation_code, OLD.status, NEW.status
      USING ERRCODE = 'PT409', DETAIL = 'illegal_transition',
            HINT = 'pending -> confirmed | cancelled | rejected | expired; '
                   'confirmed -> completed | cancelled | no_show; expired -> confirmed once its order is paid';
  END IF;
  IF NEW.status <> 'pending' THEN
    NEW.hold_expires_at := NULL;
  END IF;
  IF NEW.status = 'cancelled' AND OLD.status <> 'cancelled' THEN
    NEW.refund_due_minor := private.refund_due(OLD, pg_catalog.now());
  END IF;
  RETURN NEW;
END
$function$
;

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
         || ARRAY(SELECT w.id::text FROM app.waitlist_entries w
                   WHERE w.org_id = p_customer.org_id AND w.customer_id = p_customer.id)
         || ARRAY(SELECT m.id::text FROM app.message_preferences m
                   WHERE m.org_id = p_customer.org_id AND m.customer_id = p_customer.id)
$function$
;

CREATE OR REPLACE FUNCTION private.erase_customer(p_org_id uuid, p_customer_id uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
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

  UPDATE app.waiver_signatures w
     SET participant_name = '[erased]', date_of_birth = DATE '1900-01-01', signature = '[erased]',
         guardian_name = CASE WHEN w.guardian_name IS NOT NULL THEN '[erased]' END,
         guardian_signature = CASE WHEN w.guardian_signature IS NOT NULL THEN '[erased]' END,
         client_ip = NULL, user_agent = NULL
    FROM app.bookings b
   WHERE b.id = w.booking_id AND b.customer_id = c.id;
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
$function$
;

CREATE OR REPLACE FUNCTION private.refunds_guard()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'a refund is never deleted' USING ERRCODE = 'PT409', DETAIL = 'illegal_transition';
  END IF;
  IF (NEW.id, NEW.org_id, NEW.order_id, NEW.payment_id, NEW.amount_minor, NEW.currency, NEW.reason, NEW.kind,
      NEW.provider, NEW.requested_by, NEW.created_at)
     IS DISTINCT FROM
     (OLD.id, OLD.org_id, OLD.order_id, OLD.payment_id, OLD.amount_minor, OLD.currency, OLD.reason, OLD.kind,
      OLD.provider, OLD.requested_by, OLD.created_at) THEN
    RAISE EXCEPTION 'a refund keeps its order, payment, amount, kind and reason' USING ERRCODE = 'PT409',
      DETAIL = 'illegal_transition';
  END IF;
  IF OLD.provider_refund_id IS NOT NULL AND NEW.provider_refund_id IS DISTINCT FROM OLD.provider_refund_id THEN
    RAISE EXCEPTION 'a refund keeps the provider''s refund id it was given' USING ERRCODE = 'PT409',
      DETAIL = 'illegal_transition';
  END IF;
  -- Forward only. A refund recorded failed that the provider later reports succeeded becomes succeeded: the money
  -- left, and the provider's word on that is the fact.
  IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
       (OLD.status = 'requested' AND NEW.status IN ('submitted', 'succeeded', 'failed'))
    OR (OLD.status = 'submitted' AND NEW.status IN ('succeeded', 'failed'))
    OR (OLD.status = 'failed' AND NEW.status = 'succeeded')) THEN
    RAISE EXCEPTION 'a refund cannot go from % to %', OLD.status, NEW.status USING ERRCODE = 'PT409',
      DETAIL = 'illegal_transition', HINT = 'requested -> submitted -> succeeded | failed';
  END IF;
  RETURN NEW;
END
$function$
;
REVOKE ALL ON FUNCTION private.audit_redact(uuid,uuid,text,text,text[],text[]) FROM PUBLIC;
COMMENT ON FUNCTION private.audit_redact(uuid,uuid,text,text,text[],text[]) IS 'Redacts a person from an organization''s audit log (and the platform organization''s rows naming them, the
provider inbox''s) for the erasure p_request_id: in every row, p_email (any case) becomes p_erased_email; in
the rows about the person (row_id or customer_id among p_row_ids, or holding the address) strings equal to
p_values become "[erased]", personal fields are blanked and, for widget requests, the client''s address and user
agent removed. Each row changed is listed in audit.redactions with the digest its seal
holds and its new digest, so api.verify_audit_chain still passes. Returns the rows redacted. Internal.';
REVOKE ALL ON FUNCTION private.bookings_guard() FROM PUBLIC;
COMMENT ON FUNCTION private.bookings_guard() IS 'Trigger: new bookings start pending or confirmed; status moves only along the allowed transitions (else PT409),
expired -> confirmed only once its order is paid (a late payment re-taking its places);
organization, experience, customer and code never change; a reason changes only with the status it explains
(else PT409); a cancellation records the refund due.';
REVOKE ALL ON FUNCTION private.customer_row_ids(app.customers) FROM PUBLIC;
COMMENT ON FUNCTION private.customer_row_ids(app.customers) IS 'The ids (as text) of the customer''s row and of every row about them: bookings, orders, notes, waiver
signatures, waitlist entries, message preferences, and leads, partners and outbox rows under their address.';
REVOKE ALL ON FUNCTION private.erase_customer(uuid,uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.erase_customer(uuid,uuid) TO authenticated;
COMMENT ON FUNCTION private.erase_customer(uuid,uuid) IS 'The body of api.erase_customer: checks the caller (private.privacy_customer) and anonymises the person
everywhere in one transaction, redacting the audit log last (private.audit_redact).';
REVOKE ALL ON FUNCTION private.refunds_guard() FROM PUBLIC;
COMMENT ON FUNCTION private.refunds_guard() IS 'Trigger: a refund''s order, payment, amount, currency, kind, reason, provider and author never change; its status
moves forward only (requested -> submitted -> succeeded | failed; requested may settle directly; failed ->
succeeded when the provider reports the money left after all); the provider''s refund id is set once; refunds are
never deleted. Else PT409 illegal_transition.';

COMMIT;
