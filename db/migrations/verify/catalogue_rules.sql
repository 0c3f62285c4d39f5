-- Verify tessera:catalogue_rules on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that catalogue_manage changed are retired; its verify checks them now.

DO $verify$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.experience_resources' AND policyname = 'experience_resources_delete') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'experience_resources_delete', 'app.experience_resources';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.experience_resources' AND policyname = 'experience_resources_insert') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'experience_resources_insert', 'app.experience_resources';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.experience_resources' AND policyname = 'experience_resources_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'experience_resources_select', 'app.experience_resources';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.experience_resources' AND policyname = 'experience_resources_update') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'experience_resources_update', 'app.experience_resources';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.experiences' AND policyname = 'experiences_delete') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'experiences_delete', 'app.experiences';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.experiences' AND policyname = 'experiences_insert') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'experiences_insert', 'app.experiences';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.experiences' AND policyname = 'experiences_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'experiences_select', 'app.experiences';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.experiences' AND policyname = 'experiences_update') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'experiences_update', 'app.experiences';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.price_tiers' AND policyname = 'price_tiers_delete') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'price_tiers_delete', 'app.price_tiers';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.price_tiers' AND policyname = 'price_tiers_insert') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'price_tiers_insert', 'app.price_tiers';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.price_tiers' AND policyname = 'price_tiers_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'price_tiers_select', 'app.price_tiers';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.price_tiers' AND policyname = 'price_tiers_update') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'price_tiers_update', 'app.price_tiers';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.resources' AND policyname = 'resources_delete') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'resources_delete', 'app.resources';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.resources' AND policyname = 'resources_insert') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'resources_insert', 'app.resources';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.resources' AND policyname = 'resources_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'resources_select', 'app.resources';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.resources' AND policyname = 'resources_update') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'resources_update', 'app.resources';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.schedules' AND policyname = 'schedules_delete') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'schedules_delete', 'app.schedules';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.schedules' AND policyname = 'schedules_insert') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'schedules_insert', 'app.schedules';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.schedules' AND policyname = 'schedules_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'schedules_select', 'app.schedules';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.schedules' AND policyname = 'schedules_update') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'schedules_update', 'app.schedules';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.ticket_types' AND policyname = 'ticket_types_delete') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'ticket_types_delete', 'app.ticket_types';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.ticket_types' AND policyname = 'ticket_types_insert') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'ticket_types_insert', 'app.ticket_types';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.ticket_types' AND policyname = 'ticket_types_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'ticket_types_select', 'app.ticket_types';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.ticket_types' AND policyname = 'ticket_types_update') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'ticket_types_update', 'app.ticket_types';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.venue_closures' AND policyname = 'venue_closures_delete') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'venue_closures_delete', 'app.venue_closures';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.venue_closures' AND policyname = 'venue_closures_insert') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'venue_closures_insert', 'app.venue_closures';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.venue_closures' AND policyname = 'venue_closures_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'venue_closures_select', 'app.venue_closures';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.venue_closures' AND policyname = 'venue_closures_update') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'venue_closures_update', 'app.venue_closures';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.venue_hours' AND policyname = 'venue_hours_delete') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'venue_hours_delete', 'app.venue_hours';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.venue_hours' AND policyname = 'venue_hours_insert') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'venue_hours_insert', 'app.venue_hours';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.venue_hours' AND policyname = 'venue_hours_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'venue_hours_select', 'app.venue_hours';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.venue_hours' AND policyname = 'venue_hours_update') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'venue_hours_update', 'app.venue_hours';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.venues' AND policyname = 'venues_delete') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'venues_delete', 'app.venues';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.venues' AND policyname = 'venues_insert') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'venues_insert', 'app.venues';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.venues' AND policyname = 'venues_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'venues_select', 'app.venues';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.venues' AND policyname = 'venues_update') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'venues_update', 'app.venues';
  END IF;
END
$verify$;

ROLLBACK;
