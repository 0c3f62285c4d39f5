-- Deploy tessera:crm_rules to pg
-- requires: crm
-- requires: audit_redactions
-- requires: waivers_audit
--
-- The CRM's functions and policies: marketing consent, customer tags and author-only notes, GDPR export and erasure (anonymised everywhere, money kept, audit log redacted with the chain still verifying), leads with a forward-only pipeline and conversion to one booking, event partners for managers; seals chain per-row digests

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION api.add_customer_note(customer_id uuid, body text)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
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
$function$
;

CREATE OR REPLACE FUNCTION api.convert_lead(lead_id uuid, experience_id uuid, starts_at timestamp with time zone, party_size integer DEFAULT NULL::integer, tickets jsonb DEFAULT NULL::jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  lead app.leads;
  booking app.bookings;
BEGIN
  PERFORM private.time_arg('starts_at', starts_at), private.party_size_arg(party_size),
          private.tickets_arg('tickets', tickets);
  -- Locked: of two conversions at once, the second waits and finds the booking made.
  SELECT l.* INTO lead FROM app.leads l WHERE l.id = lead_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'lead not found' USING ERRCODE = 'PT404';
  ELSIF lead.booking_id IS NOT NULL THEN
    RAISE EXCEPTION 'this lead was already turned into a booking' USING ERRCODE = 'PT409',
      DETAIL = 'already_converted', HINT = lead.booking_id::text;
  ELSIF lead.status <> 'won' THEN
    RAISE EXCEPTION 'only a won lead becomes a booking; this one is %', lead.status USING ERRCODE = 'PT409',
      DETAIL = 'not_won', HINT = 'move it to won with move_lead first';
  ELSIF lead.email IS NULL THEN
    RAISE EXCEPTION 'the lead has no e-mail for the booking' USING ERRCODE = 'PT409', DETAIL = 'email_required',
      HINT = 'set it with update_lead';
  END IF;
  -- The staff path of create_booking: the caller must be staff of the experience's organization.
  booking := private.place_booking(experience_id, starts_at, coalesce(party_size, lead.party_size), lead.email,
                                   lead.contact_name, lead.phone, tickets, 'lead ' || lead.id, NULL);
  IF booking.org_id <> lead.org_id THEN
    RAISE EXCEPTION 'experience not found' USING ERRCODE = 'PT404';
  END IF;
  UPDATE app.leads l SET booking_id = booking.id WHERE l.id = lead.id RETURNING * INTO lead;
  RETURN pg_catalog.jsonb_build_object('lead', pg_catalog.to_jsonb(lead),
                                       'booking', pg_catalog.to_jsonb(private.booking_answer(booking)));
END
$function$
;

CREATE OR REPLACE FUNCTION api.create_lead(org_id uuid, contact_name text, email text DEFAULT NULL::text, phone text DEFAULT NULL::text, company text DEFAULT NULL::text, party_size integer DEFAULT NULL::integer, wanted_date date DEFAULT NULL::date, venue_id uuid DEFAULT NULL::uuid, experience_id uuid DEFAULT NULL::uuid, value_minor bigint DEFAULT NULL::bigint, currency text DEFAULT NULL::text, owner_id uuid DEFAULT NULL::uuid, next_step text DEFAULT NULL::text, next_step_at timestamp with time zone DEFAULT NULL::timestamp with time zone, notes text DEFAULT NULL::text)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  lead app.leads;
  state text;
  sch text;
  tbl text;
  con text;
  col text;
BEGIN
  PERFORM private.text_arg('contact_name', contact_name, 1, 200), private.email_arg('email', email),
          private.text_arg('phone', phone, 0, 50), private.text_arg('company', company, 0, 200),
          private.party_size_arg(party_size), private.time_arg('wanted_date', wanted_date),
          private.amount_arg('value_minor', value_minor, 0, 999999999),
          private.currency_arg('currency', currency), private.text_arg('next_step', next_step, 0, 500),
          private.time_arg('next_step_at', next_step_at), private.text_arg('notes', notes, 0, 5000);
  IF contact_name IS NULL OR pg_catalog.btrim(contact_name) = '' THEN
    RAISE EXCEPTION 'contact_name is required' USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  IF org_id IS NULL OR NOT org_id = ANY (private.org_ids('staff')) THEN
    RAISE EXCEPTION 'only staff of the organization may add leads' USING ERRCODE = 'PT403';
  END IF;
  BEGIN
    INSERT INTO app.leads (org_id, venue_id, experience_id, contact_name, company, email, phone, party_size,
                           wanted_date, value_minor, currency, owner_id, next_step, next_step_at, notes)
    VALUES (create_lead.org_id, create_lead.venue_id, create_lead.experience_id, pg_catalog.btrim(contact_name),
            company, pg_catalog.btrim(email), phone, party_size, wanted_date, value_minor,
            private.currency_arg('currency', currency), create_lead.owner_id, next_step, next_step_at, notes)
    RETURNING * INTO lead;
  EXCEPTION WHEN integrity_constraint_violation THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, sch = SCHEMA_NAME, tbl = TABLE_NAME, con = CONSTRAINT_NAME,
                            col = COLUMN_NAME;
    PERFORM private.constraint_error(state, sch, tbl, con, col);
  END;
  RETURN pg_catalog.to_jsonb(lead);
END
$function$
;

CREATE OR REPLACE FUNCTION api.create_partner(org_id uuid, kind text, name text, agreed_minor bigint, currency text, experience_id uuid DEFAULT NULL::uuid, slot_id uuid DEFAULT NULL::uuid, contact_name text DEFAULT NULL::text, email text DEFAULT NULL::text, phone text DEFAULT NULL::text, status text DEFAULT 'proposed'::text, notes text DEFAULT NULL::text)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  partner app.event_partners;
  state text;
  sch text;
  tbl text;
  con text;
  col text;
BEGIN
  PERFORM private.text_arg('kind', kind, 1, 20), private.text_arg('name', name, 1, 200),
          private.amount_arg('agreed_minor', agreed_minor, 0, 999999999), private.currency_arg('currency', currency),
          private.text_arg('contact_name', contact_name, 0, 200), private.email_arg('email', email),
          private.text_arg('phone', phone, 0, 50), private.text_arg('status', status, 1, 20),
          private.text_arg('notes', notes, 0, 5000);
  IF kind IS NULL OR name IS NULL OR agreed_minor IS NULL OR currency IS NULL THEN
    RAISE EXCEPTION '% is required', CASE WHEN kind IS NULL THEN 'kind' WHEN name IS NULL THEN 'name'
                                          WHEN agreed_minor IS NULL THEN 'agreed_minor' ELSE 'currency' END
      USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  IF kind NOT IN ('vendor', 'sponsor') THEN
    RAISE EXCEPTION 'kind must be one of vendor, sponsor, not %', pg_catalog.quote_literal(kind)
      USING ERRCODE = 'PT400', DETAIL = 'invalid', HINT = 'vendor, sponsor';
  END IF;
  IF coalesce(status, 'proposed') NOT IN ('proposed', 'confirmed', 'invoiced', 'paid', 'cancelled') THEN
    RAISE EXCEPTION 'status must be one of proposed, confirmed, invoiced, paid, cancelled, not %',
      pg_catalog.quote_literal(status) USING ERRCODE = 'PT400', DETAIL = 'invalid',
      HINT = 'proposed, confirmed, invoiced, paid, cancelled';
  END IF;
  PERFORM private.partners_manager(org_id);
  BEGIN
    INSERT INTO app.event_partners (org_id, kind, name, contact_name, email, phone, experience_id, slot_id,
                                    agreed_minor, currency, status, notes)
    VALUES (create_partner.org_id, kind, pg_catalog.btrim(name), contact_name, pg_catalog.btrim(email), phone,
            create_partner.experience_id, create_partner.slot_id, agreed_minor,
            private.currency_arg('currency', currency), coalesce(status, 'proposed'), notes)
    RETURNING * INTO partner;
  EXCEPTION WHEN integrity_constraint_violation THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, sch = SCHEMA_NAME, tbl = TABLE_NAME, con = CONSTRAINT_NAME,
                            col = COLUMN_NAME;
    PERFORM private.constraint_error(state, sch, tbl, con, col);
  END;
  RETURN pg_catalog.to_jsonb(partner);
END
$function$
;

CREATE OR REPLACE FUNCTION api.delete_customer_note(note_id uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
BEGIN
  PERFORM private.own_note(note_id);
  DELETE FROM app.customer_notes n WHERE n.id = note_id;
  RETURN pg_catalog.jsonb_build_object('deleted', note_id);
END
$function$
;

CREATE OR REPLACE FUNCTION api.delete_partner(partner_id uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
BEGIN
  DELETE FROM app.event_partners p WHERE p.id = partner_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'partner not found' USING ERRCODE = 'PT404';
  END IF;
  RETURN pg_catalog.jsonb_build_object('deleted', partner_id);
END
$function$
;

CREATE OR REPLACE FUNCTION api.erase_customer(org_id uuid, customer_id uuid)
 RETURNS jsonb
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  SELECT private.erase_customer(org_id, customer_id)
$function$
;

CREATE OR REPLACE FUNCTION api.export_customer(org_id uuid, customer_id uuid)
 RETURNS jsonb
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  SELECT private.export_customer(org_id, customer_id)
$function$
;

CREATE OR REPLACE FUNCTION api.list_customer_notes(customer_id uuid)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(n) ORDER BY n.created_at, n.id), '[]')
    FROM app.customer_notes n
   WHERE n.customer_id = list_customer_notes.customer_id
$function$
;

CREATE OR REPLACE FUNCTION api.list_leads(org_id uuid, status text DEFAULT NULL::text)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE
 SET search_path TO ''
AS $function$
BEGIN
  PERFORM private.enum_arg('status', ARRAY[status], 'app.lead_status') WHERE status IS NOT NULL;
  RETURN coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(l) ORDER BY l.created_at, l.id)
                     FROM app.leads l
                    WHERE l.org_id = list_leads.org_id
                      AND (list_leads.status IS NULL OR l.status = list_leads.status::app.lead_status)), '[]');
