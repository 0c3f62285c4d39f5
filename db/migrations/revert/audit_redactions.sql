-- Revert tessera:audit_redactions from pg
--
-- Seals hash whole rows' text again: every seal whose rows remain is re-expressed under the old scheme, in chain
-- order. Refused once anything was redacted, since the old scheme cannot vouch for a redacted row.

BEGIN;

SET LOCAL timezone = 'UTC';

DO $$
DECLARE
  s audit.seals;
  org uuid;
  expected text;
  purged bigint;
  after bigint;
  fresh text;
BEGIN
  IF EXISTS (SELECT FROM audit.redactions) THEN
    RAISE EXCEPTION 'audit log rows were redacted: the seals cannot go back to hashing whole rows'
      USING HINT = 'keep audit_redactions deployed';
  END IF;
  ALTER TABLE audit.seals DISABLE TRIGGER USER;
  FOR org IN SELECT DISTINCT x.org_id FROM audit.seals x LOOP
    purged := coalesce((SELECT max(p.upto_log_id) FROM audit.purges p WHERE p.org_id IS NOT DISTINCT FROM org), 0);
    expected := NULL;
    after := 0;
    FOR s IN SELECT * FROM audit.seals x WHERE x.org_id IS NOT DISTINCT FROM org ORDER BY x.last_log_id LOOP
      IF s.last_log_id > purged THEN
        SELECT encode(sha256(convert_to(coalesce(expected, s.previous_hash)
                 || coalesce(string_agg(to_jsonb(l)::text, E'\n' ORDER BY l.id), ''), 'UTF8')), 'hex')
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

DROP TABLE audit.redactions;

COMMIT;
