-- Verify tessera:staff_rules on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that fn_org_joins changed are retired; its verify checks them now.

-- Checks of functions that org_in_keys changed are retired; its verify checks them now.

-- Checks of functions that fn_org_routing changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'api.add_time_entry(uuid,uuid,timestamp with time zone,timestamp with time zone,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.add_time_entry(uuid,uuid,timestamp with time zone,timestamp with time zone,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.add_time_entry(uuid,uuid,timestamp with time zone,timestamp with time zone,text)';
  END IF;
  PERFORM 'api.assign_session_staff(uuid,timestamp with time zone,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.assign_session_staff(uuid,timestamp with time zone,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.assign_session_staff(uuid,timestamp with time zone,uuid)';
  END IF;
  PERFORM 'api.clock_in(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.clock_in(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.clock_in(uuid)';
  END IF;
  PERFORM 'api.clock_out(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.clock_out(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.clock_out(uuid)';
  END IF;
  PERFORM 'api.correct_time_entry(uuid,timestamp with time zone,timestamp with time zone,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.correct_time_entry(uuid,timestamp with time zone,timestamp with time zone,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.correct_time_entry(uuid,timestamp with time zone,timestamp with time zone,text)';
  END IF;
  PERFORM 'api.create_shift(uuid,uuid,timestamp with time zone,timestamp with time zone,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.create_shift(uuid,uuid,timestamp with time zone,timestamp with time zone,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.create_shift(uuid,uuid,timestamp with time zone,timestamp with time zone,text)';
  END IF;
  PERFORM 'api.delete_shift(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.delete_shift(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.delete_shift(uuid)';
  END IF;
  PERFORM 'api.get_timesheet(uuid,date,date,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.get_timesheet(uuid,date,date,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.get_timesheet(uuid,date,date,uuid)';
  END IF;
  PERFORM 'api.list_session_staff(uuid,timestamp with time zone)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.list_session_staff(uuid,timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.list_session_staff(uuid,timestamp with time zone)';
  END IF;
  PERFORM 'api.list_shifts(uuid,date,date,uuid,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.list_shifts(uuid,date,date,uuid,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.list_shifts(uuid,date,date,uuid,uuid)';
  END IF;
  PERFORM 'api.list_time_entries(uuid,date,date,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.list_time_entries(uuid,date,date,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.list_time_entries(uuid,date,date,uuid)';
  END IF;
  PERFORM 'api.update_shift(uuid,jsonb)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.update_shift(uuid,jsonb)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.update_shift(uuid,jsonb)';
  END IF;
  PERFORM 'private.add_time_entry(uuid,uuid,timestamp with time zone,timestamp with time zone,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.add_time_entry(uuid,uuid,timestamp with time zone,timestamp with time zone,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.add_time_entry(uuid,uuid,timestamp with time zone,timestamp with time zone,text)';
  END IF;
  PERFORM 'private.clock_in(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.clock_in(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.clock_in(uuid)';
  END IF;
  PERFORM 'private.clock_out(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.clock_out(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.clock_out(uuid)';
  END IF;
  PERFORM 'private.correct_time_entry(uuid,timestamp with time zone,timestamp with time zone,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.correct_time_entry(uuid,timestamp with time zone,timestamp with time zone,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.correct_time_entry(uuid,timestamp with time zone,timestamp with time zone,text)';
  END IF;
  PERFORM 'private.correction_answer(app.time_entry_corrections)'::pg_catalog.regprocedure;
  PERFORM 'private.days_arg(date,date)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.days_arg(date,date)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.days_arg(date,date)';
  END IF;
  PERFORM 'private.entry_times(timestamp with time zone,timestamp with time zone,text)'::pg_catalog.regprocedure;
  PERFORM 'private.lock_person(text,uuid,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.lock_person(text,uuid,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.lock_person(text,uuid,uuid)';
  END IF;
  PERFORM 'private.manager_of(uuid,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.manager_of(uuid,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.manager_of(uuid,text)';
  END IF;
  PERFORM 'private.memberships_staff_work()'::pg_catalog.regprocedure;
  PERFORM 'private.session_staff_answer(app.session_staff,app.slots)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.session_staff_answer(app.session_staff,app.slots)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.session_staff_answer(app.session_staff,app.slots)';
  END IF;
  PERFORM 'private.session_staff_on_shift()'::pg_catalog.regprocedure;
  PERFORM 'private.shift_answer(app.shifts)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.shift_answer(app.shifts)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.shift_answer(app.shifts)';
  END IF;
  PERFORM 'private.shift_write_error(text,text,text,text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.shift_write_error(text,text,text,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.shift_write_error(text,text,text,text,text)';
  END IF;
  PERFORM 'private.staff_membership()'::pg_catalog.regprocedure;
  PERFORM 'private.time_entry_answer(app.time_entries)'::pg_catalog.regprocedure;
  PERFORM 'private.time_entry_corrections_kept()'::pg_catalog.regprocedure;
  PERFORM 'private.venue_org(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.venue_org(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.venue_org(uuid)';
  END IF;
  PERFORM 'private.venue_timezone(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.venue_timezone(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.venue_timezone(uuid)';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.session_staff' AND policyname = 'session_staff_delete') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'session_staff_delete', 'app.session_staff';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.session_staff' AND policyname = 'session_staff_insert') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'session_staff_insert', 'app.session_staff';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.session_staff' AND policyname = 'session_staff_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'session_staff_select', 'app.session_staff';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.shifts' AND policyname = 'shifts_delete') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'shifts_delete', 'app.shifts';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.shifts' AND policyname = 'shifts_insert') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'shifts_insert', 'app.shifts';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.shifts' AND policyname = 'shifts_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'shifts_select', 'app.shifts';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.shifts' AND policyname = 'shifts_update') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'shifts_update', 'app.shifts';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.time_entries' AND policyname = 'time_entries_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'time_entries_select', 'app.time_entries';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.time_entry_corrections' AND policyname = 'time_entry_corrections_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'time_entry_corrections_select', 'app.time_entry_corrections';
  END IF;
END
$verify$;

ROLLBACK;
