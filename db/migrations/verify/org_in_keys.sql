-- Verify tessera:org_in_keys on pg
--
-- Raises when a key named by the deploy script does not include org_id; changes nothing.

BEGIN;

-- Checks of functions that fn_org_joins changed are retired; its verify checks them now.

DO $$
DECLARE
  missing text;
BEGIN
  SELECT string_agg(k.name, ', ' ORDER BY k.name) INTO missing
    FROM unnest(ARRAY[
    'app.booking_resources_pkey',
    'app.booking_tickets_pkey',
    'app.bookings_pkey',
    'app.check_ins_ticket_id_key',
    'app.checkouts_pkey',
    'app.customer_notes_pkey',
    'app.customer_requests_pkey',
    'app.customer_segments_pkey',
    'app.customer_tags_pkey',
    'app.customers_pkey',
    'app.event_partners_pkey',
    'app.experience_resources_pkey',
    'app.experiences_pkey',
    'app.invitations_pkey',
    'app.leads_pkey',
    'app.loyalty_ledger_once_per_order',
    'app.loyalty_ledger_pkey',
    'app.message_preferences_pkey',
    'app.notifications_outbox_dedupe_key_key',
    'app.notifications_outbox_pkey',
    'app.order_lines_pkey',
    'app.orders_pkey',
    'app.payments_pkey',
    'app.price_rules_pkey',
    'app.price_tiers_pkey',
    'app.promo_code_experiences_pkey',
    'app.promo_codes_pkey',
    'app.promo_customer_uses_pkey',
    'app.promo_redemptions_pkey',
    'app.refunds_pkey',
    'app.resources_pkey',
    'app.schedules_pkey',
    'app.shifts_pkey',
    'app.slot_ticket_counts_pkey',
    'app.slots_experience_id_starts_at_key',
    'app.slots_pkey',
    'app.ticket_types_pkey',
    'app.tickets_one_valid_per_place',
    'app.tickets_pkey',
    'app.time_entries_pkey',
    'app.time_entry_corrections_pkey',
    'app.venue_closures_pkey',
    'app.venue_hours_pkey',
    'app.venues_pkey',
    'app.waitlist_entries_pkey',
    'app.waiver_signatures_pkey',
    'app.waiver_templates_pkey',
    'app.waiver_versions_pkey',
    'app.webhook_deliveries_pkey',
    'app.webhook_endpoints_pkey']) AS k (name)
   WHERE NOT EXISTS (
     SELECT FROM pg_catalog.pg_index i
       JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attname = 'org_id'
      WHERE i.indexrelid = pg_catalog.to_regclass(k.name) AND i.indisunique AND a.attnum = ANY (i.indkey::int2[]));
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'org_in_keys: these keys do not include org_id: %', missing;
  END IF;
END $$;

DO $verify$
BEGIN
  PERFORM 'private.check_in(text,text,uuid,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.check_in(text,text,uuid,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.check_in(text,text,uuid,uuid)';
  END IF;
  PERFORM 'private.enqueue_notification(uuid,text,text,jsonb,text,text,text,timestamp with time zone,uuid,uuid)'::pg_catalog.regprocedure;
  PERFORM 'private.issue_tickets(app.bookings)'::pg_catalog.regprocedure;
  PERFORM 'private.loyalty_earn(app.orders)'::pg_catalog.regprocedure;
  PERFORM 'private.loyalty_release(uuid)'::pg_catalog.regprocedure;
  PERFORM 'private.refresh_customer_segments(uuid,timestamp with time zone)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.refresh_customer_segments(uuid,timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.refresh_customer_segments(uuid,timestamp with time zone)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.refresh_customer_segments(uuid,timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.refresh_customer_segments(uuid,timestamp with time zone)';
  END IF;
  PERFORM 'private.staffed_session(uuid,timestamp with time zone)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.staffed_session(uuid,timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.staffed_session(uuid,timestamp with time zone)';
  END IF;
END
$verify$;

ROLLBACK;
