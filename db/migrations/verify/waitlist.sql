-- Verify tessera:waitlist on pg
--
-- Raises unless app.waitlist_entries exists with its offer rule and one active entry per e-mail and session, RLS
-- enabled and forced, and org_settings has its offer time.

BEGIN;

SELECT org_id, id, slot_id, customer_id, party_size, name, email, phone, consent, consented_at, status, token_hash, booking_id,
       offer_token_hash, offer_expires_at, offers, offered_at, ended_at, created_at, updated_at
  FROM app.waitlist_entries WHERE false;
SELECT waitlist_offer_ttl FROM app.org_settings WHERE false;

DO $$
BEGIN
  IF NOT (SELECT relrowsecurity AND relforcerowsecurity FROM pg_catalog.pg_class
           WHERE oid = 'app.waitlist_entries'::regclass) THEN
    RAISE EXCEPTION 'row-level security is not enabled and forced on app.waitlist_entries';
  END IF;
  IF to_regclass('app.waitlist_entries_one_active') IS NULL THEN
    RAISE EXCEPTION 'app.waitlist_entries lacks its one-active-entry index';
  END IF;
  PERFORM FROM pg_catalog.pg_constraint WHERE conname = 'waitlist_entries_offer_check'
                                          AND conrelid = 'app.waitlist_entries'::regclass;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'app.waitlist_entries lacks its one-hold-per-offer rule';
  END IF;
END
$$;

ROLLBACK;
