-- Functions of the `audit` area: recording every change, keeping the log append-only, and sealing it into a
-- per-organization hash chain that anyone allowed to read the log can verify.
--
-- The platform organization: changes to tables of no organization (the reference tables, the provider inbox) are
-- logged, sealed and purged under the nil uuid 00000000-0000-0000-0000-000000000000, an id no organization has
-- (organizations take gen_random_uuid(); the audit tables reference no organization). So every audit row has an
-- org_id, the one value Citus shards them by. Rows written before it had NULL there; a row's digest reads the nil
-- uuid as NULL (private.audit_row_digest), so the seals made over those rows still hold.

CREATE OR REPLACE FUNCTION private.audit_safe(p_row jsonb)
RETURNS jsonb
LANGUAGE sql
IMMUTABLE
SET search_path = ''
AS $$
  SELECT (p_row - '{secret,previous_secret,token_hash,search_vector}'::text[])
         || CASE WHEN pg_catalog.jsonb_typeof(p_row -> 'data') = 'object'
                 THEN pg_catalog.jsonb_build_object('data', (p_row -> 'data') - 'token') ELSE '{}'::jsonb END
$$;

COMMENT ON FUNCTION private.audit_safe(jsonb) IS
'A row as the audit log keeps it: without a secret, previous_secret or token_hash column, nor a token key in its
data object, nor an experience''s search_vector (derived from columns the log already has).';

REVOKE ALL ON FUNCTION private.audit_safe(jsonb) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.audit_record()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  -- Credentials never enter the log, which admins read: a column named secret or previous_secret (a ticket or
  -- webhook signing key's) or token_hash (an invitation's), and a token in a row's data (the invitation e-mail's,
  -- in the outbox).
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
$$;

COMMENT ON FUNCTION private.audit_record() IS
'Trigger on every app table: appends one audit.log row per changed row (only changed fields for updates) with the
actor, role, client IP and user agent from the request headers; credentials are left out (private.audit_safe).
Changes to a table of no organization are logged under the platform organization, the nil uuid. A definer:
writers cannot touch the log itself.';

REVOKE ALL ON FUNCTION private.audit_record() FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.parse_inet(address text)
RETURNS inet
LANGUAGE plpgsql
IMMUTABLE
SET search_path = ''
AS $$
BEGIN
  RETURN address::inet;
EXCEPTION WHEN invalid_text_representation THEN
  RETURN NULL;  -- a header is the client's say-so; a malformed one is not worth refusing the change over
END
$$;

COMMENT ON FUNCTION private.parse_inet(text) IS 'The address as inet, or NULL when it is not one.';

REVOKE ALL ON FUNCTION private.parse_inet(text) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.audit_append_only()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
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
$$;

COMMENT ON FUNCTION private.audit_append_only() IS
'Trigger: refuses UPDATE, DELETE and TRUNCATE on the audit log, its seals and its redactions, for every role
including the owner; only private.purge_audit_log''s own delete and private.audit_redact''s own update pass.';

REVOKE ALL ON FUNCTION private.audit_append_only() FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.audit_row_digest(p_row audit.log)
RETURNS text
LANGUAGE sql
STABLE
SET search_path = ''
SET timezone = 'UTC'
AS $$
  -- The platform organization's rows hash as they were written before it had an id (org_id NULL): replacing a
  -- key's value keeps jsonb's key order, so the text is the one their seals were made over.
  SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(
           CASE WHEN p_row.org_id = '00000000-0000-0000-0000-000000000000'::uuid
                THEN pg_catalog.jsonb_set(pg_catalog.to_jsonb(p_row), '{org_id}', 'null'::jsonb)
                ELSE pg_catalog.to_jsonb(p_row) END::text, 'UTF8')), 'hex')
$$;

COMMENT ON FUNCTION private.audit_row_digest(audit.log) IS
'SHA-256 (hex) of one log row as jsonb text (keys in a fixed order, times in UTC): what a seal holds of the row.
A row of the platform organization (the nil uuid) is hashed with org_id null, as such rows were written before.';

REVOKE ALL ON FUNCTION private.audit_row_digest(audit.log) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.audit_row_digest(audit.log) TO authenticated, service_role;


CREATE OR REPLACE FUNCTION private.audit_chain_hash(p_previous text, p_org_id uuid, p_after bigint, p_last bigint)
RETURNS text
LANGUAGE sql
STABLE
SET search_path = ''
SET timezone = 'UTC'
AS $$
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
$$;

COMMENT ON FUNCTION private.audit_chain_hash(text, uuid, bigint, bigint) IS
'SHA-256 (hex) of the previous hash followed by the digests (private.audit_row_digest) of an organization''s log
rows in (p_after, p_last], in id order; a row listed in audit.redactions counts with its sealed digest while it
matches its redacted digest.';

