-- Revert tessera:staff_rules from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop trigger if exists "memberships_staff_work" on "app"."memberships";

drop trigger if exists "audit_log" on "app"."session_staff";

drop trigger if exists "session_staff_on_shift" on "app"."session_staff";

drop trigger if exists "audit_log" on "app"."shifts";

drop trigger if exists "shifts_keep_sessions" on "app"."shifts";

drop trigger if exists "shifts_membership" on "app"."shifts";

drop trigger if exists "shifts_touch_updated_at" on "app"."shifts";

drop trigger if exists "slots_keep_staff" on "app"."slots";

drop trigger if exists "audit_log" on "app"."time_entries";

drop trigger if exists "time_entries_membership" on "app"."time_entries";

drop trigger if exists "time_entries_touch_updated_at" on "app"."time_entries";

drop trigger if exists "audit_log" on "app"."time_entry_corrections";

drop trigger if exists "time_entry_corrections_insert_only" on "app"."time_entry_corrections";

drop trigger if exists "time_entry_corrections_no_truncate" on "app"."time_entry_corrections";

drop policy "session_staff_delete" on "app"."session_staff";

drop policy "session_staff_insert" on "app"."session_staff";

drop policy "session_staff_select" on "app"."session_staff";

drop policy "shifts_delete" on "app"."shifts";

drop policy "shifts_insert" on "app"."shifts";

drop policy "shifts_select" on "app"."shifts";

drop policy "shifts_update" on "app"."shifts";

drop policy "time_entries_select" on "app"."time_entries";

drop policy "time_entry_corrections_select" on "app"."time_entry_corrections";

drop function if exists "api"."add_time_entry"(venue_id uuid, user_id uuid, clock_in timestamp with time zone, clock_out timestamp with time zone, reason text);

drop function if exists "api"."assign_session_staff"(experience_id uuid, starts_at timestamp with time zone, user_id uuid);

drop function if exists "api"."clock_in"(venue_id uuid);

drop function if exists "api"."clock_out"(org_id uuid);

drop function if exists "api"."correct_time_entry"(entry_id uuid, clock_in timestamp with time zone, clock_out timestamp with time zone, reason text);

drop function if exists "api"."create_shift"(venue_id uuid, user_id uuid, starts_at timestamp with time zone, ends_at timestamp with time zone, note text);

drop function if exists "api"."delete_shift"(shift_id uuid);

drop function if exists "api"."get_timesheet"(org_id uuid, from_date date, to_date date, user_id uuid);

drop function if exists "api"."list_session_staff"(experience_id uuid, starts_at timestamp with time zone);

drop function if exists "api"."list_shifts"(org_id uuid, from_date date, to_date date, venue_id uuid, user_id uuid);

drop function if exists "api"."list_time_entries"(org_id uuid, from_date date, to_date date, user_id uuid);

drop function if exists "api"."unassign_session_staff"(experience_id uuid, starts_at timestamp with time zone, user_id uuid);

drop function if exists "api"."update_shift"(shift_id uuid, changes jsonb);

drop function if exists "private"."add_time_entry"(p_venue_id uuid, p_user_id uuid, p_clock_in timestamp with time zone, p_clock_out timestamp with time zone, p_reason text);

drop function if exists "private"."clock_in"(p_venue_id uuid);

drop function if exists "private"."clock_out"(p_org_id uuid);

drop function if exists "private"."correct_time_entry"(p_entry_id uuid, p_clock_in timestamp with time zone, p_clock_out timestamp with time zone, p_reason text);

drop function if exists "private"."correction_answer"(c app.time_entry_corrections);

drop function if exists "private"."days_arg"(p_from date, p_to date);

drop function if exists "private"."drop_future_staff_work"(p_org_id uuid, p_user_id uuid);

drop function if exists "private"."entry_times"(p_clock_in timestamp with time zone, p_clock_out timestamp with time zone, p_reason text);

drop function if exists "private"."lock_person"(p_what text, p_org_id uuid, p_user_id uuid);

drop function if exists "private"."manager_of"(p_org_id uuid, p_what text);

drop function if exists "private"."memberships_staff_work"();

drop function if exists "private"."session_id"(p_experience_id uuid, p_starts_at timestamp with time zone);

drop function if exists "private"."session_staff_answer"(a app.session_staff, s app.slots);

drop function if exists "private"."session_staff_on_shift"();

drop function if exists "private"."shift_answer"(s app.shifts);

drop function if exists "private"."shift_write_error"(p_state text, p_schema text, p_table text, p_constraint text, p_column text);

drop function if exists "private"."shifts_keep_sessions"();

drop function if exists "private"."slots_keep_staff"();

drop function if exists "private"."staff_membership"();

drop function if exists "private"."staffed_session"(p_experience_id uuid, p_starts_at timestamp with time zone);

drop function if exists "private"."time_entry_answer"(t app.time_entries);

drop function if exists "private"."time_entry_corrections_kept"();

drop function if exists "private"."uncovered_session"(p_slot_id uuid, p_user_id uuid);

drop function if exists "private"."venue_org"(p_venue_id uuid);

drop function if exists "private"."venue_timezone"(p_venue_id uuid);

COMMIT;
