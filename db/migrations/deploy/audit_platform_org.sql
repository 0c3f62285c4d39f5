-- Deploy tessera:audit_platform_org to pg
-- requires: reminder_bounds
--
-- Scale-out (docs/scale-out.md): Citus needs the distribution column in every row and in every key.
-- The audit tables: a change to a table of no organization (the reference tables, the provider inbox) was logged,
-- sealed and purged with org_id NULL. It now belongs to the platform organization, the nil uuid, an id no
-- organization has (they take gen_random_uuid(), and no audit table references app.organizations), so org_id is
-- NOT NULL and each primary key is (id, org_id): id first, so a lookup by id keeps its index. The rows already
-- there take the nil uuid too; private.audit_row_digest reads it as NULL, so every digest (and so every seal and
-- redaction made over those rows) is unchanged and the platform chain verifies (api.verify_audit_chain of the
-- nil uuid, for service_role). Their append-only guards are disabled for this one update, inside this transaction.
-- The provider inbox (app.provider_events) becomes a local table, a receipt log on the coordinator: an event is
-- recorded, exactly once by (provider, event_id), when it arrives, before its organization is known (and an event
-- of no order never has one), so no organization can route it. It keeps the order it concerned (order_id, whose
-- organization is the event's) and loses org_id and its foreign keys (a local table may not reference a
-- distributed one). The revert rebuilds it as it was, org_id taken from the orders.
-- lock: ok the audit tables are locked for the few seconds their keys take to rebuild, so that no row of no
-- organization is written between the update and NOT NULL; the inbox's DROP COLUMN and its index are small

BEGIN;

SET LOCAL check_function_bodies = off;

-- Inside DO: the Supabase CLI sends a migration as one batch, one transaction but not a transaction block, where
-- a top-level LOCK TABLE is refused; the lock is held to the end of the transaction all the same.
DO $$ BEGIN
  LOCK TABLE audit.log, audit.seals, audit.redactions, audit.purges IN ACCESS EXCLUSIVE MODE;
END $$;

ALTER TABLE audit.log DISABLE TRIGGER audit_log_append_only;
ALTER TABLE audit.seals DISABLE TRIGGER audit_seals_append_only;
ALTER TABLE audit.redactions DISABLE TRIGGER audit_redactions_append_only;
UPDATE audit.log SET org_id = '00000000-0000-0000-0000-000000000000' WHERE org_id IS NULL;
UPDATE audit.seals SET org_id = '00000000-0000-0000-0000-000000000000' WHERE org_id IS NULL;
UPDATE audit.redactions SET org_id = '00000000-0000-0000-0000-000000000000' WHERE org_id IS NULL;
UPDATE audit.purges SET org_id = '00000000-0000-0000-0000-000000000000' WHERE org_id IS NULL;
ALTER TABLE audit.log ENABLE TRIGGER audit_log_append_only;
ALTER TABLE audit.seals ENABLE TRIGGER audit_seals_append_only;
ALTER TABLE audit.redactions ENABLE TRIGGER audit_redactions_append_only;

ALTER TABLE audit.log ALTER COLUMN org_id SET NOT NULL,
  DROP CONSTRAINT log_pkey, ADD CONSTRAINT log_pkey PRIMARY KEY (id, org_id);
ALTER TABLE audit.seals ALTER COLUMN org_id SET NOT NULL,
  DROP CONSTRAINT seals_pkey, ADD CONSTRAINT seals_pkey PRIMARY KEY (id, org_id);
ALTER TABLE audit.redactions ALTER COLUMN org_id SET NOT NULL,
  DROP CONSTRAINT redactions_pkey, ADD CONSTRAINT redactions_pkey PRIMARY KEY (id, org_id);
ALTER TABLE audit.purges ALTER COLUMN org_id SET NOT NULL,
  DROP CONSTRAINT purges_pkey, ADD CONSTRAINT purges_pkey PRIMARY KEY (id, org_id);
COMMENT ON TABLE audit.seals IS 'A hash chain per organization (the nil uuid: the platform organization, rows of tables of no organization): each seal covers the log rows after the previous seal up to last_log_id, hashed together with the previous seal''s hash.';

ALTER TABLE app.provider_events DROP CONSTRAINT provider_events_org_id_order_id_fkey,
  DROP CONSTRAINT provider_events_org_id_fkey;
DROP INDEX app.provider_events_order_idx;
ALTER TABLE app.provider_events DROP COLUMN org_id;
-- An erasure finds the events of the person's orders by order_id.
CREATE INDEX provider_events_order_idx ON app.provider_events (order_id);
COMMENT ON TABLE app.provider_events IS 'The inbox: each provider event once (webhook deliveries and reconcile findings), with the order it concerned and what applying it did (outcome). A receipt log on the coordinator (a local table at scale-out): an event is recorded before its organization is known, which is its order''s. waiting_for: the provider payment an event is about that is not recorded yet; it is applied when that payment is. service_role only, through api.apply_payment_event.';

