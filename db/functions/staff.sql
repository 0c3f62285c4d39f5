-- Functions of the `staff` area: shifts, who runs a session (its game master), the time clock, managers'
-- corrections and the timesheet. The rules live in the tables and their triggers, so that no path escapes them:
-- one person is never on two overlapping shifts of an organization and has at most one open time entry (the
-- constraints of the `staff` migration); a person on a shift or a time entry is a member of the organization when
-- it is written, and an assignment to a session lies inside one shift of that person at the session's venue, from
-- both sides (the triggers below). Shifts and assignments are written by managers as themselves under RLS; time
-- entries only by the definers here, which take the time from the database's clock and record every manager's
-- change in app.time_entry_corrections.

-- Triggers. --------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.staff_membership()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  -- A definer: a manager may not read every membership row of their own accord, and the rule must hold anyway.
  IF NOT EXISTS (SELECT FROM app.memberships m WHERE m.org_id = NEW.org_id AND m.user_id = NEW.user_id) THEN
    RAISE EXCEPTION 'that person is not a member of this organization' USING ERRCODE = 'PT400',
      DETAIL = 'not_a_member', HINT = 'invite them first (api.invite_member)';
  END IF;
  RETURN NEW;
END
$$;

COMMENT ON FUNCTION private.staff_membership() IS
'Trigger on app.shifts and app.time_entries: the person (user_id) is a member of the row''s organization when the
row is written, or PT400 not_a_member. Entries of a former member stay; they cannot gain new ones.';

REVOKE ALL ON FUNCTION private.staff_membership() FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.uncovered_session(p_slot_id uuid, p_user_id uuid)
RETURNS text
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  session record;
BEGIN
  SELECT s.org_id, s.starts_at, s.ends_at, e.venue_id, e.name, v.timezone INTO session
    FROM app.slots s
    JOIN app.experiences e ON e.org_id = s.org_id AND e.id = s.experience_id
    JOIN app.venues v ON v.org_id = e.org_id AND v.id = e.venue_id
   WHERE s.id = p_slot_id;
  -- FOR SHARE: a concurrent edit of the covering shift waits for this transaction and then sees its assignment,
  -- and this check, waiting for that edit, reads the shift as it was left.
  PERFORM FROM app.shifts sh
    WHERE sh.org_id = session.org_id AND sh.user_id = p_user_id AND sh.venue_id = session.venue_id
      AND sh.during @> pg_catalog.tstzrange(session.starts_at, session.ends_at)
    FOR SHARE;
  IF FOUND THEN
    RETURN NULL;
  END IF;
  RETURN pg_catalog.format('%s at %s on %s', session.name,
                           pg_catalog.to_char(session.starts_at AT TIME ZONE session.timezone, 'HH24:MI'),
                           pg_catalog.to_char(session.starts_at AT TIME ZONE session.timezone, 'YYYY-MM-DD'));
END
$$;

