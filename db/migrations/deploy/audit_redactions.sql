-- Deploy tessera:audit_redactions to pg
-- requires: audit
-- requires: crm
--
-- An erasure (GDPR) must remove a person's values from the audit log, which is append-only and sealed into a hash
-- chain over whole rows: redacting a sealed row would break its seal. From here a seal hashes the previous seal's
-- hash followed by one SHA-256 digest per log row (of the row's jsonb text, as before) instead of the rows' text
-- itself. A redaction is listed, append-only, in audit.redactions with the digest the chain holds for the row and
-- the digest of the row as redacted; verification accepts the chain's digest for a listed row only while the row
-- still matches its redacted digest. So editing any row that was not redacted, or a redacted row after its
-- redaction, still breaks its seal; writers pay nothing more (digests are computed when sealing and verifying).
--
-- Existing seals are first verified under the old scheme (a broken chain refuses the deploy: re-expressing it
-- would launder the break), then re-expressed under the new one in chain order. Seals whose rows were purged keep
-- their hash: the next seal links to it as before.

BEGIN;

SET LOCAL timezone = 'UTC';

CREATE TABLE audit.redactions (
  id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id          uuid,
  log_id          bigint      NOT NULL,
  request_id      uuid        NOT NULL,
  sealed_digest   text        NOT NULL CHECK (sealed_digest ~ '^[0-9a-f]{64}$'),
  redacted_digest text        NOT NULL CHECK (redacted_digest ~ '^[0-9a-f]{64}$'),
  at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX redactions_log_idx ON audit.redactions (log_id, id);
COMMENT ON TABLE audit.redactions IS
  'Append-only list of audit log rows whose personal values were redacted by an erasure (request_id: its '
  'app.customer_requests row): sealed_digest is the digest the hash chain holds for the row (its original), '
  'redacted_digest the digest of the row as it now reads. The latest redaction of a row counts.';
ALTER TABLE audit.redactions ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit.redactions FORCE ROW LEVEL SECURITY;
GRANT SELECT ON audit.redactions TO authenticated, service_role;

DO $$
DECLARE
  s audit.seals;
  org uuid;
  expected text;
  purged bigint;
  after bigint;
  fresh text;
BEGIN
  -- 1. Every chain as it stands, under the old scheme (whole rows' text).
  FOR org IN SELECT DISTINCT x.org_id FROM audit.seals x LOOP
    expected := repeat('0', 64);
    purged := coalesce((SELECT max(p.upto_log_id) FROM audit.purges p WHERE p.org_id IS NOT DISTINCT FROM org), 0);
    after := 0;
    FOR s IN SELECT * FROM audit.seals x WHERE x.org_id IS NOT DISTINCT FROM org ORDER BY x.last_log_id LOOP
      IF s.previous_hash <> expected THEN
        RAISE EXCEPTION 'audit seal % does not follow the previous seal: the chain of organization % is broken',
          s.id, org USING HINT = 'investigate the audit log before deploying audit_redactions';
      END IF;
      IF s.last_log_id > purged AND (
           SELECT encode(sha256(convert_to(s.previous_hash || coalesce(string_agg(to_jsonb(l)::text, E'\n'
                                                                                 ORDER BY l.id), ''), 'UTF8')), 'hex')
             FROM audit.log l WHERE l.org_id IS NOT DISTINCT FROM org AND l.id > after AND l.id <= s.last_log_id)
         <> s.hash THEN
        RAISE EXCEPTION 'audit log rows % to % no longer match seal %: the chain of organization % is broken',
          s.first_log_id, s.last_log_id, s.id, org
          USING HINT = 'investigate the audit log before deploying audit_redactions';
      END IF;
      expected := s.hash;
      after := s.last_log_id;
    END LOOP;
  END LOOP;

  -- 2. Re-expressed under the new scheme (one digest per row), in chain order.
  ALTER TABLE audit.seals DISABLE TRIGGER USER;
  FOR org IN SELECT DISTINCT x.org_id FROM audit.seals x LOOP
    purged := coalesce((SELECT max(p.upto_log_id) FROM audit.purges p WHERE p.org_id IS NOT DISTINCT FROM org), 0);
    expected := NULL;
    after := 0;
    FOR s IN SELECT * FROM audit.seals x WHERE x.org_id IS NOT DISTINCT FROM org ORDER BY x.last_log_id LOOP
      IF s.last_log_id > purged THEN
        SELECT encode(sha256(convert_to(coalesce(expected, s.previous_hash)
                 || coalesce(string_agg(encode(sha256(convert_to(to_jsonb(l)::text, 'UTF8')), 'hex'), E'\n'
                                        ORDER BY l.id), ''), 'UTF8')), 'hex')
          INTO fresh
          FROM audit.log l WHERE l.org_id IS NOT DISTINCT FROM org AND l.id > after AND l.id <= s.last_log_id;
        UPDATE audit.seals x SET previous_hash = coalesce(expected, s.previous_hash), hash = fresh WHERE x.id = s.id;
        expected := fresh;
      END IF;
      after := s.last_log_id;
    END LOOP;
  END LOOP;
  ALTER TABLE audit.seals ENABLE TRIGGER USER;
END
$$;

COMMIT;