END
$function$
;

CREATE OR REPLACE FUNCTION api.list_partners(org_id uuid, experience_id uuid DEFAULT NULL::uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE
 SET search_path TO ''
AS $function$
BEGIN
  PERFORM private.partners_manager(org_id);
  RETURN coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(p) ORDER BY p.created_at, p.id)
                     FROM app.event_partners p
                    WHERE p.org_id = list_partners.org_id
                      AND (list_partners.experience_id IS NULL OR p.experience_id = list_partners.experience_id)),
                  '[]');
END
$function$
;

CREATE OR REPLACE FUNCTION api.move_lead(lead_id uuid, status text, reason text DEFAULT NULL::text)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  lead app.leads;
BEGIN
  PERFORM private.enum_arg('status', ARRAY[status], 'app.lead_status'),
          private.text_arg('reason', reason, 0, 1000);
  IF reason IS NOT NULL AND status IS DISTINCT FROM 'lost' THEN
    RAISE EXCEPTION 'reason is given only when a lead is lost' USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
  SELECT l.* INTO lead FROM app.leads l WHERE l.id = lead_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'lead not found' USING ERRCODE = 'PT404';
  ELSIF lead.status = status::app.lead_status THEN
    -- A move to where it is would answer 200 and write nothing, or overwrite a lost reason: refused as elsewhere.
    RAISE EXCEPTION 'the lead is % already', lead.status USING ERRCODE = 'PT409', DETAIL = 'illegal_transition';
  END IF;
  UPDATE app.leads l
     SET status = move_lead.status::app.lead_status, lost_reason = move_lead.reason
   WHERE l.id = lead_id
  RETURNING * INTO lead;
  RETURN pg_catalog.to_jsonb(lead);
