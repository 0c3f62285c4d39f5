-- Deploy tessera:webhook_secret_overlap to pg
-- requires: org_in_keys
--
-- An endpoint keeps its previous signing secret for an overlap after a rotation. Standard Webhooks lets a delivery
-- carry several signatures; while the old secret is still valid every attempt is signed with both, so a receiver
-- can switch to the new secret at its own pace without one delivery failing verification in between. Until when
-- the old secret signs is stored beside it (both set or neither), and it is never the current one.
--
-- lock: ok app.webhook_endpoints holds at most 20 rows per organization: the nullable columns need no rewrite, and
-- their checks scan a few thousand rows at most.

BEGIN;

ALTER TABLE app.webhook_endpoints
  ADD COLUMN previous_secret text CONSTRAINT webhook_endpoints_previous_secret_check
                                   CHECK (previous_secret ~ '^whsec_[A-Za-z0-9+/]{43}=$'),
  ADD COLUMN previous_secret_until timestamptz,
  ADD CONSTRAINT webhook_endpoints_overlap_check
    CHECK ((previous_secret IS NULL) = (previous_secret_until IS NULL) AND previous_secret IS DISTINCT FROM secret);

COMMENT ON COLUMN app.webhook_endpoints.previous_secret IS
  'The signing secret before the last rotation, which still signs every attempt (beside the current one) until '
  'previous_secret_until; never shown, never in the audit log.';
COMMENT ON COLUMN app.webhook_endpoints.previous_secret_until IS
  'When the previous secret stops signing (set with it, NULL without it).';

COMMIT;