CREATE OR REPLACE FUNCTION private.apply_payment_event(p_provider text, p_event jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  recorded text;
  answer   jsonb;
BEGIN
  -- The callers checked argument shapes; what must be there is checked first, then the caller.
  IF p_provider IS NULL THEN
    RAISE EXCEPTION 'provider is required' USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  PERFORM private.require_service_role('apply payment events');
  INSERT INTO app.provider_events (provider, event_id, type, payload)
  VALUES (p_provider, p_event ->> 'id', p_event ->> 'type', p_event)
  ON CONFLICT (provider, event_id) DO NOTHING
  RETURNING event_id INTO recorded;
  IF recorded IS NULL THEN
    RETURN pg_catalog.jsonb_build_object('duplicate', true, 'ignored', true, 'order_id', NULL, 'order_status', NULL,
                                         'outcome', 'duplicate', 'actions', '[]'::jsonb);
  END IF;
  answer := CASE p_provider WHEN 'stripe' THEN private.apply_stripe_event(p_event)
                            ELSE private.apply_moyasar_event(p_event) END;
  answer := coalesce(answer, pg_catalog.jsonb_build_object('duplicate', false, 'ignored', true, 'order_id', NULL,
                                                           'order_status', NULL, 'outcome', 'ignored: unhandled type',
                                                           'actions', '[]'::jsonb));
  -- The inbox is a receipt log on the coordinator, keyed by the provider's own event id (its organization is not
  -- known on arrival, and may never be): the order the event concerned is noted, its organization is that order's.
  UPDATE app.provider_events e
     SET outcome = pg_catalog.left(answer ->> 'outcome', 1000), waiting_for = answer ->> 'waiting_for',
         order_id = (answer ->> 'order_id')::uuid
   WHERE e.provider = p_provider AND e.event_id = recorded;
  RETURN answer - 'waiting_for';
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
                WHERE x.org_id = p_org_id AND x.log_id > p_after AND x.log_id <= p_last
                ORDER BY x.log_id, x.id DESC) r ON r.log_id = l.id
   WHERE l.org_id = p_org_id AND l.id > p_after AND l.id <= p_last
$function$
;