END
$function$
;

CREATE OR REPLACE FUNCTION api.set_customer_tags(customer_id uuid, tags text[])
 RETURNS text[]
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
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
$function$
;

CREATE OR REPLACE FUNCTION api.set_marketing_consent(customer_id uuid, consent boolean, source text)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
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
$function$
;

CREATE OR REPLACE FUNCTION api.update_customer_note(note_id uuid, body text)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
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
$function$
;

CREATE OR REPLACE FUNCTION api.update_lead(lead_id uuid, changes jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  allowed constant text[] := ARRAY['contact_name', 'company', 'email', 'phone', 'party_size', 'wanted_date',
                                   'venue_id', 'experience_id', 'value_minor', 'currency', 'owner_id', 'next_step',
                                   'next_step_at', 'notes'];
  answer jsonb;
BEGIN
  PERFORM private.changes_arg('changes', changes, allowed);
  IF changes ? 'email' THEN
    PERFORM private.email_arg('email', changes ->> 'email');
  END IF;
  IF changes ? 'currency' THEN
    changes := changes || pg_catalog.jsonb_build_object('currency',
                                                        private.currency_arg('currency', changes ->> 'currency'));
  END IF;
  answer := private.apply_changes('app.leads', lead_id, changes);
  IF answer IS NULL THEN
    RAISE EXCEPTION 'lead not found' USING ERRCODE = 'PT404';
  END IF;
  RETURN answer;
END
$function$
;

CREATE OR REPLACE FUNCTION api.update_partner(partner_id uuid, changes jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  allowed constant text[] := ARRAY['kind', 'name', 'contact_name', 'email', 'phone', 'experience_id', 'slot_id',
                                   'agreed_minor', 'currency', 'status', 'notes'];
  answer jsonb;
BEGIN
  PERFORM private.changes_arg('changes', changes, allowed);
  IF changes ? 'email' THEN
    PERFORM private.email_arg('email', changes ->> 'email');
  END IF;
  IF changes ? 'currency' THEN
    changes := changes || pg_catalog.jsonb_build_object('currency',
                                                        private.currency_arg('currency', changes ->> 'currency'));
  END IF;
  answer := private.apply_changes('app.event_partners', partner_id, changes);
  IF answer IS NULL THEN
    RAISE EXCEPTION 'partner not found' USING ERRCODE = 'PT404';
  END IF;
  RETURN answer;
END
$function$
;

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
     WHERE (l.org_id = p_org_id OR l.org_id IS NULL)  -- rows of no organization: the inbox before it matched
       AND (l.row_id = ANY (p_row_ids) OR l.old_values ->> 'customer_id' = ANY (p_row_ids)
            OR l.new_values ->> 'customer_id' = ANY (p_row_ids)
            OR pg_catalog.strpos(pg_catalog.lower(pg_catalog.concat_ws(' ', l.old_values::text, l.new_values::text,
                                                                       l.user_agent)), pg_catalog.lower(p_email)) > 0)
  ), redacted AS (
    SELECT a.id, a.digest,
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
     WHERE l.id = r.id
       AND (l.old_values, l.new_values, l.client_ip, l.user_agent)
           IS DISTINCT FROM (r.old_values, r.new_values, r.client_ip, r.user_agent)
    RETURNING l.*, r.digest AS was
  )
  INSERT INTO audit.redactions (org_id, log_id, request_id, sealed_digest, redacted_digest)
  SELECT c.org_id, c.id, p_request_id,
         -- A row redacted before keeps the digest its seal holds.
         coalesce((SELECT x.sealed_digest FROM audit.redactions x WHERE x.log_id = c.id ORDER BY x.id DESC LIMIT 1),
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

CREATE OR REPLACE FUNCTION private.audit_row_digest(p_row audit.log)
 RETURNS text
 LANGUAGE sql
 STABLE
 SET search_path TO ''
 SET "TimeZone" TO 'UTC'
AS $function$
  SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(pg_catalog.to_jsonb(p_row)::text, 'UTF8')), 'hex')
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
  counts jsonb := '{}';
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

CREATE OR REPLACE FUNCTION private.leads_guard()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
BEGIN
  IF (NEW.id, NEW.org_id, NEW.created_at, NEW.created_by)
     IS DISTINCT FROM (OLD.id, OLD.org_id, OLD.created_at, OLD.created_by) THEN
    RAISE EXCEPTION 'a lead keeps its organization and its creation' USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
  IF OLD.booking_id IS NOT NULL AND NEW.booking_id IS DISTINCT FROM OLD.booking_id THEN
    RAISE EXCEPTION 'this lead was already turned into a booking' USING ERRCODE = 'PT409',
      DETAIL = 'already_converted';
  END IF;
  IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
       (OLD.status IN ('new', 'contacted', 'proposal') AND NEW.status = 'lost')
    OR (OLD.status <> 'lost' AND NEW.status <> 'lost' AND NEW.status > OLD.status)) THEN
    RAISE EXCEPTION 'a lead cannot go from % to %', OLD.status, NEW.status USING ERRCODE = 'PT409',
      DETAIL = 'illegal_transition',
      HINT = 'new -> contacted -> proposal -> won, forward only (steps may be skipped); lost from any open state';
  END IF;
  RETURN NEW;
