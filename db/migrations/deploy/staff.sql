-- Deploy tessera:staff to pg
-- requires: booking
-- requires: extensions
--
-- Staff shifts and the time clock:
--   shifts                  a person's shift at a venue: finite, at most 24 hours; one person is never on two
--                           overlapping shifts of one organization (EXCLUDE, per organization: a person may work
--                           for two, and one organization's shifts never reveal another's)
--   session_staff           who runs a session (slot), e.g. its game master; a trigger keeps each assignment inside
--                           a shift of that person at the experience's venue, from both sides
--   time_entries            clock-in and clock-out; one open entry per person and organization (partial UNIQUE
--                           index) and no two entries overlapping (EXCLUDE over the range, open = unbounded), so
--                           twenty taps of "clock in" make one entry whatever code runs them
--   time_entry_corrections  insert-only: every manager's correction or addition of an entry, before and after,
--                           with its reason, who and when
-- Members read shifts and assignments and managers write them through the api functions, as themselves under RLS;
-- time entries and corrections are written only by SECURITY DEFINER functions that record who did what (API roles
-- may read them: RLS shows staff their own, managers everyone's). btree_gist (extensions) lets the exclusion constraints mix equality on ids with overlap on time ranges.

BEGIN;

CREATE TABLE app.shifts (
  org_id     uuid        NOT NULL,
  venue_id   uuid        NOT NULL,
  id         uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  user_id    uuid        NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
  during     tstzrange   NOT NULL,
  note       text        CHECK (length(note) <= 1000),
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT shifts_during_check CHECK (
    lower(during) IS NOT NULL AND upper(during) IS NOT NULL AND isfinite(lower(during)) AND isfinite(upper(during))
    AND lower_inc(during) AND NOT upper_inc(during) AND NOT isempty(during)
    AND upper(during) - lower(during) <= interval '24 hours'),
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, venue_id) REFERENCES app.venues (org_id, id) ON DELETE CASCADE,
  CONSTRAINT shifts_no_overlap EXCLUDE USING gist (org_id WITH =, user_id WITH =, during WITH &&)
);
CREATE INDEX shifts_venue_during ON app.shifts USING gist (venue_id, during);
COMMENT ON TABLE app.shifts IS
  'A person''s shift at a venue, [starts, ends) and at most 24 hours. One person is never on two overlapping '
  'shifts of one organization (shifts_no_overlap); the person is a member of the organization when written.';
COMMENT ON CONSTRAINT shifts_during_check ON app.shifts IS
  'PT400 invalid: a shift ends after it starts, and lasts at most 24 hours';
COMMENT ON CONSTRAINT shifts_no_overlap ON app.shifts IS
  'PT409 shift_overlap: this person already has a shift then';

CREATE TABLE app.session_staff (
  org_id      uuid        NOT NULL,
  slot_id     uuid        NOT NULL,
  user_id     uuid        NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
  role        text        NOT NULL DEFAULT 'game_master' CHECK (role ~ '^[a-z][a-z0-9_]{0,49}$'),
  assigned_by uuid,
  assigned_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (slot_id, user_id),
  FOREIGN KEY (org_id, slot_id) REFERENCES app.slots (org_id, id) ON DELETE CASCADE
);
CREATE INDEX session_staff_user ON app.session_staff (user_id);
COMMENT ON TABLE app.session_staff IS
  'Who runs a session (slot): its game master(s). Each assignment lies inside one shift of that person at the '
  'experience''s venue, from start to end of the session (trigger, from both sides).';

CREATE TABLE app.time_entries (
  org_id     uuid        NOT NULL,
  venue_id   uuid        NOT NULL,
  id         uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  user_id    uuid        NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
  clock_in   timestamptz NOT NULL CHECK (isfinite(clock_in)),
  clock_out  timestamptz CHECK (isfinite(clock_out)),
  source     text        NOT NULL DEFAULT 'clock' CHECK (source IN ('clock', 'manager')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT time_entries_order CHECK (clock_out > clock_in),
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, venue_id) REFERENCES app.venues (org_id, id) ON DELETE CASCADE,
  CONSTRAINT time_entries_no_overlap
    EXCLUDE USING gist (org_id WITH =, user_id WITH =, tstzrange(clock_in, clock_out) WITH &&)
);
-- One open entry per person and organization, whatever runs the insert.
CREATE UNIQUE INDEX time_entries_one_open ON app.time_entries (org_id, user_id) WHERE clock_out IS NULL;
COMMENT ON TABLE app.time_entries IS
  'Worked time: clock_in to clock_out (NULL while clocked in) at a venue. One open entry per person and '
  'organization (time_entries_one_open) and no two entries of a person overlap (time_entries_no_overlap). '
  'source: clock (the person clocked) or manager (added by a manager, recorded in time_entry_corrections).';
COMMENT ON CONSTRAINT time_entries_order ON app.time_entries IS
  'PT400 invalid: clock-out is after clock-in';
COMMENT ON CONSTRAINT time_entries_no_overlap ON app.time_entries IS
  'PT409 overlapping_entry: this person has another time entry then';

CREATE TABLE app.time_entry_corrections (
  org_id           uuid        NOT NULL,
  id               uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  entry_id         uuid        NOT NULL,
  before_clock_in  timestamptz,
  before_clock_out timestamptz,
  after_clock_in   timestamptz NOT NULL,
  after_clock_out  timestamptz,
  reason           text        NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 1000),
  corrected_by     uuid,
  at               timestamptz NOT NULL DEFAULT now(),
  CHECK (before_clock_in IS NOT NULL OR before_clock_out IS NULL),
  FOREIGN KEY (org_id, entry_id) REFERENCES app.time_entries (org_id, id) ON DELETE CASCADE
);
CREATE INDEX time_entry_corrections_entry ON app.time_entry_corrections (entry_id);
COMMENT ON TABLE app.time_entry_corrections IS
  'Insert-only: each correction (before_* set) or addition (before_* NULL) of a time entry by a manager, with the '
  'times before and after, the reason, who (NULL: nobody signed in, e.g. an entry ended when its person''s '
  'membership was deleted from a console) and when.';

ALTER TABLE app.shifts ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.shifts FORCE ROW LEVEL SECURITY;
ALTER TABLE app.session_staff ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.session_staff FORCE ROW LEVEL SECURITY;
ALTER TABLE app.time_entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.time_entries FORCE ROW LEVEL SECURITY;
ALTER TABLE app.time_entry_corrections ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.time_entry_corrections FORCE ROW LEVEL SECURITY;

-- What the invoker api functions use (db/tests/schemas_table_privileges.sql gives each its reason).
GRANT SELECT, DELETE, INSERT (org_id, venue_id, user_id, during, note, created_by),
      UPDATE (venue_id, user_id, during, note) ON app.shifts TO authenticated;
GRANT SELECT, DELETE, INSERT (org_id, slot_id, user_id, assigned_by) ON app.session_staff TO authenticated;
GRANT SELECT ON app.time_entries, app.time_entry_corrections TO authenticated;

COMMIT;
