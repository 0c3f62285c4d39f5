-- Verify tessera:preferences on pg
--
-- Raises unless app.message_preferences exists with its rule that transactional rows are never off and one row per
-- subject, channel and category, RLS enabled and forced.

BEGIN;

SELECT org_id, id, customer_id, user_id, channel, category, enabled, source, changed_at, changed_by
  FROM app.message_preferences WHERE false;

DO $$
BEGIN
  IF NOT (SELECT relrowsecurity AND relforcerowsecurity FROM pg_catalog.pg_class
           WHERE oid = 'app.message_preferences'::regclass) THEN
    RAISE EXCEPTION 'row-level security is not enabled and forced on app.message_preferences';
  END IF;
  IF to_regclass('app.message_preferences_customer_key') IS NULL
     OR to_regclass('app.message_preferences_user_key') IS NULL THEN
    RAISE EXCEPTION 'app.message_preferences lacks its one-row-per-subject indexes';
  END IF;
  PERFORM FROM pg_catalog.pg_constraint WHERE conname = 'message_preferences_transactional_check'
                                          AND conrelid = 'app.message_preferences'::regclass;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'app.message_preferences lacks its rule that transactional messages cannot be switched off';
  END IF;
END
$$;

ROLLBACK;