END
$function$
;

CREATE OR REPLACE FUNCTION private.own_note(p_note_id uuid)
 RETURNS void
 LANGUAGE plpgsql
 STABLE
 SET search_path TO ''
AS $function$
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
$function$
;

CREATE OR REPLACE FUNCTION private.partners_manager(p_org_id uuid)
 RETURNS void
 LANGUAGE plpgsql
 STABLE
 SET search_path TO ''
AS $function$
BEGIN
  IF p_org_id IS NULL OR NOT p_org_id = ANY (private.org_ids('manager')) THEN
    RAISE EXCEPTION 'only managers, admins and owners of the organization see and keep event partners'
      USING ERRCODE = 'PT403';
  END IF;
END
$function$
;

CREATE OR REPLACE FUNCTION private.privacy_customer(p_org_id uuid, p_customer_id uuid)
 RETURNS app.customers
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
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
$function$
;

CREATE OR REPLACE FUNCTION private.redact_jsonb(p_value jsonb, p_email text, p_erased_email text, p_values text[], p_keys text[] DEFAULT '{}'::text[])
 RETURNS jsonb
 LANGUAGE plpgsql
 IMMUTABLE
 SET search_path TO ''
AS $function$
DECLARE
  t text;
  v text;
  needle text;
BEGIN
  IF p_value IS NULL THEN
    RETURN NULL;
  END IF;
  t := p_value::text;
  -- The address anywhere, whatever its case, as JSON writes it; then every string that is exactly one of the
  -- person's other values (name, phone).
  IF p_email IS NOT NULL THEN
    needle := pg_catalog.btrim(pg_catalog.to_json(p_email)::text, '"');
    t := pg_catalog.regexp_replace(t, pg_catalog.regexp_replace(needle, '([\\.^$|?*+()\[\]{}-])', '\\\1', 'g'),
                                   p_erased_email, 'gi');
  END IF;
  FOREACH v IN ARRAY coalesce(p_values, '{}') LOOP
    CONTINUE WHEN v IS NULL OR pg_catalog.btrim(v) = '';
    t := pg_catalog.replace(t, pg_catalog.to_json(v)::text, '"[erased]"');
  END LOOP;
  -- Then, at the top level, the fields that are personal whatever they hold (on the person's own rows).
  IF pg_catalog.jsonb_typeof(t::jsonb) = 'object' AND pg_catalog.cardinality(p_keys) > 0 THEN
    SELECT pg_catalog.jsonb_object_agg(e.key, CASE WHEN e.key = ANY (p_keys) AND e.value <> 'null'::jsonb
                                                   THEN '"[erased]"'::jsonb ELSE e.value END)
      INTO t FROM pg_catalog.jsonb_each(t::jsonb) e;
  END IF;
  RETURN t::jsonb;
END
$function$
;

CREATE OR REPLACE FUNCTION private.audit_append_only()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
BEGIN
  -- The two exceptions: retention, inside private.purge_audit_log, and an erasure's redaction, inside
  -- private.audit_redact, each raising its flag for its own statement (which lists what it did).
  IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'log'
     AND pg_catalog.current_setting('tessera.audit_purge', true) = 'on' THEN
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'log'
     AND pg_catalog.current_setting('tessera.audit_redact', true) = 'on' THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'the audit log is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'PT403', HINT = 'old rows are removed only by api.purge_audit_log (service_role)';
END
$function$
;

CREATE OR REPLACE FUNCTION private.audit_chain_hash(p_previous text, p_org_id uuid, p_after bigint, p_last bigint)
 RETURNS text
 LANGUAGE sql
 STABLE
 SET search_path TO ''
 SET "TimeZone" TO 'UTC'
AS $function$
  -- The previous hash, then each row's digest in id order. A redacted row (audit.redactions, its latest entry)
  -- counts with the digest it had when it was sealed, but only while it still reads exactly as redacted: any other
  -- change to it, or to a row never redacted, changes the hash.
  SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(
           p_previous || coalesce(pg_catalog.string_agg(
             CASE WHEN r.redacted_digest = d.digest THEN r.sealed_digest ELSE d.digest END, E'\n' ORDER BY l.id), ''),
           'UTF8')), 'hex')
    FROM audit.log l
   CROSS JOIN LATERAL (SELECT private.audit_row_digest(l) AS digest) d
    LEFT JOIN (SELECT DISTINCT ON (x.log_id) x.log_id, x.sealed_digest, x.redacted_digest
                 FROM audit.redactions x
                WHERE x.org_id IS NOT DISTINCT FROM p_org_id AND x.log_id > p_after AND x.log_id <= p_last
                ORDER BY x.log_id, x.id DESC) r ON r.log_id = l.id
   WHERE l.org_id IS NOT DISTINCT FROM p_org_id AND l.id > p_after AND l.id <= p_last
$function$
;

