-- Deploy tessera:table_privileges to pg
-- requires: audit_rules
-- requires: profile_and_window
--
-- The API roles reach tables only through the api functions. The functions that run as their caller (SECURITY
-- INVOKER) need the caller to hold the privileges on what they read and write; SECURITY DEFINER functions in
-- private need nothing of their callers. So each API role holds exactly what its invoker functions use, column by
-- column where a function uses only some columns, and row-level security still decides which rows. Everything
-- else a signed-in user or service_role held directly (writing the catalogue, memberships, customers; TRUNCATE,
-- REFERENCES, TRIGGER) is revoked: RLS is no longer the only barrier. db/tests/schemas_table_privileges.sql lists
-- each privilege with the function that needs it.

BEGIN;

REVOKE ALL ON ALL TABLES IN SCHEMA app, audit FROM anon, authenticated, service_role;

-- Bookings: get_booking and list_bookings return whole rows; the status workflows (confirm, cancel, reject,
-- complete, mark_no_show, batch_update_booking_status, via private.move_booking) and expire_holds move the status
-- and the reason. Cancelling computes the refund in the status trigger, which reads the experience's policy.
GRANT SELECT, UPDATE (status, cancel_reason) ON app.bookings TO authenticated, service_role;
GRANT SELECT (id, full_refund_before, late_refund_percent) ON app.experiences TO authenticated, service_role;
-- list_bookings(customer_email => …) finds the customer by e-mail.
GRANT SELECT (id, org_id, email_key) ON app.customers TO authenticated, service_role;
-- verify_audit_chain reads the seals, the purges and (private.audit_chain_hash, invoker) the whole log rows.
GRANT SELECT ON audit.log, audit.seals TO authenticated, service_role;
GRANT SELECT (org_id, upto_log_id) ON audit.purges TO authenticated, service_role;

-- Signed-in users only: my_organizations, rotate_embed_key, set_display_name.
GRANT SELECT (org_id, user_id, role) ON app.memberships TO authenticated;
GRANT SELECT (id, name, slug) ON app.organizations TO authenticated;
GRANT SELECT (id, embed_key), UPDATE (embed_key) ON app.venues TO authenticated;
GRANT SELECT (user_id, display_name), INSERT (user_id, display_name), UPDATE (display_name) ON app.profiles
  TO authenticated;

COMMIT;