CREATE OR REPLACE FUNCTION private.audit_record()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  -- Credentials never enter the log, which admins read: a column named secret (a ticket signing key's) or
  -- token_hash (an invitation's), and a token in a row's data (the invitation e-mail's, in the outbox).
  old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN private.audit_safe(pg_catalog.to_jsonb(OLD)) END;
  new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN private.audit_safe(pg_catalog.to_jsonb(NEW)) END;
  any_row jsonb := coalesce(new_row, old_row);
  headers jsonb := nullif(pg_catalog.current_setting('request.headers', true), '')::jsonb;
  forwarded text;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    -- Only the fields that changed, before and after.
    SELECT pg_catalog.jsonb_object_agg(o.key, o.value), pg_catalog.jsonb_object_agg(o.key, new_row -> o.key)
      INTO old_row, new_row
      FROM pg_catalog.jsonb_each(old_row) o
     WHERE o.value IS DISTINCT FROM new_row -> o.key;
    IF old_row IS NULL THEN
      RETURN NULL;  -- nothing changed
    END IF;
  END IF;
  forwarded := pg_catalog.split_part(headers ->> 'x-forwarded-for', ',', 1);
  INSERT INTO audit.log (org_id, actor, actor_role, table_name, operation, row_id, old_values, new_values,
                         client_ip, user_agent)
  VALUES (
    coalesce(CASE WHEN TG_TABLE_NAME = 'organizations' THEN (any_row ->> 'id')::uuid
                  ELSE (any_row ->> 'org_id')::uuid END,
             '00000000-0000-0000-0000-000000000000'::uuid),  -- the platform organization (see the file's header)
    auth.uid(),
    coalesce(auth.role(), session_user::text),
    TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME,
    TG_OP,
    coalesce(any_row ->> 'id', any_row ->> 'user_id', any_row ->> 'booking_id', any_row ->> 'slot_id'),
    old_row,
    new_row,
    private.parse_inet(coalesce(nullif(pg_catalog.btrim(forwarded), ''), headers ->> 'x-real-ip')),
    headers ->> 'user-agent'
  );
  RETURN NULL;
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

CREATE OR REPLACE FUNCTION private.audit_row_digest(p_row audit.log)
 RETURNS text
 LANGUAGE sql
 STABLE
 SET search_path TO ''
 SET "TimeZone" TO 'UTC'
AS $function$
  -- The platform organization's rows hash as they were written before it had an id (org_id NULL): replacing a
  -- key's value keeps jsonb's key order, so the text is the one their seals were made over.
  SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(
           CASE WHEN p_row.org_id = '00000000-0000-0000-0000-000000000000'::uuid
                THEN pg_catalog.jsonb_set(pg_catalog.to_jsonb(p_row), '{org_id}', 'null'::jsonb)
                ELSE pg_catalog.to_jsonb(p_row) END::text, 'UTF8')), 'hex')
$function$
;

CREATE OR REPLACE FUNCTION private.purge_audit_log(p_before timestamp with time zone)
 RETURNS bigint
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  org record;
  removed bigint;
  total bigint := 0;
BEGIN
  -- Its own check: service_role, or the owner at a console (no request claims).
  IF coalesce(auth.role(), CASE WHEN session_user::text = current_user::text THEN 'service_role' END)
     IS DISTINCT FROM 'service_role' THEN
    RAISE EXCEPTION 'only service_role purges the audit log' USING ERRCODE = 'PT403';
  END IF;
  -- Whole seals only: every row of a seal made before p_before is older than p_before. The append-only guard
  -- lets this delete through and no other; the seals stay and the purge is recorded, so the chain stays checkable.
  PERFORM pg_catalog.set_config('tessera.audit_purge', 'on', true);
  FOR org IN SELECT s.org_id, pg_catalog.max(s.last_log_id) AS upto FROM audit.seals s
              WHERE s.sealed_at < p_before GROUP BY s.org_id LOOP
    DELETE FROM audit.log l WHERE l.org_id = org.org_id AND l.id <= org.upto;
    GET DIAGNOSTICS removed = ROW_COUNT;
    IF removed > 0 THEN
      INSERT INTO audit.purges (org_id, upto_log_id, removed) VALUES (org.org_id, org.upto, removed);
      total := total + removed;
    END IF;
  END LOOP;
  PERFORM pg_catalog.set_config('tessera.audit_purge', 'off', true);
  RETURN total;
END
$function$
;

CREATE OR REPLACE FUNCTION private.replay_waiting(p_payment app.payments)
 RETURNS void
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  waiting app.provider_events;
BEGIN
  FOR waiting IN SELECT e.* FROM app.provider_events e
                  WHERE e.provider = p_payment.provider AND e.waiting_for = p_payment.provider_ref
                  ORDER BY e.received_at, e.event_id FOR UPDATE LOOP
    UPDATE app.provider_events e
       SET waiting_for = NULL, order_id = p_payment.order_id,
           outcome = pg_catalog.left('applied when its payment was recorded: '
                                     || private.stripe_charge_refunds(p_payment, waiting.payload -> 'data' -> 'object'),
                                     1000)
     WHERE e.provider = waiting.provider AND e.event_id = waiting.event_id;
  END LOOP;
END
$function$
;

CREATE OR REPLACE FUNCTION private.seal_audit_log(p_settle interval)
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
 SET "TimeZone" TO 'UTC'
AS $function$
DECLARE
  org record;
  last_seal audit.seals;
  upto bigint;
  made integer := 0;
BEGIN
  -- Its own check: service_role, or the owner at a console (no request claims).
  IF coalesce(auth.role(), CASE WHEN session_user::text = current_user::text THEN 'service_role' END)
     IS DISTINCT FROM 'service_role' THEN
    RAISE EXCEPTION 'only service_role seals the audit log' USING ERRCODE = 'PT403';
  END IF;
  -- One sealer at a time; writers never wait on this.
  PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('tessera.audit.seal'));
  FOR org IN SELECT DISTINCT l.org_id FROM audit.log l
              WHERE l.id > coalesce((SELECT pg_catalog.max(s.last_log_id) FROM audit.seals s
                                      WHERE s.org_id = l.org_id), 0) LOOP
    SELECT s.* INTO last_seal FROM audit.seals s
     WHERE s.org_id = org.org_id ORDER BY s.last_log_id DESC LIMIT 1;
    -- Seal only rows old enough that no transaction still running can add one before them in id order.
    SELECT pg_catalog.max(l.id) INTO upto FROM audit.log l
     WHERE l.org_id = org.org_id AND l.id > coalesce(last_seal.last_log_id, 0)
       AND l.id < coalesce((SELECT pg_catalog.min(y.id) FROM audit.log y
                             WHERE y.at > pg_catalog.clock_timestamp() - p_settle), 9223372036854775807);
    CONTINUE WHEN upto IS NULL;
    INSERT INTO audit.seals (org_id, first_log_id, last_log_id, row_count, previous_hash, hash)
    SELECT org.org_id, pg_catalog.min(l.id), upto, pg_catalog.count(*),
           coalesce(last_seal.hash, pg_catalog.repeat('0', 64)),
           private.audit_chain_hash(coalesce(last_seal.hash, pg_catalog.repeat('0', 64)), org.org_id,
                                    coalesce(last_seal.last_log_id, 0), upto)
      FROM audit.log l
     WHERE l.org_id = org.org_id AND l.id > coalesce(last_seal.last_log_id, 0) AND l.id <= upto;
    made := made + 1;
  END LOOP;
  RETURN made;
END
$function$
;
COMMENT ON FUNCTION api.verify_audit_chain(uuid) IS 'Recomputes an organization''s audit hash chain and reports the first broken link: ok, how many seals were
checked, and for a break the seal and log rows concerned, with a message. For admins and owners of that
organization (and service_role, which may also verify the platform organization''s chain: the nil uuid, the changes
to tables of no organization). Errors: PT403 for anyone else.';
REVOKE ALL ON FUNCTION private.apply_payment_event(text,jsonb) FROM PUBLIC, service_role;
GRANT EXECUTE ON FUNCTION private.apply_payment_event(text,jsonb) TO service_role;
COMMENT ON FUNCTION private.apply_payment_event(text,jsonb) IS 'Records a provider event in the inbox and applies it in the same transaction (api.apply_payment_event). Its own
check: service_role. Answers as api.apply_payment_event.';
REVOKE ALL ON FUNCTION private.audit_chain_hash(text,uuid,bigint,bigint) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.audit_chain_hash(text,uuid,bigint,bigint) TO authenticated;
GRANT EXECUTE ON FUNCTION private.audit_chain_hash(text,uuid,bigint,bigint) TO service_role;
COMMENT ON FUNCTION private.audit_chain_hash(text,uuid,bigint,bigint) IS 'SHA-256 (hex) of the previous hash followed by the digests (private.audit_row_digest) of an organization''s log
rows in (p_after, p_last], in id order; a row listed in audit.redactions counts with its sealed digest while it
matches its redacted digest.';
REVOKE ALL ON FUNCTION private.audit_record() FROM PUBLIC;
COMMENT ON FUNCTION private.audit_record() IS 'Trigger on every app table: appends one audit.log row per changed row (only changed fields for updates) with the
actor, role, client IP and user agent from the request headers; credentials are left out (private.audit_safe).
Changes to a table of no organization are logged under the platform organization, the nil uuid. A definer:
writers cannot touch the log itself.';
REVOKE ALL ON FUNCTION private.audit_redact(uuid,uuid,text,text,text[],text[]) FROM PUBLIC;
COMMENT ON FUNCTION private.audit_redact(uuid,uuid,text,text,text[],text[]) IS 'Redacts a person from an organization''s audit log (and the platform organization''s rows naming them, the
provider inbox''s) for the erasure p_request_id: in every row, p_email (any case) becomes p_erased_email; in
the rows about the person (row_id or customer_id among p_row_ids, or holding the address) strings equal to
p_values become "[erased]", personal fields are blanked and, for widget requests, the client''s address and user
agent removed. Each row changed is listed in audit.redactions with the digest its seal
holds and its new digest, so api.verify_audit_chain still passes. Returns the rows redacted. Internal.';
REVOKE ALL ON FUNCTION private.audit_row_digest(audit.log) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.audit_row_digest(audit.log) TO authenticated;
GRANT EXECUTE ON FUNCTION private.audit_row_digest(audit.log) TO service_role;
COMMENT ON FUNCTION private.audit_row_digest(audit.log) IS 'SHA-256 (hex) of one log row as jsonb text (keys in a fixed order, times in UTC): what a seal holds of the row.
A row of the platform organization (the nil uuid) is hashed with org_id null, as such rows were written before.';
REVOKE ALL ON FUNCTION private.purge_audit_log(timestamp with time zone) FROM PUBLIC, service_role;
GRANT EXECUTE ON FUNCTION private.purge_audit_log(timestamp with time zone) TO service_role;
COMMENT ON FUNCTION private.purge_audit_log(timestamp with time zone) IS 'Retention: removes the rows of every seal made before p_before, records the purge, returns how many rows.
For service_role.';
REVOKE ALL ON FUNCTION private.replay_waiting(app.payments) FROM PUBLIC;
COMMENT ON FUNCTION private.replay_waiting(app.payments) IS 'Applies the inbox events that waited for this payment (a charge.refunded delivered before the payment''s own
event), in the order they arrived, and marks them applied. Internal: private.apply_payment calls it once the
payment''s effects are in.';
REVOKE ALL ON FUNCTION private.seal_audit_log(interval) FROM PUBLIC, service_role;
GRANT EXECUTE ON FUNCTION private.seal_audit_log(interval) TO service_role;
COMMENT ON FUNCTION private.seal_audit_log(interval) IS 'Seals every organization''s unsealed log rows older than p_settle into its hash chain (the platform
organization''s, the nil uuid, included); returns how many seals it made. For service_role.';

COMMIT;