REVOKE ALL ON FUNCTION private.audit_chain_hash(text, uuid, bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.audit_chain_hash(text, uuid, bigint, bigint) TO authenticated, service_role;


CREATE OR REPLACE FUNCTION private.seal_audit_log(p_settle interval)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
SET timezone = 'UTC'
AS $$
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
$$;

COMMENT ON FUNCTION private.seal_audit_log(interval) IS
'Seals every organization''s unsealed log rows older than p_settle into its hash chain (the platform
organization''s, the nil uuid, included); returns how many seals it made. For service_role.';

REVOKE ALL ON FUNCTION private.seal_audit_log(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.seal_audit_log(interval) TO service_role;


CREATE OR REPLACE FUNCTION api.seal_audit_log(settle interval DEFAULT '1 minute')
RETURNS integer
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.seal_audit_log(private.interval_arg('settle', settle, interval '0', interval '1 day'))
$$;

COMMENT ON FUNCTION api.seal_audit_log(interval) IS
$$Seals the audit log: for each organization, the rows written since its last seal (and older than settle,
default a minute, so that no running transaction can still slot a row in before them) are hashed, chained to the
previous seal. Run it on a schedule or after writes; nothing waits for it. For service_role. Returns the number of
seals made. Errors: PT400 settle outside 0 to 1 day.$$;

REVOKE ALL ON FUNCTION api.seal_audit_log(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.seal_audit_log(interval) TO service_role;


CREATE OR REPLACE FUNCTION api.verify_audit_chain(org_id uuid)
RETURNS TABLE (ok boolean, seals_checked integer, broken_seal_id bigint, first_log_id bigint, last_log_id bigint,
               message text)
LANGUAGE plpgsql
STABLE
SET search_path = ''
SET timezone = 'UTC'
AS $$
DECLARE
  s audit.seals;
  expected_previous text := pg_catalog.repeat('0', 64);
  checked integer := 0;
BEGIN
  IF NOT (verify_audit_chain.org_id = ANY (private.org_ids('admin')) OR auth.role() = 'service_role') THEN
    RAISE EXCEPTION 'only admins and owners of the organization may verify its audit log' USING ERRCODE = 'PT403';
  END IF;
  FOR s IN SELECT * FROM audit.seals x WHERE x.org_id = verify_audit_chain.org_id ORDER BY x.last_log_id LOOP
    IF s.previous_hash <> expected_previous THEN
      RETURN QUERY SELECT false, checked, s.id, s.first_log_id, s.last_log_id,
        'seal ' || s.id || ' does not follow the previous seal (a seal was removed or altered)';
      RETURN;
    END IF;
    IF s.last_log_id > coalesce((SELECT pg_catalog.max(p.upto_log_id) FROM audit.purges p
                                  WHERE p.org_id = s.org_id), 0)
       AND private.audit_chain_hash(s.previous_hash, s.org_id,
                                coalesce((SELECT pg_catalog.max(p.last_log_id) FROM audit.seals p
                                           WHERE p.org_id = s.org_id AND p.last_log_id < s.last_log_id), 0),
                                s.last_log_id) <> s.hash THEN
      RETURN QUERY SELECT false, checked, s.id, s.first_log_id, s.last_log_id,
        'log rows ' || s.first_log_id || ' to ' || s.last_log_id || ' no longer match seal ' || s.id;
      RETURN;
    END IF;
    expected_previous := s.hash;
    checked := checked + 1;
  END LOOP;
  RETURN QUERY SELECT true, checked, NULL::bigint, NULL::bigint, NULL::bigint,
    CASE WHEN checked = 0 THEN 'nothing is sealed yet' ELSE 'every seal matches its log rows' END;
END
$$;

COMMENT ON FUNCTION api.verify_audit_chain(uuid) IS
$$Recomputes an organization's audit hash chain and reports the first broken link: ok, how many seals were
checked, and for a break the seal and log rows concerned, with a message. For admins and owners of that
organization (and service_role, which may also verify the platform organization's chain: the nil uuid, the changes
to tables of no organization). Errors: PT403 for anyone else.$$;

REVOKE ALL ON FUNCTION api.verify_audit_chain(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.verify_audit_chain(uuid) TO authenticated, service_role;


-- Redaction (GDPR erasure): a person's values leave the log, the chain keeps verifying. -------------------------
CREATE OR REPLACE FUNCTION private.redact_jsonb(p_value jsonb, p_email text, p_erased_email text, p_values text[],
                                                p_keys text[] DEFAULT '{}')
RETURNS jsonb
LANGUAGE plpgsql
IMMUTABLE
SET search_path = ''
AS $$
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
$$;

COMMENT ON FUNCTION private.redact_jsonb(jsonb, text, text, text[], text[]) IS
'p_value with p_email replaced by p_erased_email wherever it occurs (any case), every string value equal to one
of p_values replaced by "[erased]", and the top-level fields named in p_keys (when not null) set to "[erased]".';

REVOKE ALL ON FUNCTION private.redact_jsonb(jsonb, text, text, text[], text[]) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.audit_redact(p_org_id uuid, p_request_id uuid, p_email text, p_erased_email text,
                                                p_values text[], p_row_ids text[])
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
SET timezone = 'UTC'
AS $$
DECLARE
  -- Fields personal whatever they hold, on the person's own rows (customers, bookings, notes, tags, waiver
  -- signatures, leads, partners, outbox rows...).
  personal constant text[] := ARRAY['email', 'email_key', 'name', 'phone', 'contact_name', 'participant_name',
    'date_of_birth', 'guardian_name', 'guardian_signature', 'signature', 'client_ip', 'user_agent', 'body', 'tag',
    'notes', 'recipient', 'data', 'idempotency_scope', 'request_fingerprint', 'marketing_consent_source',
    'cancel_reason', 'reason'];
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
$$;

COMMENT ON FUNCTION private.audit_redact(uuid, uuid, text, text, text[], text[]) IS
'Redacts a person from an organization''s audit log (and the platform organization''s rows naming them, the
provider inbox''s) for the erasure p_request_id: in every row, p_email (any case) becomes p_erased_email; in
the rows about the person (row_id or customer_id among p_row_ids, or holding the address) strings equal to
p_values become "[erased]", personal fields are blanked and, for widget requests, the client''s address and user
agent removed. Each row changed is listed in audit.redactions with the digest its seal
holds and its new digest, so api.verify_audit_chain still passes. Returns the rows redacted. Internal.';

REVOKE ALL ON FUNCTION private.audit_redact(uuid, uuid, text, text, text[], text[]) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.purge_audit_log(p_before timestamptz)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
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
$$;

COMMENT ON FUNCTION private.purge_audit_log(timestamptz) IS
'Retention: removes the rows of every seal made before p_before, records the purge, returns how many rows.
For service_role.';

REVOKE ALL ON FUNCTION private.purge_audit_log(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.purge_audit_log(timestamptz) TO service_role;


CREATE OR REPLACE FUNCTION api.purge_audit_log(before timestamptz)
RETURNS bigint
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.purge_audit_log(private.time_arg('before', before))
$$;

COMMENT ON FUNCTION api.purge_audit_log(timestamptz) IS
$$Retention for the audit log: removes the rows of every seal made before `before` (whole seals only, so every
removed row is older than that) and returns how many. The seals remain and the purge is recorded, so the chain's
links stay verifiable. For service_role. Errors: PT400 `before` outside 2000-01-01 to five years from now.$$;

REVOKE ALL ON FUNCTION api.purge_audit_log(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.purge_audit_log(timestamptz) TO service_role;


CREATE OR REPLACE TRIGGER audit_log_append_only
  BEFORE UPDATE OR DELETE ON audit.log FOR EACH ROW EXECUTE FUNCTION private.audit_append_only();
CREATE OR REPLACE TRIGGER audit_log_no_truncate
  BEFORE TRUNCATE ON audit.log FOR EACH STATEMENT EXECUTE FUNCTION private.audit_append_only();
CREATE OR REPLACE TRIGGER audit_seals_append_only
  BEFORE UPDATE OR DELETE ON audit.seals FOR EACH ROW EXECUTE FUNCTION private.audit_append_only();
CREATE OR REPLACE TRIGGER audit_seals_no_truncate
  BEFORE TRUNCATE ON audit.seals FOR EACH STATEMENT EXECUTE FUNCTION private.audit_append_only();
CREATE OR REPLACE TRIGGER audit_redactions_append_only
  BEFORE UPDATE OR DELETE ON audit.redactions FOR EACH ROW EXECUTE FUNCTION private.audit_append_only();
CREATE OR REPLACE TRIGGER audit_redactions_no_truncate
  BEFORE TRUNCATE ON audit.redactions FOR EACH STATEMENT EXECUTE FUNCTION private.audit_append_only();

-- Every app table is audited by the same trigger, new tables included once this file is applied again; but for
-- bookkeeping that records no act of anyone's: failed ticket lookups (the rate limit's counters), the outbox and
-- its delivery attempts (a message follows from an audited act, and is queued, claimed and sent by the worker:
-- three rows each, which would triple the log and copy every message's data and its links' tokens into it; its
-- history is app.notification_attempts), customers' segments (figures derived from audited rows, rewritten by
-- each refresh; the refresh itself is audited as its app.customer_segment_runs row), and outgoing webhook
-- deliveries and their attempts (copies of audited events, and the sender's log; the endpoints are audited).
DO $$
DECLARE
  t text;
  unaudited constant text[] := ARRAY['ticket_lookup_failures', 'notifications_outbox', 'notification_attempts',
                                     'customer_segments', 'webhook_deliveries', 'webhook_attempts'];
BEGIN
  FOR t IN SELECT c.relname FROM pg_catalog.pg_class c
            WHERE c.relnamespace = 'app'::regnamespace AND c.relkind IN ('r', 'p') ORDER BY 1 LOOP
    IF t = ANY (unaudited) THEN
      EXECUTE format('DROP TRIGGER IF EXISTS audit_log ON app.%I', t);
    ELSE
      EXECUTE format('CREATE OR REPLACE TRIGGER audit_log AFTER INSERT OR UPDATE OR DELETE ON app.%I '
                     'FOR EACH ROW EXECUTE FUNCTION private.audit_record()', t);
    END IF;
  END LOOP;
END
$$;
