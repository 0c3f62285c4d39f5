-- Deploy tessera:team to pg
-- requires: tenancy
-- requires: payments
--
-- Invitations to join an organization. The token a person receives is never stored: only its SHA-256, so a read
-- of this table (or of a backup) cannot be turned into a membership. An invitation is used once (accepted_at) or
-- withdrawn (revoked_at), never both, and expires; one open invitation per e-mail and organization, so inviting
-- again replaces it. The e-mail is kept lower-case, the form it is compared in. Nobody reads or writes this
-- table but the team functions (SECURITY DEFINER, with their own checks): RLS is enabled and forced with no
-- policy, and no API role holds a privilege on it.

BEGIN;

CREATE TABLE app.invitations (
  org_id      uuid            NOT NULL REFERENCES app.organizations (id) ON DELETE CASCADE,
  id          uuid            NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  email       text            NOT NULL CONSTRAINT invitations_email_check
                              CHECK (email = lower(btrim(email)) AND email ~ '^[^@\s]+@[^@\s]+$'
                                     AND length(email) BETWEEN 3 AND 320),
  role        app.member_role NOT NULL,
  token_hash  bytea           NOT NULL UNIQUE CONSTRAINT invitations_token_hash_check
                              CHECK (length(token_hash) = 32),
  invited_by  uuid            REFERENCES auth.users (id) ON DELETE SET NULL,
  created_at  timestamptz     NOT NULL DEFAULT now(),
  expires_at  timestamptz     NOT NULL,
  accepted_at timestamptz,
  accepted_by uuid            REFERENCES auth.users (id) ON DELETE SET NULL,
  revoked_at  timestamptz,
  CONSTRAINT invitations_expiry_check CHECK (expires_at > created_at),
  CONSTRAINT invitations_closed_once CHECK (accepted_at IS NULL OR revoked_at IS NULL),
  UNIQUE (org_id, id)
);
COMMENT ON TABLE app.invitations IS
  'Invitations to join an organization in a role: the token''s SHA-256 only, single-use, expiring.';
CREATE UNIQUE INDEX invitations_one_open ON app.invitations (org_id, email)
  WHERE accepted_at IS NULL AND revoked_at IS NULL;
CREATE INDEX invitations_org_created_idx ON app.invitations (org_id, created_at DESC);
CREATE INDEX invitations_invited_by_idx ON app.invitations (invited_by);
CREATE INDEX invitations_accepted_by_idx ON app.invitations (accepted_by);

ALTER TABLE app.invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.invitations FORCE ROW LEVEL SECURITY;

COMMIT;