COMMENT ON FUNCTION private.uncovered_session(uuid, uuid) IS
'NULL when one shift of p_user_id at the venue of session (slot) p_slot_id covers it from start to end (the shift
is locked FOR SHARE until the transaction ends); otherwise the session in words ("The Vault at 19:00 on
2026-12-12", venue-local), for the refusal. For the staff triggers.';

REVOKE ALL ON FUNCTION private.uncovered_session(uuid, uuid) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.session_staff_on_shift()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  session text := private.uncovered_session(NEW.slot_id, NEW.user_id);
BEGIN
  IF session IS NOT NULL THEN
    RAISE EXCEPTION 'that person is not on shift at this venue for the whole of %', session
      USING ERRCODE = 'PT409', DETAIL = 'not_on_shift',
            HINT = 'give them a shift at the venue covering the session first (api.create_shift)';
  END IF;
  RETURN NEW;
END
$$;

COMMENT ON FUNCTION private.session_staff_on_shift() IS
'Trigger on app.session_staff: an assignment lies inside one shift of that person at the experience''s venue,
from the session''s start to its end, or PT409 not_on_shift.';

REVOKE ALL ON FUNCTION private.session_staff_on_shift() FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.shifts_keep_sessions()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  session text;
BEGIN
  -- A shift deleted by a cascade (its venue, organization or account deleted) takes the assignments with it: the
  -- same cascade deletes their sessions or their person.
  IF TG_OP = 'DELETE' AND pg_catalog.pg_trigger_depth() > 1 THEN
    RETURN NULL;
  END IF;
  SELECT u.session INTO session
    FROM (SELECT private.uncovered_session(ss.slot_id, ss.user_id) AS session, s.starts_at
            FROM app.session_staff ss
            JOIN app.slots s ON s.org_id = ss.org_id AND s.id = ss.slot_id
           WHERE ss.org_id = OLD.org_id AND ss.user_id = OLD.user_id
             AND OLD.during @> pg_catalog.tstzrange(s.starts_at, s.ends_at)) u
   WHERE u.session IS NOT NULL
   ORDER BY u.starts_at
   LIMIT 1;
  IF session IS NOT NULL THEN
    RAISE EXCEPTION 'this shift cannot change: that person runs % in it', session
      USING ERRCODE = 'PT409', DETAIL = 'not_on_shift',
            HINT = 'unassign them from the session first (api.unassign_session_staff)';
  END IF;
  RETURN NULL;
END
$$;

COMMENT ON FUNCTION private.shifts_keep_sessions() IS
'Trigger on app.shifts (after update or delete): every session the shift covered and its person runs is still
covered by a shift of theirs at its venue, or PT409 not_on_shift naming the session.';

REVOKE ALL ON FUNCTION private.shifts_keep_sessions() FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.slots_keep_staff()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  session text;
BEGIN
  SELECT u.session INTO session
    FROM (SELECT private.uncovered_session(ss.slot_id, ss.user_id) AS session
            FROM app.session_staff ss WHERE ss.org_id = NEW.org_id AND ss.slot_id = NEW.id) u
   WHERE u.session IS NOT NULL
   LIMIT 1;
  IF session IS NOT NULL THEN
    RAISE EXCEPTION 'the session % would run outside the shift of a person assigned to it', session
      USING ERRCODE = 'PT409', DETAIL = 'not_on_shift',
            HINT = 'extend their shift first, or unassign them (api.unassign_session_staff)';
  END IF;
  RETURN NULL;
END
$$;

COMMENT ON FUNCTION private.slots_keep_staff() IS
'Trigger on app.slots (after its start or end changes): the people assigned to the session are still on shift for
all of it, or PT409 not_on_shift.';

REVOKE ALL ON FUNCTION private.slots_keep_staff() FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.time_entry_corrections_kept()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  -- A correction goes only with its entry (a cascade, from the entry, its venue or its person's account).
  IF TG_OP = 'DELETE' AND pg_catalog.pg_trigger_depth() > 1 THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'time entry corrections are never changed or deleted' USING ERRCODE = 'PT409',
    DETAIL = 'illegal_transition';
END
$$;

COMMENT ON FUNCTION private.time_entry_corrections_kept() IS
'Trigger on app.time_entry_corrections: insert-only (any UPDATE or DELETE of a correction is PT409
illegal_transition), except that a correction goes with its entry when the entry is deleted by a cascade.';

REVOKE ALL ON FUNCTION private.time_entry_corrections_kept() FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.drop_future_staff_work(p_org_id uuid, p_user_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  assignments integer;
  shifts      integer;
  closed      integer;
  cutoff      timestamptz := pg_catalog.now();
BEGIN
  -- Assignments first: the shifts they lie in may go only once they are gone.
  DELETE FROM app.session_staff ss
   USING app.slots s
   WHERE ss.org_id = p_org_id AND ss.user_id = p_user_id AND s.org_id = ss.org_id AND s.id = ss.slot_id
     AND s.starts_at > cutoff;
  GET DIAGNOSTICS assignments = ROW_COUNT;
  DELETE FROM app.shifts sh WHERE sh.org_id = p_org_id AND sh.user_id = p_user_id AND pg_catalog.lower(sh.during) > cutoff;
  GET DIAGNOSTICS shifts = ROW_COUNT;
  -- Worked time is kept; an entry still open ends now, recorded as a correction.
  WITH ended AS (
    UPDATE app.time_entries t SET clock_out = GREATEST(cutoff, t.clock_in + interval '1 second')
     WHERE t.org_id = p_org_id AND t.user_id = p_user_id AND t.clock_out IS NULL
    RETURNING t.org_id, t.id, t.clock_in, t.clock_out
  )
  INSERT INTO app.time_entry_corrections (org_id, entry_id, before_clock_in, before_clock_out, after_clock_in,
                                          after_clock_out, reason, corrected_by)
  SELECT e.org_id, e.id, e.clock_in, NULL, e.clock_in, e.clock_out, 'left the organization', auth.uid()
    FROM ended e;
  GET DIAGNOSTICS closed = ROW_COUNT;
  RETURN pg_catalog.jsonb_build_object('session_assignments', assignments, 'shifts', shifts,
                                       'time_entries_closed', closed);
END
$$;

COMMENT ON FUNCTION private.drop_future_staff_work(uuid, uuid) IS
'What a person leaving an organization leaves behind: deletes their assignments to sessions that have not started
and their shifts that have not started, and ends an open time entry now (recorded as a correction, reason "left
the organization"); worked time, past shifts and the shift they are on stay. Answers the counts:
{session_assignments, shifts, time_entries_closed}. Runs by itself when a membership is deleted (trigger
memberships_staff_work), whichever path deletes it; a definer may call it first for the counts (the trigger then
finds nothing). Granted to no API role.';

REVOKE ALL ON FUNCTION private.drop_future_staff_work(uuid, uuid) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.memberships_staff_work()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  PERFORM private.drop_future_staff_work(OLD.org_id, OLD.user_id);
  RETURN NULL;
END
$$;

COMMENT ON FUNCTION private.memberships_staff_work() IS
'Trigger on app.memberships (after delete): the person''s future shifts and session assignments in that
organization go with the membership (private.drop_future_staff_work).';

REVOKE ALL ON FUNCTION private.memberships_staff_work() FROM PUBLIC;


CREATE OR REPLACE TRIGGER shifts_membership
  BEFORE INSERT OR UPDATE OF org_id, user_id ON app.shifts
  FOR EACH ROW EXECUTE FUNCTION private.staff_membership();
CREATE OR REPLACE TRIGGER time_entries_membership
  BEFORE INSERT OR UPDATE OF org_id, user_id ON app.time_entries
  FOR EACH ROW EXECUTE FUNCTION private.staff_membership();
CREATE OR REPLACE TRIGGER session_staff_on_shift
  BEFORE INSERT OR UPDATE ON app.session_staff
  FOR EACH ROW EXECUTE FUNCTION private.session_staff_on_shift();
CREATE OR REPLACE TRIGGER shifts_keep_sessions
  AFTER UPDATE OF org_id, venue_id, user_id, during OR DELETE ON app.shifts
  FOR EACH ROW EXECUTE FUNCTION private.shifts_keep_sessions();
CREATE OR REPLACE TRIGGER slots_keep_staff
  AFTER UPDATE OF starts_at, ends_at ON app.slots
  FOR EACH ROW EXECUTE FUNCTION private.slots_keep_staff();
CREATE OR REPLACE TRIGGER memberships_staff_work
  AFTER DELETE ON app.memberships
  FOR EACH ROW EXECUTE FUNCTION private.memberships_staff_work();
CREATE OR REPLACE TRIGGER shifts_touch_updated_at
  BEFORE UPDATE ON app.shifts FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();
CREATE OR REPLACE TRIGGER time_entries_touch_updated_at
  BEFORE UPDATE ON app.time_entries FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();
CREATE OR REPLACE TRIGGER time_entry_corrections_insert_only
  BEFORE UPDATE OR DELETE ON app.time_entry_corrections FOR EACH ROW
  EXECUTE FUNCTION private.time_entry_corrections_kept();
CREATE OR REPLACE TRIGGER time_entry_corrections_no_truncate
  BEFORE TRUNCATE ON app.time_entry_corrections FOR EACH STATEMENT EXECUTE FUNCTION private.insert_only();


-- Shifts. ----------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.shift_answer(s app.shifts)
RETURNS jsonb
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
  SELECT pg_catalog.jsonb_build_object(
    'id', s.id, 'org_id', s.org_id, 'venue_id', s.venue_id, 'user_id', s.user_id,
    'starts_at', pg_catalog.lower(s.during), 'ends_at', pg_catalog.upper(s.during), 'note', s.note,
    'created_by', s.created_by, 'created_at', s.created_at, 'updated_at', s.updated_at)
$$;

COMMENT ON FUNCTION private.shift_answer(app.shifts) IS
'A shift as the shift functions answer it: {id, org_id, venue_id, user_id, starts_at, ends_at, note, created_by,
created_at, updated_at}.';

REVOKE ALL ON FUNCTION private.shift_answer(app.shifts) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.shift_answer(app.shifts) TO authenticated;


CREATE OR REPLACE FUNCTION private.manager_of(p_org_id uuid, p_what text)
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
BEGIN
  IF NOT p_org_id = ANY (private.org_ids('manager')) THEN
    RAISE EXCEPTION 'only managers, admins and the owner %', p_what USING ERRCODE = 'PT403';
  END IF;
END
$$;

COMMENT ON FUNCTION private.manager_of(uuid, text) IS
'Raises PT403 "only managers, admins and the owner <p_what>" unless the caller is a manager or more of p_org_id.';

REVOKE ALL ON FUNCTION private.manager_of(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.manager_of(uuid, text) TO authenticated;


CREATE OR REPLACE FUNCTION private.shift_write_error(p_state text, p_schema text, p_table text, p_constraint text,
                                                     p_column text)
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
BEGIN
  IF p_constraint LIKE 'shifts_org_id_venue_id_fkey' THEN
    RAISE EXCEPTION 'venue not found' USING ERRCODE = 'PT404', HINT = 'a shift is at a venue of the organization';
  END IF;
  PERFORM private.constraint_error(p_state, p_schema, p_table, p_constraint, p_column);
END
$$;

COMMENT ON FUNCTION private.shift_write_error(text, text, text, text, text) IS
'Says in words what a constraint refused of a shift (private.constraint_error; a venue of another organization is
PT404 venue not found).';

REVOKE ALL ON FUNCTION private.shift_write_error(text, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.shift_write_error(text, text, text, text, text) TO authenticated;


CREATE OR REPLACE FUNCTION private.lock_person(p_what text, p_org_id uuid, p_user_id uuid)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
BEGIN
  -- Two transactions inserting conflicting rows under an exclusion constraint may each wait for the other, and
  -- one of them is then told "deadlock detected" instead of what it did wrong. Writers of one person's shifts (or
  -- time entries) in an organization take turns here first; the constraint still decides.
  PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended(
    pg_catalog.concat_ws(' ', 'tessera.staff', p_what, p_org_id, p_user_id), 0));
END
$$;

COMMENT ON FUNCTION private.lock_person(text, uuid, uuid) IS
'Takes a transaction advisory lock on one person''s p_what (''shifts'', ''time'') in an organization, so that
concurrent writers meet the exclusion constraints one at a time (a clean PT409, never a deadlock).';

REVOKE ALL ON FUNCTION private.lock_person(text, uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.lock_person(text, uuid, uuid) TO authenticated;


CREATE OR REPLACE FUNCTION private.venue_org(p_venue_id uuid)
RETURNS uuid
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  RETURN (SELECT v.org_id FROM app.venues v
           WHERE v.id = p_venue_id AND v.org_id = ANY (private.org_ids('staff')));
END
$$;

COMMENT ON FUNCTION private.venue_org(uuid) IS
'The organization of a venue when the caller is staff or more of it; NULL otherwise (so a venue of another
organization looks missing). A definer: the staff functions need no privilege on app.venues.';

REVOKE ALL ON FUNCTION private.venue_org(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.venue_org(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION private.venue_timezone(p_venue_id uuid)
RETURNS text
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  RETURN (SELECT v.timezone FROM app.venues v
           WHERE v.id = p_venue_id AND v.org_id = ANY (private.org_ids('staff')));
END
$$;

COMMENT ON FUNCTION private.venue_timezone(uuid) IS
'The IANA zone of a venue when the caller is staff or more of its organization; NULL otherwise. For the venue-local
days of list_shifts and get_timesheet.';

REVOKE ALL ON FUNCTION private.venue_timezone(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.venue_timezone(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.create_shift(venue_id uuid, user_id uuid, starts_at timestamptz, ends_at timestamptz,
                                            note text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  v_org   uuid;
  created app.shifts;
  state   text;
  sch     text;
  tbl     text;
  con     text;
  col     text;
BEGIN
  PERFORM private.time_arg('starts_at', starts_at), private.time_arg('ends_at', ends_at),
          private.text_arg('note', note, 0, 1000);
  IF create_shift.venue_id IS NULL OR create_shift.user_id IS NULL OR starts_at IS NULL OR ends_at IS NULL THEN
    RAISE EXCEPTION 'venue_id, user_id, starts_at and ends_at are required' USING ERRCODE = 'PT400',
      DETAIL = 'required';
  END IF;
  v_org := private.venue_org(create_shift.venue_id);
  IF v_org IS NULL THEN
    RAISE EXCEPTION 'venue not found' USING ERRCODE = 'PT404';
  END IF;
  PERFORM private.manager_of(v_org, 'plan shifts');
  PERFORM private.lock_person('shifts', v_org, create_shift.user_id);
  BEGIN
    INSERT INTO app.shifts (org_id, venue_id, user_id, during, note, created_by)
    VALUES (v_org, create_shift.venue_id, create_shift.user_id, pg_catalog.tstzrange(starts_at, ends_at), note,
            auth.uid())
    RETURNING * INTO created;
  EXCEPTION
    WHEN data_exception THEN
      RAISE EXCEPTION 'a shift ends after it starts' USING ERRCODE = 'PT400', DETAIL = 'invalid';
    WHEN integrity_constraint_violation THEN
      GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, sch = SCHEMA_NAME, tbl = TABLE_NAME,
                              con = CONSTRAINT_NAME, col = COLUMN_NAME;
      PERFORM private.shift_write_error(state, sch, tbl, con, col);
  END;
  RETURN private.shift_answer(created);
END
$$;

COMMENT ON FUNCTION api.create_shift(uuid, uuid, timestamptz, timestamptz, text) IS
$$Plans a shift of a member (user_id) at a venue from starts_at to ends_at (at most 24 hours) and answers it:
{id, org_id, venue_id, user_id, starts_at, ends_at, note, created_by, created_at, updated_at}. One person is never
on two overlapping shifts of the organization. For managers, admins and the owner. Errors: PT400 naming the
argument (a time outside 2000-01-01 to five years from now, a note over 1000 characters, a missing one), a shift
that does not end after it starts or lasts over 24 hours (invalid), a person who is not a member (not_a_member);
PT403 staff; PT404 venue not found; PT409 shift_overlap when the person has a shift then.$$;

REVOKE ALL ON FUNCTION api.create_shift(uuid, uuid, timestamptz, timestamptz, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.create_shift(uuid, uuid, timestamptz, timestamptz, text) TO authenticated;


CREATE OR REPLACE FUNCTION api.update_shift(shift_id uuid, changes jsonb)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  allowed constant text[] := ARRAY['starts_at', 'ends_at', 'venue_id', 'user_id', 'note'];
  current app.shifts;
  changed app.shifts;
  starts  timestamptz;
  ends    timestamptz;
  key     text;
  state   text;
  sch     text;
  tbl     text;
  con     text;
  col     text;
BEGIN
  PERFORM private.changes_arg('changes', changes, allowed);
  FOR key IN SELECT k FROM pg_catalog.jsonb_object_keys(changes) k WHERE k <> 'note' LOOP
    IF pg_catalog.jsonb_typeof(changes -> key) = 'null' THEN
      RAISE EXCEPTION 'changes: % cannot be cleared', key USING ERRCODE = 'PT400', DETAIL = 'invalid';
    END IF;
  END LOOP;
  BEGIN
    starts := private.time_arg('changes: starts_at', (changes ->> 'starts_at')::timestamptz);
    ends := private.time_arg('changes: ends_at', (changes ->> 'ends_at')::timestamptz);
    PERFORM (changes ->> 'venue_id')::uuid, (changes ->> 'user_id')::uuid,
            private.text_arg('changes: note', changes ->> 'note', 0, 1000);
  EXCEPTION WHEN data_exception OR invalid_text_representation THEN
    RAISE EXCEPTION 'changes: starts_at and ends_at are times, venue_id and user_id ids, note a text'
      USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END;
  SELECT s.* INTO current FROM app.shifts s WHERE s.id = shift_id;
  IF current.id IS NULL THEN
    RAISE EXCEPTION 'shift not found' USING ERRCODE = 'PT404';
  END IF;
  PERFORM private.manager_of(current.org_id, 'change shifts');
  -- Both people when the shift changes hands, in one order whoever asks.
  PERFORM private.lock_person('shifts', current.org_id, u)
     FROM (SELECT DISTINCT u FROM unnest(ARRAY[current.user_id, (changes ->> 'user_id')::uuid]) u
            WHERE u IS NOT NULL ORDER BY u) people;
  -- The UPDATE below changes the row as it is then (locked), from its own values.
  BEGIN
    UPDATE app.shifts s
       SET during = pg_catalog.tstzrange(coalesce(starts, pg_catalog.lower(s.during)),
                                         coalesce(ends, pg_catalog.upper(s.during))),
           venue_id = coalesce((changes ->> 'venue_id')::uuid, s.venue_id),
           user_id = coalesce((changes ->> 'user_id')::uuid, s.user_id),
           note = CASE WHEN changes ? 'note' THEN changes ->> 'note' ELSE s.note END
     WHERE s.id = shift_id
    RETURNING s.* INTO changed;
  EXCEPTION
    WHEN data_exception THEN
      RAISE EXCEPTION 'a shift ends after it starts' USING ERRCODE = 'PT400', DETAIL = 'invalid';
    WHEN integrity_constraint_violation THEN
      GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, sch = SCHEMA_NAME, tbl = TABLE_NAME,
                              con = CONSTRAINT_NAME, col = COLUMN_NAME;
      PERFORM private.shift_write_error(state, sch, tbl, con, col);
  END;
  IF changed.id IS NULL THEN
    RAISE EXCEPTION 'shift not found' USING ERRCODE = 'PT404';
  END IF;
  RETURN private.shift_answer(changed);
END
$$;

COMMENT ON FUNCTION api.update_shift(uuid, jsonb) IS
$$Changes a shift, PATCH-style: changes is an object of the fields to set, of starts_at, ends_at, venue_id,
user_id and note (null clears the note; the others cannot be cleared); absent fields keep theirs. Answers the shift
as create_shift does. A shift that would no longer cover a session its person is assigned to is refused. For
managers, admins and the owner. Errors: PT400 an unknown key (listing the allowed), a value of the wrong type, a
time outside 2000-01-01 to five years from now, a shift that does not end after it starts or lasts over 24 hours,
a person who is not a member (not_a_member); PT403 staff; PT404 shift or venue not found; PT409 shift_overlap, or
not_on_shift naming the session it would leave uncovered.$$;

REVOKE ALL ON FUNCTION api.update_shift(uuid, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.update_shift(uuid, jsonb) TO authenticated;


CREATE OR REPLACE FUNCTION api.delete_shift(shift_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  current app.shifts;
BEGIN
  SELECT s.* INTO current FROM app.shifts s WHERE s.id = shift_id;
  IF current.id IS NULL THEN
    RAISE EXCEPTION 'shift not found' USING ERRCODE = 'PT404';
  END IF;
  PERFORM private.manager_of(current.org_id, 'delete shifts');
  DELETE FROM app.shifts s WHERE s.id = shift_id RETURNING s.* INTO current;
  IF current.id IS NULL THEN
    RAISE EXCEPTION 'shift not found' USING ERRCODE = 'PT404';
  END IF;
  RETURN private.shift_answer(current);
END
$$;

COMMENT ON FUNCTION api.delete_shift(uuid) IS
$$Deletes a shift and answers it as it was (as create_shift answers). Refused while its person runs a session in it.
For managers, admins and the owner. Errors: PT403 staff; PT404 shift not found; PT409 not_on_shift naming the
session (unassign them first).$$;

REVOKE ALL ON FUNCTION api.delete_shift(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.delete_shift(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION private.days_arg(p_from date, p_to date)
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
BEGIN
  PERFORM private.time_arg('from_date', p_from), private.time_arg('to_date', p_to);
  IF p_from IS NULL OR p_to IS NULL THEN
    RAISE EXCEPTION 'from_date and to_date are required' USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  IF p_to < p_from OR p_to - p_from > 366 THEN
    RAISE EXCEPTION 'to_date must be from from_date to 366 days after it' USING ERRCODE = 'PT400',
      DETAIL = 'out_of_range';
  END IF;
END
$$;

COMMENT ON FUNCTION private.days_arg(date, date) IS
'Checks a day window argument (from_date to to_date, both included): each date in the time window, both given,
to_date from from_date to 366 days after it; PT400 naming them otherwise.';

REVOKE ALL ON FUNCTION private.days_arg(date, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.days_arg(date, date) TO authenticated;


CREATE OR REPLACE FUNCTION api.list_shifts(org_id uuid, from_date date, to_date date, venue_id uuid DEFAULT NULL,
                                           user_id uuid DEFAULT NULL)
RETURNS TABLE (id uuid, venue_id uuid, user_id uuid, display_name text, starts_at timestamptz,
               ends_at timestamptz, note text)
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT private.days_arg(from_date, to_date);
  SELECT s.id, s.venue_id, s.user_id, p.display_name, pg_catalog.lower(s.during), pg_catalog.upper(s.during), s.note
    FROM app.shifts s
    CROSS JOIN LATERAL (SELECT private.venue_timezone(s.venue_id) AS timezone) v
    LEFT JOIN app.profiles p ON p.user_id = s.user_id
   WHERE s.org_id = $1
     AND ($4 IS NULL OR s.venue_id = $4)
     AND ($5 IS NULL OR s.user_id = $5)
     AND s.during && pg_catalog.tstzrange(from_date::timestamp AT TIME ZONE v.timezone,
                                          (to_date + 1)::timestamp AT TIME ZONE v.timezone)
   ORDER BY pg_catalog.lower(s.during), s.id
$$;

COMMENT ON FUNCTION api.list_shifts(uuid, date, date, uuid, uuid) IS
$$An organization's shifts that overlap the venue-local days from_date to to_date (both included, at most 367
days), optionally of one venue or one person, by start: {id, venue_id, user_id, display_name, starts_at, ends_at,
note}. For staff of the organization; others see an empty list. Errors: PT400 naming the argument for a date
outside 2000-01-01 to five years from now, a missing one, or to_date before from_date or over 366 days after it.$$;

REVOKE ALL ON FUNCTION api.list_shifts(uuid, date, date, uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.list_shifts(uuid, date, date, uuid, uuid) TO authenticated;


-- Who runs a session. ----------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.staffed_session(p_experience_id uuid, p_starts_at timestamptz)
RETURNS app.slots
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  exp      app.experiences;
  tz       text;
  local_ts timestamp;
  slot     app.slots;
BEGIN
  SELECT e.* INTO exp FROM app.experiences e
   WHERE e.id = p_experience_id AND e.org_id = ANY (private.org_ids('staff'));
  IF exp.id IS NULL THEN
    RAISE EXCEPTION 'experience not found' USING ERRCODE = 'PT404';
  END IF;
  PERFORM private.manager_of(exp.org_id, 'assign staff to sessions');
  SELECT s.* INTO slot FROM app.slots s WHERE s.experience_id = exp.id AND s.starts_at = p_starts_at;
  IF slot.id IS NOT NULL THEN
    RETURN slot;
  END IF;
  -- As place_booking does: a session exists once someone needs it, at a start the schedule offers.
  SELECT v.timezone INTO tz FROM app.venues v WHERE v.id = exp.venue_id;
  local_ts := p_starts_at AT TIME ZONE tz;
  IF NOT EXISTS (SELECT FROM private.schedule_occurrences(exp.id, local_ts::date, local_ts::date) o
                  WHERE o.starts_at = p_starts_at) THEN
    RAISE EXCEPTION 'no session of % starts at %', exp.name, p_starts_at USING ERRCODE = 'PT400',
      HINT = 'pick a start from check_availability';
  END IF;
  INSERT INTO app.slots (org_id, experience_id, starts_at, ends_at, capacity)
  VALUES (exp.org_id, exp.id, p_starts_at, p_starts_at + pg_catalog.make_interval(mins => exp.duration_minutes),
          coalesce(exp.capacity, 1))
  ON CONFLICT (experience_id, starts_at, org_id) DO NOTHING;
  SELECT s.* INTO slot FROM app.slots s WHERE s.experience_id = exp.id AND s.starts_at = p_starts_at;
  RETURN slot;
END
$$;

COMMENT ON FUNCTION private.staffed_session(uuid, timestamptz) IS
'The session (slot) of an experience at a start, for a manager (or more) of its organization to staff: the
existing one, or one made at a start the schedule offers, as place_booking makes it. PT404 experience not found
(also another organization''s), PT403 staff, PT400 no session starts then.';

REVOKE ALL ON FUNCTION private.staffed_session(uuid, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.staffed_session(uuid, timestamptz) TO authenticated;


CREATE OR REPLACE FUNCTION private.session_id(p_experience_id uuid, p_starts_at timestamptz)
RETURNS uuid
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  RETURN (SELECT s.id FROM app.slots s
            JOIN app.experiences e ON e.org_id = s.org_id AND e.id = s.experience_id
           WHERE s.experience_id = p_experience_id AND s.starts_at = p_starts_at
             AND e.org_id = ANY (private.org_ids('staff')));
END
$$;

COMMENT ON FUNCTION private.session_id(uuid, timestamptz) IS
'The id of the session (slot) of an experience at a start, when it exists and the caller is staff of its
organization; NULL otherwise.';

REVOKE ALL ON FUNCTION private.session_id(uuid, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.session_id(uuid, timestamptz) TO authenticated;


CREATE OR REPLACE FUNCTION private.session_staff_answer(a app.session_staff, s app.slots)
RETURNS jsonb
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
  SELECT pg_catalog.jsonb_build_object(
    'slot_id', s.id, 'experience_id', s.experience_id, 'starts_at', s.starts_at, 'ends_at', s.ends_at,
    'user_id', a.user_id, 'role', a.role, 'assigned_by', a.assigned_by, 'assigned_at', a.assigned_at)
$$;

COMMENT ON FUNCTION private.session_staff_answer(app.session_staff, app.slots) IS
'An assignment as the session staff functions answer it: {slot_id, experience_id, starts_at, ends_at, user_id,
role, assigned_by, assigned_at}.';

REVOKE ALL ON FUNCTION private.session_staff_answer(app.session_staff, app.slots) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.session_staff_answer(app.session_staff, app.slots) TO authenticated;


CREATE OR REPLACE FUNCTION api.assign_session_staff(experience_id uuid, starts_at timestamptz, user_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  slot     app.slots;
  assigned app.session_staff;
BEGIN
  PERFORM private.time_arg('starts_at', starts_at);
  IF assign_session_staff.experience_id IS NULL OR starts_at IS NULL OR assign_session_staff.user_id IS NULL THEN
    RAISE EXCEPTION 'experience_id, starts_at and user_id are required' USING ERRCODE = 'PT400',
      DETAIL = 'required';
  END IF;
  slot := private.staffed_session(assign_session_staff.experience_id, starts_at);
  INSERT INTO app.session_staff (org_id, slot_id, user_id, assigned_by)
  VALUES (slot.org_id, slot.id, assign_session_staff.user_id, auth.uid())
  ON CONFLICT ON CONSTRAINT session_staff_pkey DO NOTHING;
  SELECT a.* INTO assigned FROM app.session_staff a
   WHERE a.slot_id = slot.id AND a.user_id = assign_session_staff.user_id;
  RETURN private.session_staff_answer(assigned, slot);
END
$$;

COMMENT ON FUNCTION api.assign_session_staff(uuid, timestamptz, uuid) IS
$$Assigns a person to run the session of an experience at starts_at (its game master) and answers the assignment:
{slot_id, experience_id, starts_at, ends_at, user_id, role, assigned_by, assigned_at}; assigning them again answers
the same. The session is made if none exists yet, at a start the schedule offers. The person must be on one shift
at the experience's venue from the session's start to its end. For managers, admins and the owner. Errors: PT400
naming the argument (a time outside 2000-01-01 to five years from now, a missing one), or no session starts then;
PT403 staff; PT404 experience not found; PT409 not_on_shift.$$;

REVOKE ALL ON FUNCTION api.assign_session_staff(uuid, timestamptz, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.assign_session_staff(uuid, timestamptz, uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.unassign_session_staff(experience_id uuid, starts_at timestamptz, user_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  slot    app.slots;
  removed app.session_staff;
BEGIN
  PERFORM private.time_arg('starts_at', starts_at);
  IF unassign_session_staff.experience_id IS NULL OR starts_at IS NULL OR unassign_session_staff.user_id IS NULL THEN
    RAISE EXCEPTION 'experience_id, starts_at and user_id are required' USING ERRCODE = 'PT400',
      DETAIL = 'required';
  END IF;
  slot := private.staffed_session(unassign_session_staff.experience_id, starts_at);
  DELETE FROM app.session_staff a
   WHERE a.org_id = slot.org_id AND a.slot_id = slot.id AND a.user_id = unassign_session_staff.user_id
  RETURNING a.* INTO removed;
  IF removed.slot_id IS NULL THEN
    RAISE EXCEPTION 'that person is not assigned to this session' USING ERRCODE = 'PT404';
  END IF;
  RETURN private.session_staff_answer(removed, slot);
END
$$;

COMMENT ON FUNCTION api.unassign_session_staff(uuid, timestamptz, uuid) IS
$$Removes a person from the session of an experience at starts_at and answers the assignment as it was (as
assign_session_staff answers). For managers, admins and the owner. Errors: PT400 naming the argument, or no
session starts then; PT403 staff; PT404 experience not found, or the person is not assigned.$$;

REVOKE ALL ON FUNCTION api.unassign_session_staff(uuid, timestamptz, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.unassign_session_staff(uuid, timestamptz, uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.list_session_staff(experience_id uuid, starts_at timestamptz)
RETURNS TABLE (user_id uuid, display_name text, role text, assigned_by uuid, assigned_at timestamptz)
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT private.time_arg('starts_at', starts_at);
  SELECT a.user_id, p.display_name, a.role, a.assigned_by, a.assigned_at
    FROM app.session_staff a
    LEFT JOIN app.profiles p ON p.user_id = a.user_id
   WHERE a.slot_id = private.session_id($1, $2)
   ORDER BY a.assigned_at, a.user_id
$$;

COMMENT ON FUNCTION api.list_session_staff(uuid, timestamptz) IS
$$Who runs the session of an experience at starts_at: {user_id, display_name, role, assigned_by, assigned_at}, in
the order they were assigned; none for a session nobody staffed or booked yet. For staff of the organization;
others see an empty list. Errors: PT400 starts_at outside 2000-01-01 to five years from now.$$;

REVOKE ALL ON FUNCTION api.list_session_staff(uuid, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.list_session_staff(uuid, timestamptz) TO authenticated;


-- The time clock. --------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.time_entry_answer(t app.time_entries)
RETURNS jsonb
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
  SELECT pg_catalog.jsonb_build_object(
    'id', t.id, 'org_id', t.org_id, 'venue_id', t.venue_id, 'user_id', t.user_id, 'clock_in', t.clock_in,
    'clock_out', t.clock_out, 'source', t.source,
    'minutes', (EXTRACT(epoch FROM t.clock_out - t.clock_in) / 60)::integer)
$$;

COMMENT ON FUNCTION private.time_entry_answer(app.time_entries) IS
'A time entry as the time clock answers it: {id, org_id, venue_id, user_id, clock_in, clock_out, source, minutes}
(minutes NULL while open).';

REVOKE ALL ON FUNCTION private.time_entry_answer(app.time_entries) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.clock_in(p_venue_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  caller  uuid := auth.uid();
  v_org   uuid;
  entry   app.time_entries;
BEGIN
  IF caller IS NULL THEN
    RAISE EXCEPTION 'sign in first' USING ERRCODE = 'PT401';
  END IF;
  SELECT v.org_id INTO v_org FROM app.venues v
   WHERE v.id = p_venue_id AND v.org_id = ANY (private.org_ids('staff'));
  IF v_org IS NULL THEN
    RAISE EXCEPTION 'venue not found' USING ERRCODE = 'PT404';
  END IF;
  PERFORM private.lock_person('time', v_org, caller);
  BEGIN
    -- The database's clock, not the caller's: the open-entry index decides between simultaneous taps.
    INSERT INTO app.time_entries (org_id, venue_id, user_id, clock_in, source)
    VALUES (v_org, p_venue_id, caller, pg_catalog.clock_timestamp(), 'clock')
    RETURNING * INTO entry;
  EXCEPTION WHEN unique_violation OR exclusion_violation THEN
    RAISE EXCEPTION 'you are already clocked in' USING ERRCODE = 'PT409', DETAIL = 'already_clocked_in',
      HINT = 'clock out first (api.clock_out)';
  END;
  RETURN private.time_entry_answer(entry);
END
$$;

COMMENT ON FUNCTION private.clock_in(uuid) IS
'Clocks the caller in at a venue of an organization they are staff of, now (api.clock_in).';

REVOKE ALL ON FUNCTION private.clock_in(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.clock_in(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.clock_in(venue_id uuid)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.clock_in(venue_id)
$$;

COMMENT ON FUNCTION api.clock_in(uuid) IS
$$Clocks the caller in at a venue, now by the database's clock, and answers the open entry: {id, org_id,
venue_id, user_id, clock_in, clock_out: null, source: "clock", minutes: null}. One open entry per person and
organization: simultaneous calls make one. For staff and up of the venue's organization, for themselves. Errors:
PT401 not signed in; PT404 venue not found (also another organization's); PT409 already_clocked_in.$$;

REVOKE ALL ON FUNCTION api.clock_in(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.clock_in(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION private.clock_out(p_org_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  caller uuid := auth.uid();
  entry  app.time_entries;
BEGIN
  IF caller IS NULL THEN
    RAISE EXCEPTION 'sign in first' USING ERRCODE = 'PT401';
  END IF;
  UPDATE app.time_entries t
     SET clock_out = GREATEST(pg_catalog.clock_timestamp(), t.clock_in + interval '1 microsecond')
   WHERE t.org_id = p_org_id AND t.user_id = caller AND t.clock_out IS NULL
  RETURNING t.* INTO entry;
  IF entry.id IS NULL THEN
    RAISE EXCEPTION 'you are not clocked in' USING ERRCODE = 'PT409', DETAIL = 'not_clocked_in',
      HINT = 'clock in first (api.clock_in)';
  END IF;
  RETURN private.time_entry_answer(entry);
END
$$;

COMMENT ON FUNCTION private.clock_out(uuid) IS
'Clocks the caller out of their open entry in an organization, now (api.clock_out).';

REVOKE ALL ON FUNCTION private.clock_out(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.clock_out(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.clock_out(org_id uuid)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.clock_out(org_id)
$$;

COMMENT ON FUNCTION api.clock_out(uuid) IS
$$Clocks the caller out of their open entry in an organization, now by the database's clock, and answers it
(as clock_in answers, with clock_out and minutes). For the person themself. Errors: PT401 not signed in; PT409
not_clocked_in (also for an organization the caller is not in).$$;

REVOKE ALL ON FUNCTION api.clock_out(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.clock_out(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION private.correction_answer(c app.time_entry_corrections)
RETURNS jsonb
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
  SELECT pg_catalog.jsonb_build_object(
    'id', c.id, 'entry_id', c.entry_id, 'before_clock_in', c.before_clock_in, 'before_clock_out', c.before_clock_out,
    'after_clock_in', c.after_clock_in, 'after_clock_out', c.after_clock_out, 'reason', c.reason,
    'corrected_by', c.corrected_by, 'at', c.at)
$$;

COMMENT ON FUNCTION private.correction_answer(app.time_entry_corrections) IS
'A correction as the correcting functions answer it: {id, entry_id, before_clock_in, before_clock_out,
after_clock_in, after_clock_out, reason, corrected_by, at}.';

REVOKE ALL ON FUNCTION private.correction_answer(app.time_entry_corrections) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.entry_times(p_clock_in timestamptz, p_clock_out timestamptz, p_reason text)
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
BEGIN
  IF p_clock_in IS NULL OR p_reason IS NULL OR pg_catalog.btrim(p_reason) = '' THEN
    RAISE EXCEPTION 'clock_in and reason are required' USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  IF p_clock_in > pg_catalog.clock_timestamp() OR p_clock_out > pg_catalog.clock_timestamp() THEN
    RAISE EXCEPTION 'clock_in and clock_out cannot be in the future' USING ERRCODE = 'PT400',
      DETAIL = 'out_of_range';
  END IF;
  IF p_clock_out <= p_clock_in THEN
    RAISE EXCEPTION 'clock_out must be after clock_in' USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
END
$$;

COMMENT ON FUNCTION private.entry_times(timestamptz, timestamptz, text) IS
'Checks a manager''s times for an entry: clock_in and a reason given, neither time in the future, clock_out (NULL:
still open) after clock_in; PT400 otherwise.';

REVOKE ALL ON FUNCTION private.entry_times(timestamptz, timestamptz, text) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.correct_time_entry(p_entry_id uuid, p_clock_in timestamptz,
                                                      p_clock_out timestamptz, p_reason text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  before     app.time_entries;
  after      app.time_entries;
  correction app.time_entry_corrections;
BEGIN
  SELECT t.* INTO before FROM app.time_entries t
   WHERE t.id = p_entry_id AND t.org_id = ANY (private.org_ids('staff'))
     FOR UPDATE;
  IF before.id IS NULL THEN
    RAISE EXCEPTION 'time entry not found' USING ERRCODE = 'PT404';
  END IF;
  PERFORM private.manager_of(before.org_id, 'correct time entries');
  PERFORM private.lock_person('time', before.org_id, before.user_id);
  PERFORM private.entry_times(p_clock_in, p_clock_out, p_reason);
  BEGIN
    UPDATE app.time_entries t SET clock_in = p_clock_in, clock_out = p_clock_out
     WHERE t.id = p_entry_id RETURNING t.* INTO after;
  EXCEPTION
    WHEN unique_violation THEN
      RAISE EXCEPTION 'that person has another open time entry' USING ERRCODE = 'PT409',
        DETAIL = 'already_clocked_in', HINT = 'give this entry a clock_out';
    WHEN exclusion_violation THEN
      RAISE EXCEPTION 'that person has another time entry then' USING ERRCODE = 'PT409',
        DETAIL = 'overlapping_entry', HINT = 'correct the other entry first';
  END;
  INSERT INTO app.time_entry_corrections (org_id, entry_id, before_clock_in, before_clock_out, after_clock_in,
                                          after_clock_out, reason, corrected_by)
  VALUES (before.org_id, before.id, before.clock_in, before.clock_out, after.clock_in, after.clock_out,
          pg_catalog.btrim(p_reason), auth.uid())
  RETURNING * INTO correction;
  RETURN pg_catalog.jsonb_build_object('entry', private.time_entry_answer(after),
                                       'correction', private.correction_answer(correction));
END
$$;

COMMENT ON FUNCTION private.correct_time_entry(uuid, timestamptz, timestamptz, text) IS
'api.correct_time_entry, checking the caller is a manager or more of the entry''s organization.';

REVOKE ALL ON FUNCTION private.correct_time_entry(uuid, timestamptz, timestamptz, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.correct_time_entry(uuid, timestamptz, timestamptz, text) TO authenticated;


CREATE OR REPLACE FUNCTION api.correct_time_entry(entry_id uuid, clock_in timestamptz, clock_out timestamptz,
                                                  reason text)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.time_arg('clock_in', clock_in), private.time_arg('clock_out', clock_out),
         private.text_arg('reason', reason, 1, 1000);
  SELECT private.correct_time_entry(entry_id, clock_in, clock_out, reason)
$$;

COMMENT ON FUNCTION api.correct_time_entry(uuid, timestamptz, timestamptz, text) IS
$$Sets a time entry's clock_in and clock_out (NULL: the entry stays, or becomes, open) and records the correction
with its reason, the times before and after, who and when; answers {entry: {…as clock_in answers}, correction:
{id, entry_id, before_clock_in, before_clock_out, after_clock_in, after_clock_out, reason, corrected_by, at}}.
For managers, admins and the owner, their own entries included. Errors: PT400 naming the argument (a time outside
2000-01-01 to five years from now, a reason of more than 1000 characters), a missing clock_in or reason, a time in
the future, clock_out not after clock_in; PT403 staff; PT404 time entry not found; PT409 already_clocked_in
(another open entry) or overlapping_entry (another entry then).$$;

REVOKE ALL ON FUNCTION api.correct_time_entry(uuid, timestamptz, timestamptz, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.correct_time_entry(uuid, timestamptz, timestamptz, text) TO authenticated;


CREATE OR REPLACE FUNCTION private.add_time_entry(p_venue_id uuid, p_user_id uuid, p_clock_in timestamptz,
                                                  p_clock_out timestamptz, p_reason text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  v_org      uuid;
  entry      app.time_entries;
  correction app.time_entry_corrections;
BEGIN
  SELECT v.org_id INTO v_org FROM app.venues v
   WHERE v.id = p_venue_id AND v.org_id = ANY (private.org_ids('staff'));
  IF v_org IS NULL THEN
    RAISE EXCEPTION 'venue not found' USING ERRCODE = 'PT404';
  END IF;
  PERFORM private.manager_of(v_org, 'add time entries');
  IF p_user_id IS NULL THEN
    RAISE EXCEPTION 'user_id is required' USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  PERFORM private.entry_times(p_clock_in, p_clock_out, p_reason);
  PERFORM private.lock_person('time', v_org, p_user_id);
  BEGIN
    INSERT INTO app.time_entries (org_id, venue_id, user_id, clock_in, clock_out, source)
    VALUES (v_org, p_venue_id, p_user_id, p_clock_in, p_clock_out, 'manager')
    RETURNING * INTO entry;
  EXCEPTION
    WHEN unique_violation THEN
      RAISE EXCEPTION 'that person has an open time entry already' USING ERRCODE = 'PT409',
        DETAIL = 'already_clocked_in', HINT = 'give this entry a clock_out';
    WHEN exclusion_violation THEN
      RAISE EXCEPTION 'that person has another time entry then' USING ERRCODE = 'PT409',
        DETAIL = 'overlapping_entry', HINT = 'correct the other entry instead';
  END;
  INSERT INTO app.time_entry_corrections (org_id, entry_id, after_clock_in, after_clock_out, reason, corrected_by)
  VALUES (v_org, entry.id, entry.clock_in, entry.clock_out, pg_catalog.btrim(p_reason), auth.uid())
  RETURNING * INTO correction;
  RETURN pg_catalog.jsonb_build_object('entry', private.time_entry_answer(entry),
                                       'correction', private.correction_answer(correction));
END
$$;

COMMENT ON FUNCTION private.add_time_entry(uuid, uuid, timestamptz, timestamptz, text) IS
'api.add_time_entry, checking the caller is a manager or more of the venue''s organization.';

REVOKE ALL ON FUNCTION private.add_time_entry(uuid, uuid, timestamptz, timestamptz, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.add_time_entry(uuid, uuid, timestamptz, timestamptz, text) TO authenticated;


CREATE OR REPLACE FUNCTION api.add_time_entry(venue_id uuid, user_id uuid, clock_in timestamptz,
                                              clock_out timestamptz, reason text)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.time_arg('clock_in', clock_in), private.time_arg('clock_out', clock_out),
         private.text_arg('reason', reason, 1, 1000);
  SELECT private.add_time_entry(venue_id, user_id, clock_in, clock_out, reason)
$$;

COMMENT ON FUNCTION api.add_time_entry(uuid, uuid, timestamptz, timestamptz, text) IS
$$Adds a time entry for a member at a venue (one who forgot to clock, say; clock_out NULL leaves it open), source
"manager", recorded as a correction with its reason (before_* null); answers as correct_time_entry does. For
managers, admins and the owner, for themselves too. Errors: PT400 naming the argument, a missing one, a time in the
future, clock_out not after clock_in, a person who is not a member (not_a_member); PT403 staff; PT404 venue not
found; PT409 already_clocked_in or overlapping_entry.$$;

REVOKE ALL ON FUNCTION api.add_time_entry(uuid, uuid, timestamptz, timestamptz, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.add_time_entry(uuid, uuid, timestamptz, timestamptz, text) TO authenticated;


CREATE OR REPLACE FUNCTION api.list_time_entries(org_id uuid, from_date date, to_date date, user_id uuid DEFAULT NULL)
RETURNS TABLE (id uuid, venue_id uuid, user_id uuid, display_name text, clock_in timestamptz, clock_out timestamptz,
               source text, minutes integer, corrections jsonb)
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT private.days_arg(from_date, to_date);
  SELECT t.id, t.venue_id, t.user_id, p.display_name, t.clock_in, t.clock_out, t.source,
         (EXTRACT(epoch FROM t.clock_out - t.clock_in) / 60)::integer,
         coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                            'id', c.id, 'before_clock_in', c.before_clock_in, 'before_clock_out', c.before_clock_out,
                            'after_clock_in', c.after_clock_in, 'after_clock_out', c.after_clock_out,
                            'reason', c.reason, 'corrected_by', c.corrected_by, 'at', c.at) ORDER BY c.at, c.id)
                     FROM app.time_entry_corrections c WHERE c.entry_id = t.id), '[]')
    FROM app.time_entries t
    CROSS JOIN LATERAL (SELECT private.venue_timezone(t.venue_id) AS timezone) v
    LEFT JOIN app.profiles p ON p.user_id = t.user_id
   WHERE t.org_id = $1
     AND ($4 IS NULL OR t.user_id = $4)
     AND pg_catalog.tstzrange(t.clock_in, t.clock_out)
         && pg_catalog.tstzrange(from_date::timestamp AT TIME ZONE v.timezone,
                                 (to_date + 1)::timestamp AT TIME ZONE v.timezone)
   ORDER BY t.clock_in, t.id
$$;

COMMENT ON FUNCTION api.list_time_entries(uuid, date, date, uuid) IS
$$The time entries that overlap the venue-local days from_date to to_date (both included, at most 367 days),
optionally of one person, by clock-in: {id, venue_id, user_id, display_name, clock_in, clock_out (null while
open), source, minutes, corrections: [{id, before_clock_in, before_clock_out, after_clock_in, after_clock_out,
reason, corrected_by, at}]}: what a manager reviews and corrects (api.correct_time_entry takes the id). Staff see
their own entries, managers, admins and the owner everyone's; others see an empty list. Errors: PT400 naming the
argument for a date outside 2000-01-01 to five years from now, a missing one, or to_date before from_date or over
366 days after it.$$;

REVOKE ALL ON FUNCTION api.list_time_entries(uuid, date, date, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.list_time_entries(uuid, date, date, uuid) TO authenticated;


-- The timesheet. ---------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION api.get_timesheet(org_id uuid, from_date date, to_date date, user_id uuid DEFAULT NULL)
RETURNS TABLE (user_id uuid, display_name text, venue_id uuid, day date, minutes integer, hours numeric(6, 2))
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT private.days_arg(from_date, to_date);
  WITH worked AS (
    -- An open entry counts up to now.
    SELECT t.user_id, t.venue_id, private.venue_timezone(t.venue_id) AS tz,
           pg_catalog.tstzrange(t.clock_in, coalesce(t.clock_out, GREATEST(pg_catalog.now(), t.clock_in)))
             AS span
      FROM app.time_entries t
     WHERE t.org_id = $1
       AND ($4 IS NULL OR t.user_id = $4)
       -- Every zone is within a day of UTC: a day either side finds every entry touching the window.
       AND t.clock_in < (to_date + 2)::timestamp AT TIME ZONE 'UTC'
       AND (t.clock_out IS NULL OR t.clock_out > (from_date - 1)::timestamp AT TIME ZONE 'UTC')
  ), pieces AS (
    -- Split at each venue-local midnight; the day's instants are real, so a DST day is 23 or 25 hours long.
    SELECT w.user_id, w.venue_id, d.day,
           w.span * pg_catalog.tstzrange(d.day::timestamp AT TIME ZONE w.tz, (d.day + 1)::timestamp AT TIME ZONE w.tz)
             AS part
      FROM worked w
     CROSS JOIN LATERAL (
       SELECT g::date AS day
         FROM pg_catalog.generate_series((pg_catalog.lower(w.span) AT TIME ZONE w.tz)::date::timestamp,
                                         (pg_catalog.upper(w.span) AT TIME ZONE w.tz)::date::timestamp,
                                         interval '1 day') g) d
     WHERE d.day BETWEEN from_date AND to_date
  ), per_day AS (
    SELECT p.user_id, p.venue_id, p.day,
           pg_catalog.round(pg_catalog.sum(EXTRACT(epoch FROM pg_catalog.upper(p.part)
                                                                        - pg_catalog.lower(p.part))) / 60)::integer
             AS minutes
      FROM pieces p
     WHERE NOT pg_catalog.isempty(p.part)
     GROUP BY p.user_id, p.venue_id, p.day
  )
  SELECT d.user_id, pr.display_name, d.venue_id, d.day, d.minutes, pg_catalog.round(d.minutes / 60.0, 2)::numeric(6, 2)
    FROM per_day d
    LEFT JOIN app.profiles pr ON pr.user_id = d.user_id
   ORDER BY d.user_id, d.day, d.venue_id
$$;

COMMENT ON FUNCTION api.get_timesheet(uuid, date, date, uuid) IS
$$Worked time per person, venue and venue-local day from from_date to to_date (both included, at most 367 days),
optionally of one person: {user_id, display_name, venue_id, day, minutes, hours} (hours = minutes / 60 to two
decimals); no row for a day without work. An entry across midnight is split at the venue's local midnight, and a
day counts real elapsed time, so 22:00 to 06:00 on the night the clocks go back is 9 hours; an open entry counts up
to now. Staff see their own time, managers, admins and the owner everyone's; others see an empty list. Errors:
PT400 naming the argument for a date outside 2000-01-01 to five years from now, a missing one, or to_date before
from_date or over 366 days after it.$$;

REVOKE ALL ON FUNCTION api.get_timesheet(uuid, date, date, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.get_timesheet(uuid, date, date, uuid) TO authenticated;
