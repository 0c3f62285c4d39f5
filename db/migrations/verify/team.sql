-- Verify tessera:team on pg
--
-- Raises unless app.invitations exists with its single-use rule, one open invitation per e-mail, and RLS enabled
-- and forced.

BEGIN;

SELECT org_id, id, email, role, token_hash, invited_by, created_at, expires_at, accepted_at, accepted_by, revoked_at
  FROM app.invitations WHERE false;

DO $$
BEGIN
  IF NOT (SELECT relrowsecurity AND relforcerowsecurity FROM pg_catalog.pg_class
           WHERE oid = 'app.invitations'::regclass) THEN
    RAISE EXCEPTION 'row-level security is not enabled and forced on app.invitations';
  END IF;
  IF to_regclass('app.invitations_one_open') IS NULL THEN
    RAISE EXCEPTION 'app.invitations lacks its one-open-invitation index';
  END IF;
  PERFORM FROM pg_catalog.pg_constraint WHERE conname = 'invitations_closed_once'
                                          AND conrelid = 'app.invitations'::regclass;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'app.invitations lacks its accepted-or-revoked rule';
  END IF;
END
$$;

ROLLBACK;
