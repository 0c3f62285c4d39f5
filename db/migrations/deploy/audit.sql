-- Deploy tessera:audit to pg
-- requires: booking
-- requires: tenancy
--
-- Who changed what, when, from where: one row per changed row of every app table, written by one generic trigger
-- (db/functions/audit.sql). The log is append-only for every role, its owner included: a trigger refuses UPDATE,
-- DELETE and TRUNCATE; retention goes through one SECURITY DEFINER function. Tamper evidence costs writers
-- nothing: seals, made afterwards, chain a hash over each organization's log rows in id order, so editing or
-- removing a sealed row breaks the chain where it happened. Admins and owners read their organization's log.

BEGIN;

CREATE TABLE audit.log (
  id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  org_id      uuid,
  actor       uuid,
  actor_role  text        NOT NULL,
  table_name  text        NOT NULL,
  operation   text        NOT NULL CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE')),
  row_id      text,
  old_values  jsonb,
  new_values  jsonb,
  client_ip   inet,
  user_agent  text,
  txid        bigint      NOT NULL DEFAULT txid_current()
);
CREATE INDEX log_org_id_idx ON audit.log (org_id, id);
COMMENT ON TABLE audit.log IS
  'Append-only record of every change to app tables: old and new values (only changed fields for updates), actor, '
  'role, client IP and user agent from the request headers, and the transaction id.';

CREATE TABLE audit.seals (
  id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id         uuid,
  first_log_id   bigint      NOT NULL,
  last_log_id    bigint      NOT NULL CHECK (last_log_id >= first_log_id),
  row_count      integer     NOT NULL CHECK (row_count >= 1),
  previous_hash  text        NOT NULL CHECK (previous_hash ~ '^[0-9a-f]{64}$'),
  hash           text        NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  sealed_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE NULLS NOT DISTINCT (org_id, last_log_id)
);
CREATE INDEX seals_org_idx ON audit.seals (org_id, last_log_id);
COMMENT ON TABLE audit.seals IS
  'A hash chain per organization (NULL: rows of no organization): each seal covers the log rows after the previous '
  'seal up to last_log_id, hashed together with the previous seal''s hash.';

CREATE TABLE audit.purges (
  id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id      uuid,
  upto_log_id bigint      NOT NULL,
  removed     bigint      NOT NULL CHECK (removed >= 0),
  purged_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX purges_org_idx ON audit.purges (org_id, upto_log_id);
COMMENT ON TABLE audit.purges IS
  'Retention runs: an organization''s log rows up to upto_log_id (whole seals only) were removed; their seals stay, '
  'so the chain''s links remain checkable.';

ALTER TABLE audit.log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit.log FORCE ROW LEVEL SECURITY;
ALTER TABLE audit.seals ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit.seals FORCE ROW LEVEL SECURITY;
ALTER TABLE audit.purges ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit.purges FORCE ROW LEVEL SECURITY;

GRANT USAGE ON SCHEMA audit TO authenticated, service_role;
GRANT SELECT ON audit.log, audit.seals, audit.purges TO authenticated, service_role;

COMMIT;