CREATE OR REPLACE FUNCTION private.provider_events_guard()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
BEGIN
  -- An erasure (private.erase_customer, which raises its flag) may rewrite the payload: the person's address and
  -- name leave it, the rest stays.
  IF TG_OP = 'DELETE' OR (NEW.provider, NEW.event_id, NEW.type, NEW.received_at)
                         IS DISTINCT FROM (OLD.provider, OLD.event_id, OLD.type, OLD.received_at)
     OR (NEW.payload IS DISTINCT FROM OLD.payload
         AND pg_catalog.current_setting('tessera.erasure', true) IS DISTINCT FROM 'on') THEN
    RAISE EXCEPTION 'an inbox event is kept as it was received' USING ERRCODE = 'PT409',
      DETAIL = 'illegal_transition';
  END IF;
  RETURN NEW;
END
$function$
;

create policy "customer_notes_delete"
on "app"."customer_notes"
as permissive
for delete
to authenticated
using (((org_id = ANY (( SELECT private.org_ids('staff'::app.member_role) AS org_ids)::uuid[])) AND (author_id = ( SELECT auth.uid() AS uid))));

create policy "customer_notes_insert"
on "app"."customer_notes"
as permissive
for insert
to authenticated
with check (((org_id = ANY (( SELECT private.org_ids('staff'::app.member_role) AS org_ids)::uuid[])) AND (author_id = ( SELECT auth.uid() AS uid))));

create policy "customer_notes_select"
on "app"."customer_notes"
as permissive
for select
to authenticated
using ((org_id = ANY (( SELECT private.org_ids('staff'::app.member_role) AS org_ids)::uuid[])));

create policy "customer_notes_update"
on "app"."customer_notes"
as permissive
for update
to authenticated
using (((org_id = ANY (( SELECT private.org_ids('staff'::app.member_role) AS org_ids)::uuid[])) AND (author_id = ( SELECT auth.uid() AS uid))))
with check (((org_id = ANY (( SELECT private.org_ids('staff'::app.member_role) AS org_ids)::uuid[])) AND (author_id = ( SELECT auth.uid() AS uid))));

create policy "customer_tags_delete"
on "app"."customer_tags"
as permissive
for delete
to authenticated
using ((org_id = ANY (( SELECT private.org_ids('staff'::app.member_role) AS org_ids)::uuid[])));

create policy "customer_tags_insert"
on "app"."customer_tags"
as permissive
for insert
to authenticated
with check ((org_id = ANY (( SELECT private.org_ids('staff'::app.member_role) AS org_ids)::uuid[])));

create policy "customer_tags_select"
on "app"."customer_tags"
as permissive
for select
to authenticated
using ((org_id = ANY (( SELECT private.org_ids('staff'::app.member_role) AS org_ids)::uuid[])));

create policy "event_partners_delete"
on "app"."event_partners"
as permissive
for delete
to authenticated
using ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])));

create policy "event_partners_insert"
on "app"."event_partners"
as permissive
for insert
to authenticated
with check ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])));

create policy "event_partners_select"
on "app"."event_partners"
as permissive
for select
to authenticated
using ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])));

create policy "event_partners_update"
on "app"."event_partners"
as permissive
for update
to authenticated
using ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])))
with check ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])));

create policy "leads_insert"
on "app"."leads"
as permissive
for insert
to authenticated
with check ((org_id = ANY (( SELECT private.org_ids('staff'::app.member_role) AS org_ids)::uuid[])));

create policy "leads_select"
on "app"."leads"
as permissive
for select
to authenticated
using ((org_id = ANY (( SELECT private.org_ids('staff'::app.member_role) AS org_ids)::uuid[])));

create policy "leads_update"
on "app"."leads"
as permissive
for update
to authenticated
using ((org_id = ANY (( SELECT private.org_ids('staff'::app.member_role) AS org_ids)::uuid[])))
with check ((org_id = ANY (( SELECT private.org_ids('staff'::app.member_role) AS org_ids)::uuid[])));

create policy "redactions_select"
on "audit"."redactions"
as permissive
for select
to authenticated
using ((org_id = ANY (( SELECT private.org_ids('admin'::app.member_role) AS org_ids)::uuid[])));

CREATE TRIGGER audit_log AFTER INSERT OR DELETE OR UPDATE ON app.customer_notes FOR EACH ROW EXECUTE FUNCTION private.audit_record();

CREATE TRIGGER customer_notes_touch_updated_at BEFORE UPDATE ON app.customer_notes FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

CREATE TRIGGER audit_log AFTER INSERT OR DELETE OR UPDATE ON app.customer_requests FOR EACH ROW EXECUTE FUNCTION private.audit_record();

CREATE TRIGGER audit_log AFTER INSERT OR DELETE OR UPDATE ON app.customer_tags FOR EACH ROW EXECUTE FUNCTION private.audit_record();

CREATE TRIGGER audit_log AFTER INSERT OR DELETE OR UPDATE ON app.event_partners FOR EACH ROW EXECUTE FUNCTION private.audit_record();

CREATE TRIGGER event_partners_touch_updated_at BEFORE UPDATE ON app.event_partners FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

CREATE TRIGGER audit_log AFTER INSERT OR DELETE OR UPDATE ON app.leads FOR EACH ROW EXECUTE FUNCTION private.audit_record();

CREATE TRIGGER leads_guard BEFORE UPDATE ON app.leads FOR EACH ROW EXECUTE FUNCTION private.leads_guard();

CREATE TRIGGER leads_touch_updated_at BEFORE UPDATE ON app.leads FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

CREATE TRIGGER audit_redactions_append_only BEFORE DELETE OR UPDATE ON audit.redactions FOR EACH ROW EXECUTE FUNCTION private.audit_append_only();

