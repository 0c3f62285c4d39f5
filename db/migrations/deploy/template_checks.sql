-- Deploy tessera:template_checks to pg
-- requires: notify_events
--
-- A template with a syntax error or a name its kind's data does not carry must be refused when saved, never found
-- at send time; the database cannot run Jinja, the service can. So the service's POST /templates/preview renders
-- the parts with the kind's sample data and, when nothing is wrong, records here the fingerprint of exactly those
-- parts (SHA-256 over kind, channel and the parts' own SHA-256, see private.template_fingerprint) for the
-- organization; api.save_template accepts only parts whose fingerprint was recorded recently. RLS is enabled and
-- forced with no policy: the definer functions of templates.sql are the only way in.

BEGIN;

CREATE TABLE app.template_checks (
  org_id      uuid        NOT NULL REFERENCES app.organizations (id) ON DELETE CASCADE,
  fingerprint text        NOT NULL CONSTRAINT template_checks_fingerprint_check CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
  checked_at  timestamptz NOT NULL DEFAULT now(),
  checked_by  uuid        REFERENCES auth.users (id) ON DELETE SET NULL,
  PRIMARY KEY (org_id, fingerprint)
);
COMMENT ON TABLE app.template_checks IS
  'Template parts the service''s preview rendered without a problem with their kind''s sample data, by fingerprint, '
  'per organization: what api.save_template accepts.';
CREATE INDEX template_checks_checked_by_idx ON app.template_checks (checked_by);

ALTER TABLE app.template_checks ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.template_checks FORCE ROW LEVEL SECURITY;

COMMIT;
