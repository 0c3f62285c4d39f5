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
  -- The catalogue: get_catalogue reads it whole and the update functions answer whole rows (staff read under
  -- RLS; cancelling reads an experience's refund policy); managers add rows (admins venues), change the columns
  -- of the PATCH keys (and archive), and replace hours, schedules, rooms and tiers, under the catalogue policies.
  ('authenticated', 'app.venues', 'SELECT', NULL, 'get_catalogue, create_venue / update_venue answer the row, '
   'rotate_embed_key returns the key'),
  ('authenticated', 'app.venue_hours', 'SELECT', NULL, 'get_catalogue; set_venue_hours answers the week'),
  ('authenticated', 'app.venue_closures', 'SELECT', NULL, 'get_catalogue; remove_venue_closure finds the closure'),
  ('authenticated', 'app.resources', 'SELECT', NULL, 'get_catalogue; create/update/archive_resource answer it'),
  ('authenticated', 'app.experiences', 'SELECT', NULL, 'get_catalogue and the experience functions answer whole '
   'rows; cancelling computes the refund from the experience''s policy (private.refund_due)'),
  ('authenticated', 'app.experience_resources', 'SELECT', NULL, 'get_catalogue; set_experience_resources answers'),
  ('authenticated', 'app.price_tiers', 'SELECT', NULL, 'get_catalogue; the price tier functions answer the row'),
  ('authenticated', 'app.ticket_types', 'SELECT', NULL, 'get_catalogue; the ticket type functions answer the row'),
  ('authenticated', 'app.schedules', 'SELECT', NULL, 'get_catalogue; set_weekly_schedule answers the rules'),
  ('authenticated', 'app.venues', 'INSERT', NULL, 'create_venue (admins, under RLS)'),
  ('authenticated', 'app.venue_hours', 'INSERT', NULL, 'set_venue_hours'),
  ('authenticated', 'app.venue_closures', 'INSERT', NULL, 'add_venue_closure'),
  ('authenticated', 'app.resources', 'INSERT', NULL, 'create_resource'),
  ('authenticated', 'app.experiences', 'INSERT', NULL, 'create_experience'),
  ('authenticated', 'app.experience_resources', 'INSERT', NULL, 'set_experience_resources'),
  ('authenticated', 'app.price_tiers', 'INSERT', NULL, 'create_price_tier'),
  ('authenticated', 'app.ticket_types', 'INSERT', NULL, 'create_ticket_type'),
  ('authenticated', 'app.schedules', 'INSERT', NULL, 'set_weekly_schedule'),
  ('authenticated', 'app.venues', 'UPDATE',
   'address_line, age_of_majority, archived_at, city, country_code, embed_key, name, postal_code, timezone',
   'update_venue (its PATCH keys), archive_venue / restore_venue, rotate_embed_key'),
  ('authenticated', 'app.resources', 'UPDATE', 'active, archived_at, kind, name',
   'update_resource, archive_resource / restore_resource'),
  ('authenticated', 'app.experiences', 'UPDATE',
   'active, archived_at, buffer_minutes, capacity, category, currency, description, duration_minutes, '
   'full_refund_before, hold_minutes, image_urls, late_refund_percent, max_advance, max_party, min_notice, '
   'min_party, name, pricing_mode, requires_payment, waiver_at_check_in, waiver_template_id',
   'update_experience (its PATCH keys), archive_experience / restore_experience'),
  ('authenticated', 'app.price_tiers', 'UPDATE', 'max_party, min_party, price_minor', 'update_price_tier'),
  ('authenticated', 'app.ticket_types', 'UPDATE',
   'active, archived_at, name, per_order_max, price_minor, quota, sales_end, sales_start',
   'update_ticket_type, archive_ticket_type / restore_ticket_type'),
  ('authenticated', 'app.venue_hours', 'DELETE', NULL, 'set_venue_hours replaces the week'),
  ('authenticated', 'app.venue_closures', 'DELETE', NULL, 'remove_venue_closure'),
  ('authenticated', 'app.experience_resources', 'DELETE', NULL, 'set_experience_resources replaces the rooms'),
  ('authenticated', 'app.price_tiers', 'DELETE', NULL, 'delete_price_tier'),
  ('authenticated', 'app.schedules', 'DELETE', NULL, 'set_weekly_schedule replaces the rules'),
  ('authenticated', 'app.customers', 'SELECT',
   'email_key, erased_at, id, marketing_consent, marketing_consent_at, marketing_consent_source, org_id',
   'list_bookings(customer_email => …) finds the customer by e-mail; set_marketing_consent skips erased customers '
   'and answers the consent; set_customer_tags and add_customer_note find the customer''s organization'),
  ('authenticated', 'app.customers', 'UPDATE', 'marketing_consent, marketing_consent_at, marketing_consent_source',
   'set_marketing_consent records the answer, its time and source'),
  ('authenticated', 'app.customer_tags', 'SELECT', NULL, 'set_customer_tags compares the tags it replaces'),
  ('authenticated', 'app.customer_tags', 'INSERT', 'customer_id, org_id, tag', 'set_customer_tags adds tags'),
  ('authenticated', 'app.customer_tags', 'DELETE', NULL, 'set_customer_tags removes the tags no longer given'),
  ('authenticated', 'app.customer_notes', 'SELECT', NULL,
   'list_customer_notes; add, update and delete answer or check the note (author only, under RLS)'),
  ('authenticated', 'app.customer_notes', 'INSERT', 'body, customer_id, org_id',
   'add_customer_note (the author is auth.uid() by default, checked by RLS)'),
  ('authenticated', 'app.customer_notes', 'UPDATE', 'body', 'update_customer_note, by the author'),
  ('authenticated', 'app.customer_notes', 'DELETE', NULL, 'delete_customer_note, by the author'),
  ('authenticated', 'app.leads', 'SELECT', NULL, 'list_leads and the lead functions answer whole leads'),
  ('authenticated', 'app.leads', 'INSERT',
   'company, contact_name, currency, email, experience_id, next_step, next_step_at, notes, org_id, owner_id, '
   'party_size, phone, value_minor, venue_id, wanted_date', 'create_lead'),
  ('authenticated', 'app.leads', 'UPDATE',
   'booking_id, company, contact_name, currency, email, experience_id, lost_reason, next_step, next_step_at, notes, '
   'owner_id, party_size, phone, status, value_minor, venue_id, wanted_date',
   'update_lead (its keys), move_lead (status, lost_reason) and convert_lead (booking_id; the trigger sets it once)'),
  ('authenticated', 'app.event_partners', 'SELECT', NULL, 'list_partners and the partner functions (managers, RLS)'),
  ('authenticated', 'app.event_partners', 'INSERT',
   'agreed_minor, contact_name, currency, email, experience_id, kind, name, notes, org_id, phone, slot_id, status',
   'create_partner'),
  ('authenticated', 'app.event_partners', 'UPDATE',
   'agreed_minor, contact_name, currency, email, experience_id, kind, name, notes, phone, slot_id, status',
   'update_partner (its keys)'),
  ('authenticated', 'app.event_partners', 'DELETE', NULL, 'delete_partner'),
  ('authenticated', 'audit.redactions', 'SELECT', NULL,
   'verify_audit_chain counts a redacted row with its sealed digest (private.audit_chain_hash runs as the caller)'),
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
  ('authenticated', 'app.memberships', 'SELECT', 'org_id, role, user_id', 'my_organizations lists the caller''s roles'),
  ('authenticated', 'app.organizations', 'SELECT', 'id, name, slug', 'my_organizations names them'),
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
  ('service_role', 'audit.redactions', 'SELECT', NULL, 'verify_audit_chain reads the redactions'),
  ('authenticated', 'app.org_settings', 'SELECT', 'full_refund_before, late_refund_percent, org_id',
   'cancelling computes the refund (private.refund_due) from the organization''s default policy when the '
   'experience has none'),
  ('service_role', 'app.org_settings', 'SELECT', 'full_refund_before, late_refund_percent, org_id',
   'cancelling computes the refund'),
  ('authenticated', 'app.shifts', 'SELECT', NULL,
   'list_shifts reads the rota; update_shift and delete_shift find the shift and answer it whole'),
  ('authenticated', 'app.shifts', 'INSERT', 'created_by, during, note, org_id, user_id, venue_id',
   'create_shift plans a shift (managers, under RLS)'),
  ('authenticated', 'app.shifts', 'UPDATE', 'during, note, user_id, venue_id', 'update_shift changes one'),
  ('authenticated', 'app.shifts', 'DELETE', NULL, 'delete_shift removes one'),
  ('authenticated', 'app.session_staff', 'SELECT', NULL,
   'list_session_staff reads who runs a session; assign_session_staff answers the assignment'),
  ('authenticated', 'app.session_staff', 'INSERT', 'assigned_by, org_id, slot_id, user_id',
   'assign_session_staff assigns a person (managers, under RLS)'),
  ('authenticated', 'app.session_staff', 'DELETE', NULL, 'unassign_session_staff removes an assignment'),
  ('authenticated', 'app.time_entries', 'SELECT', NULL,
   'get_timesheet sums and list_time_entries lists the entries RLS shows the caller (their own, or everyone''s for '
   'managers)'),
  ('authenticated', 'app.time_entry_corrections', 'SELECT', NULL, 'list_time_entries shows each entry''s corrections');
-- app.webhook_endpoints, app.webhook_deliveries and app.webhook_attempts have no row here on purpose: admins reach
-- them through the webhook functions, events are written by triggers and the sender records through its own
-- functions, all SECURITY DEFINER in private (db/functions/webhook_endpoints.sql).
-- app.waitlist_entries has no row here on purpose: customers join, leave and accept through the widget functions
-- and offers are made by triggers, all SECURITY DEFINER in private (db/functions/waitlist.sql); org_settings's new
-- waitlist_offer_ttl is set by api.set_waitlist_offer_ttl, a definer too, so no role gains a privilege for it.
-- app.message_preferences has no row here on purpose either: preferences are read and written only by the
-- preference functions (get/set_my_preferences, set_customer_preferences, unsubscribe, message_refused), all
-- SECURITY DEFINER in private with their own checks (db/functions/preferences.sql).

SELECT set_eq(format($$ SELECT relation, privilege, columns FROM held WHERE grantee = %L $$, r),
              format($$ SELECT relation, privilege, columns FROM allowed WHERE grantee = %L $$, r),
              r || ' holds exactly the privileges on app and audit that the allowlist gives it')
  FROM unnest(ARRAY['PUBLIC', 'anon', 'authenticated', 'authenticator', 'service_role']) r;

SELECT * FROM finish();
ROLLBACK;