CREATE TRIGGER audit_redactions_no_truncate BEFORE TRUNCATE ON audit.redactions FOR EACH STATEMENT EXECUTE FUNCTION private.audit_append_only();
REVOKE ALL ON FUNCTION api.add_customer_note(uuid,text) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.add_customer_note(uuid,text) TO authenticated;
COMMENT ON FUNCTION api.add_customer_note(uuid,text) IS 'Adds a note (body, 1 to 5000 characters) to a customer, authored by the caller, and answers it: {org_id, id,
customer_id, author_id, body, created_at, updated_at}. For staff of the customer''s organization. Errors: PT400 body
missing or over 5000 characters; PT404 the customer does not exist or is another organization''s.';
REVOKE ALL ON FUNCTION api.convert_lead(uuid,uuid,timestamp with time zone,integer,jsonb) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.convert_lead(uuid,uuid,timestamp with time zone,integer,jsonb) TO authenticated;
COMMENT ON FUNCTION api.convert_lead(uuid,uuid,timestamp with time zone,integer,jsonb) IS 'Turns a won lead into its booking, once: books experience_id at starts_at for the lead''s contact (e-mail, name,
phone) as create_booking does for staff, party_size defaulting to the lead''s (ticketed events take tickets), and
links it to the lead. Answers {"lead": the lead, "booking": the booking as create_booking answers it}. For staff of
the lead''s organization. Errors: PT400 as create_booking for its arguments; PT404 no such lead or experience for
the caller; PT409 the lead is not won (detail not_won), has no e-mail (email_required) or was converted before
(already_converted, HINT the booking''s id); as create_booking: sold out, taken.';
REVOKE ALL ON FUNCTION api.create_lead(uuid,text,text,text,text,integer,date,uuid,uuid,bigint,text,uuid,text,timestamp with time zone,text) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.create_lead(uuid,text,text,text,text,integer,date,uuid,uuid,bigint,text,uuid,text,timestamp with time zone,text) TO authenticated;
COMMENT ON FUNCTION api.create_lead(uuid,text,text,text,text,integer,date,uuid,uuid,bigint,text,uuid,text,timestamp with time zone,text) IS 'Adds a lead (status new) and answers it as an object (every column of app.leads): contact_name (required, up to
200 characters), email, phone (50), company (200), party_size (1 to 1000), wanted_date, venue_id and
experience_id (the organization''s), value_minor (0 to 999,999,999 minor units, with its currency, an ISO 4217 code),
owner_id (a member of the organization), next_step (500) and next_step_at, notes (5000). For staff of the
organization. Errors: PT400 naming an argument out of range or malformed, a value without currency, an owner who
is not a member; PT403 not staff of the organization; PT409 a venue or experience of another organization.';
REVOKE ALL ON FUNCTION api.create_partner(uuid,text,text,bigint,text,uuid,uuid,text,text,text,text,text) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.create_partner(uuid,text,text,bigint,text,uuid,uuid,text,text,text,text,text) TO authenticated;
COMMENT ON FUNCTION api.create_partner(uuid,text,text,bigint,text,uuid,uuid,text,text,text,text,text) IS 'Adds an event partner and answers it as an object (every column of app.event_partners): kind vendor or sponsor,
name (up to 200 characters), agreed_minor (0 to 999,999,999 minor units) in currency (ISO 4217), attached to
experience_id or slot_id (a dated session; at least one), contact_name (200), email, phone (50), status (proposed,
confirmed, invoiced, paid or cancelled; default proposed), notes (5000). For managers, admins and owners of the
organization. Errors: PT400 naming a missing, malformed or out-of-range argument, neither experience_id nor
slot_id (detail required); PT403 anyone else; PT409 an experience or session of another organization (detail
referenced).';
REVOKE ALL ON FUNCTION api.delete_customer_note(uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.delete_customer_note(uuid) TO authenticated;
COMMENT ON FUNCTION api.delete_customer_note(uuid) IS 'Deletes a note and answers {"deleted": note_id}. For its author only, while a member of its organization.
Errors: PT403 the caller is not the note''s author (detail not_author); PT404 no such note for the caller.';
REVOKE ALL ON FUNCTION api.delete_partner(uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.delete_partner(uuid) TO authenticated;
COMMENT ON FUNCTION api.delete_partner(uuid) IS 'Deletes an event partner (nothing refers to one) and answers {"deleted": partner_id}. For managers, admins and
owners of its organization. Errors: PT404 no such partner for the caller (staff included).';
REVOKE ALL ON FUNCTION api.erase_customer(uuid,uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.erase_customer(uuid,uuid) TO authenticated;
COMMENT ON FUNCTION api.erase_customer(uuid,uuid) IS 'Anonymises a person everywhere the organization holds them (GDPR erasure), in one transaction: the customer
record (e-mail becomes erased-<id>@erased.invalid, name and phone cleared, consent withdrawn, erased_at set), their
tags and notes (deleted), their bookings'' idempotency scope and fingerprint, their waiver signatures (names, date
of birth, signatures, IP and user agent; the text''s SHA-256 and times kept), leads, event partners and outbox rows
under their address, provider event payloads naming them, the ticket lookup counters of their address, and the
audit log''s values about them (listed in audit.redactions, so api.verify_audit_chain still passes). Bookings,
orders, payments, refunds and loyalty keep their counts and amounts for the books. The erasure is recorded in the
privacy log (app.customer_requests, kind erasure, with the counts). Answers what was changed per table, e.g.
{"customers": 1, "bookings": 2, "audit_log": 14, …}; a second call on an erased customer changes nothing and
answers the first call''s counts. For admins and owners of the organization. Errors: PT403 anyone else; PT404 the
organization has no such customer.';
REVOKE ALL ON FUNCTION api.export_customer(uuid,uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.export_customer(uuid,uuid) TO authenticated;
COMMENT ON FUNCTION api.export_customer(uuid,uuid) IS 'Everything the organization holds about one person, as one JSON document (GDPR right of access): {format
("tessera.customer_export.v1"), exported_at, org_id, customer (the whole record), marketing_consent {consent, at,
source}, tags, notes, bookings (each with ticket_lines and tickets, each ticket with its check_in), orders (each
with its lines), payments, refunds, loyalty {balance, ledger}, waiver_signatures, leads and event_partners under
their e-mail, notifications (outbox rows to their address), privacy_requests, audit (the audit log rows about
them)}. The export is recorded in the privacy log (app.customer_requests, kind export), itself audited. For admins
and owners of the organization. Errors: PT403 anyone else; PT404 the organization has no such customer.';
REVOKE ALL ON FUNCTION api.list_customer_notes(uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.list_customer_notes(uuid) TO authenticated;
COMMENT ON FUNCTION api.list_customer_notes(uuid) IS 'A customer''s notes, oldest first, as a JSON array of {org_id, id, customer_id, author_id, body, created_at,
updated_at}; empty for a customer the caller cannot see. For staff of the customer''s organization.';
REVOKE ALL ON FUNCTION api.list_leads(uuid,text) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.list_leads(uuid,text) TO authenticated;
COMMENT ON FUNCTION api.list_leads(uuid,text) IS 'The organization''s leads, oldest first, as a JSON array of lead objects; status (new, contacted, proposal, won,
lost) keeps only those. Empty for an organization the caller is not staff of. For staff. Errors: PT400 an unknown
status.';
REVOKE ALL ON FUNCTION api.list_partners(uuid,uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.list_partners(uuid,uuid) TO authenticated;
COMMENT ON FUNCTION api.list_partners(uuid,uuid) IS 'The organization''s event partners, oldest first, as a JSON array of partner objects; experience_id keeps those of
that experience. For managers, admins and owners. Errors: PT403 anyone else (staff included).';
REVOKE ALL ON FUNCTION api.move_lead(uuid,text,text) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.move_lead(uuid,text,text) TO authenticated;
COMMENT ON FUNCTION api.move_lead(uuid,text,text) IS 'Moves a lead along its pipeline and answers it: status one of new, contacted, proposal, won, lost, forward only
(new -> contacted -> proposal -> won, steps may be skipped; lost from any open state, with an optional reason up
to 1000 characters); won and lost are final. For staff of its organization. Errors: PT400 an unknown status, a
reason for another status than lost; PT404 no such lead for the caller; PT409 a move backwards, out of a final
state or to the status it has (detail illegal_transition).';
REVOKE ALL ON FUNCTION api.set_customer_tags(uuid,text[]) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.set_customer_tags(uuid,text[]) TO authenticated;
COMMENT ON FUNCTION api.set_customer_tags(uuid,text[]) IS 'Replaces a customer''s tags with tags (at most 50, each 1 to 50 characters; trimmed, lower-cased, duplicates
dropped; an empty list or null removes them all) and answers them sorted. For staff of the customer''s
organization. Errors: PT400 too many tags or one empty or too long; PT404 the customer does not exist or is
another organization''s.';
REVOKE ALL ON FUNCTION api.set_marketing_consent(uuid,boolean,text) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.set_marketing_consent(uuid,boolean,text) TO authenticated;
COMMENT ON FUNCTION api.set_marketing_consent(uuid,boolean,text) IS 'Records a customer''s answer to marketing: consent true or false, where it was given (source, 1 to 50 characters,
lower-cased: widget, staff, import, …) and now as its time; withdrawing keeps the time and source of the
withdrawal. Answers {customer_id, marketing_consent, marketing_consent_at, marketing_consent_source}. For staff of
the customer''s organization. Errors: PT400 consent or source missing, source over 50 characters; PT404 the
customer does not exist, is another organization''s or was erased.';
REVOKE ALL ON FUNCTION api.update_customer_note(uuid,text) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.update_customer_note(uuid,text) TO authenticated;
COMMENT ON FUNCTION api.update_customer_note(uuid,text) IS 'Replaces the body (1 to 5000 characters) of a note and answers it (updated_at moves). For its author only, while a
member of its organization. Errors: PT400 body missing or over 5000 characters; PT403 the caller is not the
note''s author (detail not_author); PT404 no such note for the caller.';
REVOKE ALL ON FUNCTION api.update_lead(uuid,jsonb) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.update_lead(uuid,jsonb) TO authenticated;
COMMENT ON FUNCTION api.update_lead(uuid,jsonb) IS 'Changes a lead as PostgREST''s PATCH would: the keys of changes are set (a JSON null clears a field that may be
empty), absent keys keep theirs. Keys: contact_name, company, email, phone, party_size, wanted_date, venue_id,
experience_id, value_minor, currency, owner_id, next_step, next_step_at, notes (the status moves with move_lead).
Answers the lead. For staff of its organization. Errors: PT400 detail invalid naming a key that is unknown or may
not change (listing those that may) or a value of the wrong type or out of range; PT404 no such lead for the
caller.';
REVOKE ALL ON FUNCTION api.update_partner(uuid,jsonb) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.update_partner(uuid,jsonb) TO authenticated;
COMMENT ON FUNCTION api.update_partner(uuid,jsonb) IS 'Changes an event partner as PostgREST''s PATCH would: the keys of changes are set (a JSON null clears a field
that may be empty), absent keys keep theirs. Keys: kind, name, contact_name, email, phone, experience_id, slot_id,
agreed_minor, currency, status, notes. Answers the partner. For managers, admins and owners of its organization.
Errors: PT400 detail invalid naming a key that is unknown or may not change (listing those that may) or a value of
the wrong type or not allowed, required when it would leave the partner attached to nothing; PT404 no such partner
for the caller (staff included).';
REVOKE ALL ON FUNCTION private.audit_append_only() FROM PUBLIC;
COMMENT ON FUNCTION private.audit_append_only() IS 'Trigger: refuses UPDATE, DELETE and TRUNCATE on the audit log, its seals and its redactions, for every role
including the owner; only private.purge_audit_log''s own delete and private.audit_redact''s own update pass.';
REVOKE ALL ON FUNCTION private.audit_chain_hash(text,uuid,bigint,bigint) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.audit_chain_hash(text,uuid,bigint,bigint) TO authenticated;
GRANT EXECUTE ON FUNCTION private.audit_chain_hash(text,uuid,bigint,bigint) TO service_role;
COMMENT ON FUNCTION private.audit_chain_hash(text,uuid,bigint,bigint) IS 'SHA-256 (hex) of the previous hash followed by the digests (private.audit_row_digest) of an organization''s log
rows in (p_after, p_last], in id order; a row listed in audit.redactions counts with its sealed digest while it
matches its redacted digest.';
REVOKE ALL ON FUNCTION private.audit_redact(uuid,uuid,text,text,text[],text[]) FROM PUBLIC;
COMMENT ON FUNCTION private.audit_redact(uuid,uuid,text,text,text[],text[]) IS 'Redacts a person from an organization''s audit log (and rows of no organization naming them) for the erasure
p_request_id: in every row, p_email (any case)
becomes p_erased_email; in the rows about the person (row_id or customer_id among p_row_ids, or holding the
address) strings equal to p_values become "[erased]", personal fields are blanked and, for widget requests, the
client''s address and user agent removed. Each row changed is listed in audit.redactions with the digest its seal
holds and its new digest, so api.verify_audit_chain still passes. Returns the rows redacted. Internal.';
REVOKE ALL ON FUNCTION private.audit_row_digest(audit.log) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.audit_row_digest(audit.log) TO authenticated;
GRANT EXECUTE ON FUNCTION private.audit_row_digest(audit.log) TO service_role;
COMMENT ON FUNCTION private.audit_row_digest(audit.log) IS 'SHA-256 (hex) of one log row as jsonb text (keys in a fixed order, times in UTC): what a seal holds of the row.';
REVOKE ALL ON FUNCTION private.customer_row_ids(app.customers) FROM PUBLIC;
COMMENT ON FUNCTION private.customer_row_ids(app.customers) IS 'The ids (as text) of the customer''s row and of every row about them: bookings, orders, notes, waiver
signatures, and leads, partners and outbox rows under their address.';
REVOKE ALL ON FUNCTION private.erase_customer(uuid,uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.erase_customer(uuid,uuid) TO authenticated;
COMMENT ON FUNCTION private.erase_customer(uuid,uuid) IS 'The body of api.erase_customer: checks the caller (private.privacy_customer) and anonymises the person
everywhere in one transaction, redacting the audit log last (private.audit_redact).';
REVOKE ALL ON FUNCTION private.export_customer(uuid,uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.export_customer(uuid,uuid) TO authenticated;
COMMENT ON FUNCTION private.export_customer(uuid,uuid) IS 'The body of api.export_customer: checks the caller (private.privacy_customer), builds the document, records the
export in the privacy log.';
REVOKE ALL ON FUNCTION private.leads_guard() FROM PUBLIC;
COMMENT ON FUNCTION private.leads_guard() IS 'Trigger: a lead''s status moves forward only (new -> contacted -> proposal -> won, skipping allowed; lost from
new, contacted or proposal; won and lost are final), else PT409 illegal_transition; its booking is set once (PT409
already_converted); organization and creation never change.';
REVOKE ALL ON FUNCTION private.own_note(uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.own_note(uuid) TO authenticated;
COMMENT ON FUNCTION private.own_note(uuid) IS 'Raises PT404 when the caller cannot see the note, PT403 (detail not_author) when they did not write it.';
REVOKE ALL ON FUNCTION private.partners_manager(uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.partners_manager(uuid) TO authenticated;
COMMENT ON FUNCTION private.partners_manager(uuid) IS 'Raises PT403 unless the caller is a manager or above of p_org_id.';
REVOKE ALL ON FUNCTION private.privacy_customer(uuid,uuid) FROM PUBLIC;
COMMENT ON FUNCTION private.privacy_customer(uuid,uuid) IS 'The customer p_customer_id of p_org_id, for an admin or owner of it: PT403 for anyone else, PT404 when the
organization has no such customer.';
REVOKE ALL ON FUNCTION private.provider_events_guard() FROM PUBLIC;
COMMENT ON FUNCTION private.provider_events_guard() IS 'Trigger: an inbox event keeps what was received (provider, id, type, payload, time); only what applying it found
(organization, order, outcome, the payment it waits for) is written after, and an erasure redacts the payload.
Never deleted. Else PT409 illegal_transition.';
REVOKE ALL ON FUNCTION private.redact_jsonb(jsonb,text,text,text[],text[]) FROM PUBLIC;
COMMENT ON FUNCTION private.redact_jsonb(jsonb,text,text,text[],text[]) IS 'p_value with p_email replaced by p_erased_email wherever it occurs (any case), every string value equal to one
of p_values replaced by "[erased]", and the top-level fields named in p_keys (when not null) set to "[erased]".';

COMMIT;
