-- The roles a request can run as hold, on the tables, columns and sequences of app and audit, exactly what the
-- api functions running as their caller (SECURITY INVOKER) read and write; SECURITY DEFINER functions in private
-- need nothing of their callers, and row-level security still decides which rows. Each privilege below is listed
-- with its reason: a new grant fails this test until it is added here with the function that needs it.
BEGIN;
\ir setup.psql
SELECT plan(5);

-- Every privilege held on a relation of app or audit by PUBLIC or a role a request can become, one row per
-- privilege; a privilege held on some columns only lists them.
CREATE TEMP TABLE held AS
SELECT coalesce(r.rolname, 'PUBLIC') AS grantee, c.oid::regclass::text AS relation, a.privilege_type AS privilege,
       NULL::text AS columns
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 CROSS JOIN LATERAL aclexplode(c.relacl) a
  LEFT JOIN pg_roles r ON r.oid = a.grantee
 WHERE n.nspname IN ('app', 'audit') AND a.grantee <> c.relowner
UNION ALL
SELECT coalesce(r.rolname, 'PUBLIC'), c.oid::regclass::text, a.privilege_type,
       string_agg(t.attname, ', ' ORDER BY t.attname)
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute t ON t.attrelid = c.oid AND t.attnum > 0 AND NOT t.attisdropped
 CROSS JOIN LATERAL aclexplode(t.attacl) a
  LEFT JOIN pg_roles r ON r.oid = a.grantee
 WHERE n.nspname IN ('app', 'audit') AND a.grantee <> c.relowner
 GROUP BY 1, 2, 3;

CREATE TEMP TABLE allowed (grantee text, relation text, privilege text, columns text, reason text NOT NULL);
INSERT INTO allowed VALUES
  ('authenticated', 'app.bookings', 'SELECT', NULL,
   'get_booking and list_bookings return whole bookings; the status moves (private.move_booking) read the booking '
   'they move and answer it as app.booking_answer'),
  ('authenticated', 'app.bookings', 'UPDATE', 'cancel_reason, status',
   'confirm, cancel, reject, complete, mark_no_show, batch_update_booking_status (private.move_booking) and '
   'expire_holds move the status and record the reason'),
  ('authenticated', 'app.experiences', 'SELECT', 'full_refund_before, id, late_refund_percent',
   'cancelling computes the refund in the bookings trigger (private.refund_due), from the experience''s policy'),
  ('authenticated', 'app.waiver_templates', 'SELECT', NULL,
   'create_waiver_template, archive_waiver_template and list_waiver_templates answer whole templates'),
  ('authenticated', 'app.waiver_templates', 'INSERT', 'created_by, name, org_id', 'create_waiver_template'),
  ('authenticated', 'app.waiver_templates', 'UPDATE', 'archived_at',
   'archive_waiver_template; create_waiver_version locks the template (FOR UPDATE) to number its versions'),
  ('authenticated', 'app.waiver_versions', 'SELECT', NULL, 'the waiver functions answer whole versions'),
  ('authenticated', 'app.waiver_versions', 'INSERT', 'body, created_by, org_id, template_id, title, version',
   'create_waiver_template (version 1) and create_waiver_version'),
  ('authenticated', 'app.waiver_versions', 'UPDATE', 'body, title',
   'update_waiver_version (a trigger refuses it once the version is signed)'),
  ('authenticated', 'app.customers', 'SELECT', 'email_key, id, org_id',
   'list_bookings(customer_email => …) finds the customer by e-mail'),
  ('authenticated', 'app.memberships', 'SELECT', 'org_id, role, user_id', 'my_organizations lists the caller''s roles'),
  ('authenticated', 'app.organizations', 'SELECT', 'id, name, slug', 'my_organizations names them'),
  ('authenticated', 'app.venues', 'SELECT', 'embed_key, id', 'rotate_embed_key finds the venue and returns its key'),
  ('authenticated', 'app.venues', 'UPDATE', 'embed_key', 'rotate_embed_key sets a new key (managers, under RLS)'),
  ('authenticated', 'app.profiles', 'SELECT', 'display_name, user_id',
   'set_display_name upserts the caller''s profile (ON CONFLICT reads the existing row)'),
  ('authenticated', 'app.profiles', 'INSERT', 'display_name, user_id', 'set_display_name creates the profile'),
  ('authenticated', 'app.profiles', 'UPDATE', 'display_name', 'set_display_name renames it'),
  ('authenticated', 'audit.log', 'SELECT', NULL,
   'verify_audit_chain hashes whole log rows (private.audit_chain_hash runs as the caller); admins read the log'),
  ('authenticated', 'audit.seals', 'SELECT', NULL, 'verify_audit_chain walks the seals'),
  ('authenticated', 'audit.purges', 'SELECT', 'org_id, upto_log_id',
   'verify_audit_chain skips seals whose rows were purged'),
  ('service_role', 'app.bookings', 'SELECT', NULL, 'get_booking, list_bookings and the status moves, as for staff'),
  ('service_role', 'app.bookings', 'UPDATE', 'cancel_reason, status', 'the status moves and expire_holds'),
  ('service_role', 'app.experiences', 'SELECT', 'full_refund_before, id, late_refund_percent',
   'cancelling computes the refund'),
  ('service_role', 'app.customers', 'SELECT', 'email_key, id, org_id', 'list_bookings(customer_email => …)'),
  ('service_role', 'audit.log', 'SELECT', NULL, 'verify_audit_chain hashes the log rows'),
  ('service_role', 'audit.seals', 'SELECT', NULL, 'verify_audit_chain walks the seals'),
  ('service_role', 'audit.purges', 'SELECT', 'org_id, upto_log_id', 'verify_audit_chain skips purged seals'),
  ('authenticated', 'app.org_settings', 'SELECT', 'full_refund_before, late_refund_percent, org_id',
   'cancelling computes the refund (private.refund_due) from the organization''s default policy when the '
   'experience has none'),
  ('service_role', 'app.org_settings', 'SELECT', 'full_refund_before, late_refund_percent, org_id',
   'cancelling computes the refund');

SELECT set_eq(format($$ SELECT relation, privilege, columns FROM held WHERE grantee = %L $$, r),
              format($$ SELECT relation, privilege, columns FROM allowed WHERE grantee = %L $$, r),
              r || ' holds exactly the privileges on app and audit that the allowlist gives it')
  FROM unnest(ARRAY['PUBLIC', 'anon', 'authenticated', 'authenticator', 'service_role']) r;

SELECT * FROM finish();
ROLLBACK;
