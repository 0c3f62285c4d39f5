-- Functions of the `catalogue` area, managed from the back office: create, update (PATCH, private.changes_arg),
-- archive and restore venues, their hours and closures, rooms, experiences and their rooms, price tiers, ticket
-- types and weekly schedules; and what such a change does to sessions already sold. Writes run as the caller,
-- under the catalogue policies (managers write, admins add and archive venues, staff read); only the follow-up on
-- sold sessions (counters, room claims) runs as a definer, after the caller's own write went through.
--
-- A change that can touch sold sessions (capacity, quotas, duration, buffer, rooms, schedule, hours, closures,
-- archiving) is applied, then one checker (private.booking_problems) lists the future live bookings the new
-- catalogue no longer supports. New problems refuse the change (PT409 bookings_affected, the list as the HINT)
-- unless force is given; with force the change stays and the bookings are answered for staff to contact. Either
-- way every constraint holds: a booking keeps its start, a session keeps room for what it sold, a claim that would
-- collide keeps its old range.

-- Who may do what. ----------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.catalogue_may(p_org_id uuid, p_role app.member_role, p_what text)
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
BEGIN
  -- Someone outside the organization learns nothing: its rows do not exist for them.
  IF p_org_id IS NULL OR NOT p_org_id = ANY (private.org_ids('staff')) THEN
    RAISE EXCEPTION '% not found', p_what USING ERRCODE = 'PT404', DETAIL = 'not_found';
  END IF;
  IF NOT p_org_id = ANY (private.org_ids(p_role)) THEN
    RAISE EXCEPTION 'only % and up may change this %', p_role || 's', p_what USING ERRCODE = 'PT403',
      DETAIL = 'forbidden', HINT = pg_catalog.format('ask one of the organization''s %ss or its owner', p_role);
  END IF;
END
$$;

COMMENT ON FUNCTION private.catalogue_may(uuid, app.member_role, text) IS
'Raises PT404 (p_what not found) unless the caller is a member of the organization p_org_id (NULL: not found),
and PT403 unless they hold at least p_role there.';

REVOKE ALL ON FUNCTION private.catalogue_may(uuid, app.member_role, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.catalogue_may(uuid, app.member_role, text) TO authenticated;


CREATE OR REPLACE FUNCTION private.is_offered(p_experience_id uuid)
RETURNS boolean
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  -- Active, at an open venue, and every room it needs in use: an archived room cannot host a session.
  SELECT coalesce((SELECT e.active AND v.archived_at IS NULL
                          AND NOT EXISTS (SELECT FROM app.experience_resources er
                                            JOIN app.resources r ON r.org_id = er.org_id AND r.id = er.resource_id
                                           WHERE er.org_id = e.org_id AND er.experience_id = e.id
                                             AND NOT r.active)
                     FROM app.experiences e JOIN app.venues v ON v.org_id = e.org_id AND v.id = e.venue_id
                    WHERE e.id = p_experience_id), false)
$$;

COMMENT ON FUNCTION private.is_offered(uuid) IS
'True when an experience may be sold: active (so not archived), its venue not archived, and none of its rooms
inactive or archived. Read by availability, the widget, quotes and place_booking (definers, as their owner).';

REVOKE ALL ON FUNCTION private.is_offered(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.is_offered(uuid) TO anon, authenticated, service_role;


-- Impact on sold sessions. --------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.impact_scope(p_experience_ids uuid[])
RETURNS void
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  -- Its own check: the caller manages every experience in the scope.
  IF EXISTS (SELECT FROM app.experiences e
              WHERE e.id = ANY (p_experience_ids) AND NOT e.org_id = ANY (private.org_ids('manager'))) THEN
    RAISE EXCEPTION 'only managers and up may change this experience' USING ERRCODE = 'PT403',
      DETAIL = 'forbidden';
  END IF;
END
$$;

COMMENT ON FUNCTION private.impact_scope(uuid[]) IS
'Raises PT403 unless the caller is a manager (or above) of the organization of every experience listed. The own
check of the impact definers.';

REVOKE ALL ON FUNCTION private.impact_scope(uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.impact_scope(uuid[]) TO authenticated;


CREATE OR REPLACE FUNCTION private.booking_problems(p_experience_ids uuid[])
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  found jsonb;
  orgs  uuid[];
BEGIN
  PERFORM private.impact_scope(p_experience_ids);
  -- The scope's organizations, found once: every statement below reads in them only, joined on org_id.
  orgs := ARRAY(SELECT DISTINCT e.org_id FROM app.experiences e WHERE e.id = ANY (p_experience_ids));
  WITH live AS (
    -- Future bookings that hold places: confirmed, or pending with a hold still running.
    -- A session runs until its slot ends: the experience's duration now (the booking keeps the times it was sold
    -- with, and its tickets), or the old end where a longer one collided.
    SELECT b.org_id, b.id, b.experience_id, b.slot_id, b.starts_at, sl.ends_at AS session_ends, b.party_size,
           e.kind, e.capacity AS exp_capacity, e.max_party, e.duration_minutes, e.buffer_minutes,
           e.archived_at AS exp_archived, e.active AS exp_active, e.venue_id, v.timezone, v.archived_at AS venue_archived
      FROM app.bookings b
      JOIN app.slots sl ON sl.org_id = b.org_id AND sl.id = b.slot_id
      JOIN app.experiences e ON e.org_id = b.org_id AND e.id = b.experience_id
      JOIN app.venues v ON v.org_id = e.org_id AND v.id = e.venue_id
     WHERE b.org_id = ANY (orgs) AND b.experience_id = ANY (p_experience_ids) AND b.starts_at > pg_catalog.now()
       AND (b.status = 'confirmed' OR (b.status = 'pending' AND b.hold_expires_at > pg_catalog.now()))
  ), problem AS (
    SELECT l.id, 'archived' AS problem FROM live l
     WHERE l.exp_archived IS NOT NULL OR NOT l.exp_active OR l.venue_archived IS NOT NULL
        OR (l.kind = 'private_session' AND EXISTS (
              SELECT FROM app.experience_resources er
                JOIN app.resources r ON r.org_id = er.org_id AND r.id = er.resource_id
               WHERE er.org_id = l.org_id AND er.experience_id = l.experience_id AND NOT r.active))
        OR EXISTS (SELECT FROM app.booking_tickets bt
                     JOIN app.ticket_types tt ON tt.org_id = bt.org_id AND tt.id = bt.ticket_type_id
                    WHERE bt.org_id = l.org_id AND bt.booking_id = l.id AND NOT tt.active)
    UNION ALL
    SELECT l.id, 'over_capacity' FROM live l JOIN app.slots s ON s.org_id = l.org_id AND s.id = l.slot_id
     WHERE (l.kind = 'ticketed_event' AND s.taken > l.exp_capacity)
        OR (l.kind = 'private_session' AND l.party_size > l.max_party)
    UNION ALL
    SELECT l.id, 'over_quota' FROM live l
     WHERE EXISTS (SELECT FROM app.booking_tickets bt
                     JOIN app.ticket_types tt
                       ON tt.org_id = bt.org_id AND tt.id = bt.ticket_type_id AND tt.quota IS NOT NULL
                     JOIN app.slot_ticket_counts c
                       ON c.org_id = bt.org_id AND c.slot_id = l.slot_id AND c.ticket_type_id = tt.id
                    WHERE bt.org_id = l.org_id AND bt.booking_id = l.id AND c.taken > tt.quota)
    UNION ALL
    -- A session runs on every room of its experience for its duration and buffer: a booking whose claims are
    -- not exactly that kept its old ones because the new ones collided.
    SELECT l.id, 'room_conflict' FROM live l
     WHERE l.kind = 'private_session' AND (
           EXISTS (
             (SELECT er.resource_id, pg_catalog.tstzrange(l.starts_at, l.starts_at
                       + pg_catalog.make_interval(mins => l.duration_minutes + l.buffer_minutes))
                FROM app.experience_resources er WHERE er.org_id = l.org_id AND er.experience_id = l.experience_id)
             EXCEPT
             (SELECT br.resource_id, br.during FROM app.booking_resources br
               WHERE br.org_id = l.org_id AND br.booking_id = l.id))
        OR EXISTS (
             (SELECT br.resource_id FROM app.booking_resources br WHERE br.org_id = l.org_id AND br.booking_id = l.id)
             EXCEPT
             (SELECT er.resource_id FROM app.experience_resources er
               WHERE er.org_id = l.org_id AND er.experience_id = l.experience_id)))
    UNION ALL
    SELECT l.id, 'off_schedule' FROM live l
     WHERE NOT EXISTS (SELECT FROM private.schedule_occurrences(l.experience_id,
                                     (l.starts_at AT TIME ZONE l.timezone)::date,
                                     (l.starts_at AT TIME ZONE l.timezone)::date) o
                        WHERE o.starts_at = l.starts_at)
    UNION ALL
    SELECT l.id, 'outside_hours' FROM live l
     WHERE NOT coalesce(private.opening_hours(l.venue_id, (l.starts_at AT TIME ZONE l.timezone)::date,
                                              (l.session_ends AT TIME ZONE l.timezone)::date)
                        @> pg_catalog.tsrange(l.starts_at AT TIME ZONE l.timezone,
                                              l.session_ends AT TIME ZONE l.timezone),
                        true)
    UNION ALL
    SELECT l.id, 'closed' FROM live l
     WHERE EXISTS (SELECT FROM app.venue_closures c
                    WHERE c.org_id = l.org_id AND c.venue_id = l.venue_id
                      AND c.during && pg_catalog.tstzrange(l.starts_at, l.session_ends))
  )
  SELECT coalesce(pg_catalog.jsonb_agg(DISTINCT pg_catalog.jsonb_build_object('booking_id', p.id,
                                                                              'problem', p.problem)), '[]')
    INTO found FROM problem p;
  RETURN found;
END
$$;

COMMENT ON FUNCTION private.booking_problems(uuid[]) IS
'The one checker of a catalogue change: every future live booking (confirmed, or pending with its hold running)
of the experiences listed that the catalogue as it is now no longer supports, as [{booking_id, problem}], problem
one of over_capacity (its ticketed session sold more than the capacity, or a party above max_party), over_quota,
room_conflict (its rooms or times are not what the experience now occupies: a claim kept because the new one
collided), off_schedule, outside_hours, closed, archived (the experience, its venue, a room or a ticket type).
Its own check: the caller manages every experience listed (PT403).';

REVOKE ALL ON FUNCTION private.booking_problems(uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.booking_problems(uuid[]) TO authenticated;


CREATE OR REPLACE FUNCTION private.settle_impact(p_experience_ids uuid[], p_before jsonb, p_force boolean)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  exp      app.experiences;
  b        app.bookings;
  new_ends timestamptz;
  after    jsonb;
  affected jsonb;
  n        integer;
  listed   text;
  orgs     uuid[];
BEGIN
  PERFORM private.impact_scope(p_experience_ids);
  orgs := ARRAY(SELECT DISTINCT e.org_id FROM app.experiences e WHERE e.id = ANY (p_experience_ids));
  -- Holds that ran out give back what they held first: they are nobody's to keep.
  UPDATE app.bookings x SET status = 'expired'
   WHERE x.experience_id = ANY (p_experience_ids) AND x.status = 'pending' AND x.hold_expires_at <= pg_catalog.now();

  FOR exp IN SELECT e.* FROM app.experiences e WHERE e.id = ANY (p_experience_ids) ORDER BY e.id LOOP
    -- Quotas: a session keeps room for the tickets it sold (quota = greatest(new, taken)).
    DELETE FROM app.slot_ticket_counts c
     USING app.ticket_types tt, app.slots s
     WHERE c.org_id = exp.org_id AND tt.org_id = exp.org_id AND s.org_id = exp.org_id
       AND tt.id = c.ticket_type_id AND tt.experience_id = exp.id AND tt.quota IS NULL
       AND s.id = c.slot_id AND s.starts_at > pg_catalog.now();
    UPDATE app.slot_ticket_counts c SET quota = GREATEST(tt.quota, c.taken)
      FROM app.ticket_types tt, app.slots s
     WHERE c.org_id = exp.org_id AND tt.org_id = exp.org_id AND s.org_id = exp.org_id
       AND tt.id = c.ticket_type_id AND tt.experience_id = exp.id AND tt.quota IS NOT NULL
       AND s.id = c.slot_id AND s.starts_at > pg_catalog.now();
    -- A type that had no quota of its own had no counter: count what its live bookings hold.
    INSERT INTO app.slot_ticket_counts (org_id, slot_id, ticket_type_id, quota, taken)
    SELECT exp.org_id, s.id, tt.id, GREATEST(tt.quota, sold.n), sold.n
      FROM app.ticket_types tt
      JOIN app.slots s ON s.org_id = tt.org_id AND s.experience_id = exp.id AND s.starts_at > pg_catalog.now()
      CROSS JOIN LATERAL (SELECT coalesce(pg_catalog.sum(bt.quantity), 0)::integer AS n
                            FROM app.booking_tickets bt
                            JOIN app.bookings x ON x.org_id = bt.org_id AND x.id = bt.booking_id
                           WHERE x.org_id = s.org_id AND x.slot_id = s.id AND bt.ticket_type_id = tt.id
                             AND private.booking_is_live(x.status)) sold
     WHERE tt.experience_id = exp.id AND tt.quota IS NOT NULL AND sold.n > 0
    ON CONFLICT (slot_id, ticket_type_id, org_id) DO NOTHING;
    -- Capacity: a session keeps room for what it sold (capacity = greatest(new, taken)): sold out, nobody moved.
    UPDATE app.slots s
       SET capacity = GREATEST(coalesce(exp.capacity, 1), s.taken),
           ends_at = CASE WHEN s.taken = 0 OR exp.kind = 'ticketed_event'
                          THEN s.starts_at + pg_catalog.make_interval(mins => exp.duration_minutes)
                          ELSE s.ends_at END
     WHERE s.experience_id = exp.id AND s.starts_at > pg_catalog.now();
    -- Bookings keep the times they were sold with (and so their tickets); a private session's slot end and room
    -- claims follow the experience unless that collides with another booking's claim: then it keeps its old end
    -- and claim (reported room_conflict).
    IF exp.kind = 'private_session' THEN
      FOR b IN SELECT x.* FROM app.bookings x
                WHERE x.experience_id = exp.id AND x.starts_at > pg_catalog.now()
                  AND x.status IN ('pending', 'confirmed')
                ORDER BY x.starts_at, x.id LOOP
        new_ends := b.starts_at + pg_catalog.make_interval(mins => exp.duration_minutes);
        BEGIN
          UPDATE app.slots s SET ends_at = new_ends WHERE s.id = b.slot_id AND s.ends_at <> new_ends;
          DELETE FROM app.booking_resources br WHERE br.booking_id = b.id;
          INSERT INTO app.booking_resources (org_id, booking_id, resource_id, during, held_until)
          SELECT b.org_id, b.id, er.resource_id,
                 pg_catalog.tstzrange(b.starts_at, new_ends + pg_catalog.make_interval(mins => exp.buffer_minutes)),
                 CASE WHEN b.status = 'pending' THEN b.hold_expires_at END
            FROM app.experience_resources er WHERE er.experience_id = exp.id;
        EXCEPTION WHEN exclusion_violation THEN
          NULL;  -- keeps its old end and claims, as the block rolled back
        END;
      END LOOP;
    END IF;
  END LOOP;

  after := private.booking_problems(p_experience_ids);
  SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
           'booking_id', x.id, 'confirmation_code', x.confirmation_code, 'starts_at', x.starts_at,
           'status', x.status, 'party_size', x.party_size, 'customer_name', c.name, 'customer_email', c.email,
           'problem', p.problem) ORDER BY x.starts_at, x.confirmation_code, p.problem), '[]')
    INTO affected
    FROM pg_catalog.jsonb_to_recordset(after) AS p(booking_id uuid, problem text)
    JOIN app.bookings x ON x.org_id = ANY (orgs) AND x.id = p.booking_id
    JOIN app.customers c ON c.org_id = x.org_id AND c.id = x.customer_id
   WHERE NOT coalesce(p_before, '[]') @> pg_catalog.jsonb_build_array(
           pg_catalog.jsonb_build_object('booking_id', p.booking_id, 'problem', p.problem));

  n := pg_catalog.jsonb_array_length(affected);
  IF n > 0 AND NOT coalesce(p_force, false) THEN
    SELECT pg_catalog.string_agg(a ->> 'confirmation_code' || ' (' || pg_catalog.replace(a ->> 'problem', '_', ' ')
                                 || ')', ', ' ORDER BY o)
      INTO listed FROM pg_catalog.jsonb_array_elements(affected) WITH ORDINALITY AS t(a, o) WHERE o <= 10;
    RAISE EXCEPTION 'the change would affect % booking%: %', n, CASE WHEN n = 1 THEN '' ELSE 's' END,
      listed || CASE WHEN n > 10 THEN pg_catalog.format(' and %s more', n - 10) ELSE '' END
      USING ERRCODE = 'PT409', DETAIL = 'bookings_affected', HINT = affected::text;
  END IF;
  RETURN affected;
END
$$;

COMMENT ON FUNCTION private.settle_impact(uuid[], jsonb, boolean) IS
'After a catalogue change to the experiences listed: brings their future sessions in line (ends, capacities and
quotas, never below what is sold; room claims, keeping an old one where the new one would collide; the bookings
themselves keep the times they were sold with, and their tickets), then lists
the bookings private.booking_problems finds now and did not find in p_before. Without p_force and with any such
booking: PT409 bookings_affected, MESSAGE naming up to 10 codes, HINT the list as JSON (the caller''s statement
rolls back: nothing written). Answers the list, each {booking_id, confirmation_code, starts_at, status,
party_size, customer_name, customer_email, problem}, by start. Its own check: the caller manages them all.';

REVOKE ALL ON FUNCTION private.settle_impact(uuid[], jsonb, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.settle_impact(uuid[], jsonb, boolean) TO authenticated;


CREATE OR REPLACE FUNCTION private.write_row(p_table regclass, p_row jsonb)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  answer jsonb;
  state  text;
  sch    text;
  tbl    text;
  con    text;
  col    text;
BEGIN
  -- Runs as the caller (RLS decides); the keys are the creating function's own, the values its checked arguments.
  EXECUTE pg_catalog.format(
    'INSERT INTO %1$s AS t (%2$s) SELECT %3$s FROM pg_catalog.jsonb_populate_record(NULL::%1$s, $1) r '
    'RETURNING pg_catalog.to_jsonb(t.*)', p_table,
    (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(k), ', ' ORDER BY k) FROM pg_catalog.jsonb_object_keys(p_row) k),
    (SELECT pg_catalog.string_agg('r.' || pg_catalog.quote_ident(k), ', ' ORDER BY k)
       FROM pg_catalog.jsonb_object_keys(p_row) k))
    INTO answer USING p_row;
  RETURN answer;
EXCEPTION WHEN integrity_constraint_violation THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, sch = SCHEMA_NAME, tbl = TABLE_NAME,
                          con = CONSTRAINT_NAME, col = COLUMN_NAME;
  PERFORM private.constraint_error(state, sch, tbl, con, col);
  RETURN NULL;
END
$$;

COMMENT ON FUNCTION private.write_row(regclass, jsonb) IS
'Inserts one row (the keys of p_row, NULL values left out by the caller) into p_table as the caller and answers it
as jsonb; a violated constraint is said in words (private.constraint_error). Used by the create_* functions.';

REVOKE ALL ON FUNCTION private.write_row(regclass, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.write_row(regclass, jsonb) TO authenticated;


-- Venues. ---------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION api.create_venue(
  org_id       uuid,
  name         text,
  timezone     text,
  address_line text DEFAULT NULL,
  city         text DEFAULT NULL,
  postal_code  text DEFAULT NULL,
  country_code text DEFAULT NULL
)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
BEGIN
  PERFORM private.text_arg('name', name, 1, 200), private.text_arg('timezone', timezone, 1, 100),
          private.text_arg('address_line', address_line, 0, 500), private.text_arg('city', city, 0, 200),
          private.text_arg('postal_code', postal_code, 0, 20), private.text_arg('country_code', country_code, 2, 2);
  IF name IS NULL OR timezone IS NULL THEN
    RAISE EXCEPTION '% is required', CASE WHEN name IS NULL THEN 'name' ELSE 'timezone' END
      USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  PERFORM private.catalogue_may(create_venue.org_id, 'admin', 'organization');
  RETURN private.write_row('app.venues', pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
    'org_id', org_id, 'name', name, 'timezone', timezone, 'address_line', address_line, 'city', city,
    'postal_code', postal_code, 'country_code', country_code)));
END
$$;

COMMENT ON FUNCTION api.create_venue(uuid, text, text, text, text, text, text) IS
$$Adds a venue to an organization and answers it (the venue's row as an object, with its new widget key
embed_key). timezone is an IANA zone (Europe/London, Asia/Riyadh): every wall-clock rule of the venue follows it.
A venue opens with no hours (open whenever a schedule says) and no closures: set_venue_hours, add_venue_closure.
For admins and the owner. Errors: PT400 naming the argument (name 1 to 200 characters, a timezone that is no IANA
zone, address_line over 500, city over 200, postal_code over 20, country_code not two capital letters); PT403 a
manager or staff; PT404 not a member of the organization.$$;

REVOKE ALL ON FUNCTION api.create_venue(uuid, text, text, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.create_venue(uuid, text, text, text, text, text, text) TO authenticated;


CREATE OR REPLACE FUNCTION api.update_venue(venue_id uuid, changes jsonb, force boolean DEFAULT false)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  hit    app.venues;
  scope  uuid[];
  before jsonb;
  answer jsonb;
BEGIN
  PERFORM private.changes_arg('changes', changes,
                              ARRAY['name', 'timezone', 'address_line', 'city', 'postal_code', 'country_code',
                                    'age_of_majority']);
  SELECT v.* INTO hit FROM app.venues v WHERE v.id = update_venue.venue_id;
  PERFORM private.catalogue_may(hit.org_id, 'manager', 'venue');
  scope := ARRAY(SELECT e.id FROM app.experiences e WHERE e.venue_id = hit.id);
  before := private.booking_problems(scope);
  answer := private.apply_changes('app.venues', hit.id, changes);
  RETURN pg_catalog.jsonb_build_object('venue', answer, 'affected', private.settle_impact(scope, before, force));
END
$$;

COMMENT ON FUNCTION api.update_venue(uuid, jsonb, boolean) IS
$$Changes a venue, PATCH-style: changes is an object of the fields to set (name, timezone, address_line, city,
postal_code, country_code, age_of_majority (1 to 30: who signs a waiver with a guardian); null clears an optional one; absent fields keep theirs). Answers {"venue": the row,
"affected": [bookings]}. A new time zone keeps every booking at its instant; sessions it moves outside the hours
or the schedule are affected bookings: without force the change is refused (PT409 detail bookings_affected,
HINT the affected list as JSON: [{booking_id, confirmation_code, starts_at, status, party_size, customer_name,
customer_email, problem}]); with force it is made and the list answered. For managers and up. Errors: PT400 a key
that may not change (detail invalid, HINT the keys that may) or a value not allowed; PT403 staff; PT404 not
found.$$;

REVOKE ALL ON FUNCTION api.update_venue(uuid, jsonb, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.update_venue(uuid, jsonb, boolean) TO authenticated;


CREATE OR REPLACE FUNCTION private.set_archived(p_table regclass, p_id uuid, p_archived boolean)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  has_active boolean := EXISTS (SELECT FROM pg_catalog.pg_attribute a
                                 WHERE a.attrelid = p_table AND a.attname = 'active' AND NOT a.attisdropped);
  archived   boolean;
  label      text := CASE p_table WHEN 'app.venues'::regclass THEN 'venue' WHEN 'app.resources'::regclass THEN 'room'
                                  WHEN 'app.experiences'::regclass THEN 'experience' ELSE 'ticket type' END;
BEGIN
  EXECUTE pg_catalog.format('SELECT t.archived_at IS NOT NULL FROM %s t WHERE t.id = $1', p_table)
    INTO archived USING p_id;
  IF archived = p_archived THEN
    RAISE EXCEPTION 'this % is % archived', label, CASE WHEN p_archived THEN 'already' ELSE 'not' END
      USING ERRCODE = 'PT409', DETAIL = CASE WHEN p_archived THEN 'archived' ELSE 'not_archived' END;
  END IF;
  RETURN private.apply_changes(p_table, p_id,
    pg_catalog.jsonb_build_object('archived_at', CASE WHEN p_archived THEN pg_catalog.now() END)
    || CASE WHEN has_active THEN pg_catalog.jsonb_build_object('active', NOT p_archived) ELSE '{}' END);
END
$$;

COMMENT ON FUNCTION private.set_archived(regclass, uuid, boolean) IS
'Archives (archived_at = now, inactive) or restores (archived_at NULL, active) one catalogue row, as the caller;
PT409 archived / not_archived when it already is / is not. Used by the archive_* and restore_* functions after
their checks.';

REVOKE ALL ON FUNCTION private.set_archived(regclass, uuid, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.set_archived(regclass, uuid, boolean) TO authenticated;


CREATE OR REPLACE FUNCTION api.archive_venue(venue_id uuid, force boolean DEFAULT false)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  hit    app.venues;
  scope  uuid[];
  before jsonb;
  answer jsonb;
BEGIN
  SELECT v.* INTO hit FROM app.venues v WHERE v.id = archive_venue.venue_id;
  PERFORM private.catalogue_may(hit.org_id, 'admin', 'venue');
  scope := ARRAY(SELECT e.id FROM app.experiences e WHERE e.venue_id = hit.id);
  before := private.booking_problems(scope);
  answer := private.set_archived('app.venues', hit.id, true);
  RETURN pg_catalog.jsonb_build_object('venue', answer, 'affected', private.settle_impact(scope, before, force));
END
$$;

COMMENT ON FUNCTION api.archive_venue(uuid, boolean) IS
$$Archives a venue: nothing of it is offered any more (its widget key answers as a wrong key, PT404), its history
stays. Future bookings there are affected: without force refused (PT409 detail bookings_affected, HINT the list as
JSON, see update_venue); with force archived and answered {"venue": row, "affected": [...]} for staff to contact.
For admins and the owner. Errors: PT403 managers and staff; PT404 not found; PT409 already archived (detail
archived).$$;

REVOKE ALL ON FUNCTION api.archive_venue(uuid, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.archive_venue(uuid, boolean) TO authenticated;


CREATE OR REPLACE FUNCTION api.restore_venue(venue_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  hit app.venues;
BEGIN
  SELECT v.* INTO hit FROM app.venues v WHERE v.id = restore_venue.venue_id;
  PERFORM private.catalogue_may(hit.org_id, 'admin', 'venue');
  RETURN private.set_archived('app.venues', hit.id, false);
END
$$;

COMMENT ON FUNCTION api.restore_venue(uuid) IS
$$Brings an archived venue back: its widget key works again and its active experiences are offered. Answers the
venue. For admins and the owner. Errors: PT403 managers and staff; PT404 not found; PT409 not archived (detail
not_archived).$$;

REVOKE ALL ON FUNCTION api.restore_venue(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.restore_venue(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION private.clock_arg(p_name text, p_line jsonb, p_key text)
RETURNS time
LANGUAGE plpgsql
IMMUTABLE
SET search_path = ''
AS $$
BEGIN
  IF pg_catalog.jsonb_typeof(p_line -> p_key) <> 'string' OR (p_line ->> p_key) !~ '^([01][0-9]|2[0-4]):[0-5][0-9]$'
     OR (p_line ->> p_key) > '24:00' THEN
    RAISE EXCEPTION '% % must be a time of day as "HH:MM" (00:00 to 24:00), not %', p_name, p_key,
      pg_catalog.left((p_line -> p_key)::text, 50) USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
  RETURN (p_line ->> p_key)::time;
END
$$;

COMMENT ON FUNCTION private.clock_arg(text, jsonb, text) IS
'The time of day at key p_key of a line of the list argument p_name, given as "HH:MM" (24:00 allowed), or PT400
naming it.';

REVOKE ALL ON FUNCTION private.clock_arg(text, jsonb, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.clock_arg(text, jsonb, text) TO authenticated;


CREATE OR REPLACE FUNCTION private.weekday_arg(p_name text, p_line jsonb)
RETURNS smallint
LANGUAGE plpgsql
IMMUTABLE
SET search_path = ''
AS $$
BEGIN
  IF pg_catalog.jsonb_typeof(p_line -> 'weekday') <> 'number' OR (p_line ->> 'weekday') !~ '^[1-7]$' THEN
    RAISE EXCEPTION '% weekday must be 1 (Monday) to 7 (Sunday), not %', p_name,
      pg_catalog.left((p_line -> 'weekday')::text, 50) USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
  RETURN (p_line ->> 'weekday')::smallint;
END
$$;

COMMENT ON FUNCTION private.weekday_arg(text, jsonb) IS
'The ISO weekday (1 = Monday to 7) of a line of the list argument p_name, or PT400 naming it.';

REVOKE ALL ON FUNCTION private.weekday_arg(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.weekday_arg(text, jsonb) TO authenticated;


CREATE OR REPLACE FUNCTION api.set_venue_hours(venue_id uuid, hours jsonb, force boolean DEFAULT false)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  hit    app.venues;
  scope  uuid[];
  before jsonb;
  line   jsonb;
BEGIN
  PERFORM private.rows_arg('hours', hours, ARRAY['weekday', 'opens', 'closes'], ARRAY['weekday', 'opens', 'closes'],
                           50);
  FOR line IN SELECT l FROM pg_catalog.jsonb_array_elements(coalesce(hours, '[]')) l LOOP
    PERFORM private.weekday_arg('hours', line), private.clock_arg('hours', line, 'opens'),
            private.clock_arg('hours', line, 'closes');
  END LOOP;
  SELECT v.* INTO hit FROM app.venues v WHERE v.id = set_venue_hours.venue_id;
  PERFORM private.catalogue_may(hit.org_id, 'manager', 'venue');
  scope := ARRAY(SELECT e.id FROM app.experiences e WHERE e.venue_id = hit.id);
  before := private.booking_problems(scope);
  DELETE FROM app.venue_hours h WHERE h.venue_id = hit.id;
  FOR line IN SELECT l FROM pg_catalog.jsonb_array_elements(coalesce(hours, '[]')) l LOOP
    PERFORM private.write_row('app.venue_hours', pg_catalog.jsonb_build_object(
      'org_id', hit.org_id, 'venue_id', hit.id, 'weekday', line -> 'weekday',
      'opens', private.clock_arg('hours', line, 'opens'), 'closes', private.clock_arg('hours', line, 'closes')));
  END LOOP;
  RETURN pg_catalog.jsonb_build_object(
    'hours', (SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                'weekday', h.weekday, 'opens', pg_catalog.to_char(h.opens, 'HH24:MI'),
                'closes', CASE WHEN h.closes = '24:00' THEN '24:00' ELSE pg_catalog.to_char(h.closes, 'HH24:MI') END)
                ORDER BY h.weekday, h.opens), '[]') FROM app.venue_hours h WHERE h.venue_id = hit.id),
    'affected', private.settle_impact(scope, before, force));
END
$$;

COMMENT ON FUNCTION api.set_venue_hours(uuid, jsonb, boolean) IS
$$Replaces a venue's weekly opening hours with hours, [{"weekday": 1, "opens": "10:00", "closes": "22:00"}, …]
(ISO weekday 1 = Monday; wall-clock times of the venue's zone; an interval ends by 24:00, so a late night is two
intervals; up to 50), or NULL for none (open whenever a schedule says). Answers {"hours": [...], "affected":
[bookings]}: future bookings the new hours leave outside (outside_hours) refuse the change without force (PT409
detail bookings_affected, HINT the list as JSON, see update_venue); with force it is made and they are listed.
For managers and up. Errors: PT400 naming hours and the line (shape, weekday, a time that is no HH:MM, an
interval that closes before it opens or overlaps another); PT403 staff; PT404 not found.$$;

REVOKE ALL ON FUNCTION api.set_venue_hours(uuid, jsonb, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.set_venue_hours(uuid, jsonb, boolean) TO authenticated;


CREATE OR REPLACE FUNCTION api.add_venue_closure(venue_id uuid, starts_at timestamptz, ends_at timestamptz,
                                                 reason text DEFAULT NULL, force boolean DEFAULT false)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  hit    app.venues;
  scope  uuid[];
  before jsonb;
  answer jsonb;
BEGIN
  PERFORM private.time_arg('starts_at', starts_at), private.time_arg('ends_at', ends_at),
          private.text_arg('reason', reason, 0, 500);
  IF starts_at IS NULL OR ends_at IS NULL THEN
    RAISE EXCEPTION '% is required', CASE WHEN starts_at IS NULL THEN 'starts_at' ELSE 'ends_at' END
      USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  IF ends_at <= starts_at THEN
    RAISE EXCEPTION 'ends_at must be after starts_at' USING ERRCODE = 'PT400', DETAIL = 'out_of_range';
  END IF;
  SELECT v.* INTO hit FROM app.venues v WHERE v.id = add_venue_closure.venue_id;
  PERFORM private.catalogue_may(hit.org_id, 'manager', 'venue');
  scope := ARRAY(SELECT e.id FROM app.experiences e WHERE e.venue_id = hit.id);
  before := private.booking_problems(scope);
  answer := private.write_row('app.venue_closures', pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
    'org_id', hit.org_id, 'venue_id', hit.id, 'during', pg_catalog.tstzrange(starts_at, ends_at), 'reason', reason)));
  RETURN pg_catalog.jsonb_build_object('closure', answer, 'affected', private.settle_impact(scope, before, force));
END
$$;

COMMENT ON FUNCTION api.add_venue_closure(uuid, timestamptz, timestamptz, text, boolean) IS
$$Closes a venue from starts_at to ends_at (a holiday, maintenance; reason at most 500 characters): no session
that touches the period is offered. Answers {"closure": row, "affected": [bookings]}: future bookings inside the
period (closed) refuse it without force (PT409 detail bookings_affected, HINT the list as JSON, see
update_venue); with force it is made and they are listed. For managers and up. Errors: PT400 naming the argument
(missing, outside 2000-01-01 to five years from now, an end not after the start, reason over 500); PT403 staff;
PT404 not found.$$;

REVOKE ALL ON FUNCTION api.add_venue_closure(uuid, timestamptz, timestamptz, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.add_venue_closure(uuid, timestamptz, timestamptz, text, boolean) TO authenticated;


CREATE OR REPLACE FUNCTION api.remove_venue_closure(closure_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  hit app.venue_closures;
BEGIN
  SELECT c.* INTO hit FROM app.venue_closures c WHERE c.id = remove_venue_closure.closure_id;
  PERFORM private.catalogue_may(hit.org_id, 'manager', 'closure');
  DELETE FROM app.venue_closures c WHERE c.id = hit.id;
  RETURN pg_catalog.to_jsonb(hit);
END
$$;

COMMENT ON FUNCTION api.remove_venue_closure(uuid) IS
$$Removes a closure (its sessions are offered again) and answers the removed row. For managers and up. Errors:
PT403 staff; PT404 not found.$$;

REVOKE ALL ON FUNCTION api.remove_venue_closure(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.remove_venue_closure(uuid) TO authenticated;


-- Resources (rooms). -------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION api.create_resource(venue_id uuid, name text, kind text DEFAULT 'room')
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  hit app.venues;
BEGIN
  PERFORM private.text_arg('name', name, 1, 200), private.enum_arg('kind', ARRAY[coalesce(kind, 'room')],
                                                                   'app.resource_kind');
  IF name IS NULL THEN
    RAISE EXCEPTION 'name is required' USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  SELECT v.* INTO hit FROM app.venues v WHERE v.id = create_resource.venue_id;
  PERFORM private.catalogue_may(hit.org_id, 'manager', 'venue');
  RETURN private.write_row('app.resources', pg_catalog.jsonb_build_object(
    'org_id', hit.org_id, 'venue_id', hit.id, 'name', name, 'kind', coalesce(kind, 'room')));
END
$$;

COMMENT ON FUNCTION api.create_resource(uuid, text, text) IS
$$Adds a resource to a venue (kind room, the default, staff or equipment; name 1 to 200 characters) and answers
it. A private session occupies the resources set_experience_resources gives it. For managers and up. Errors:
PT400 naming the argument; PT403 staff; PT404 venue not found.$$;

REVOKE ALL ON FUNCTION api.create_resource(uuid, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.create_resource(uuid, text, text) TO authenticated;


CREATE OR REPLACE FUNCTION api.update_resource(resource_id uuid, changes jsonb)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  hit app.resources;
BEGIN
  PERFORM private.changes_arg('changes', changes, ARRAY['name', 'kind']);
  SELECT r.* INTO hit FROM app.resources r WHERE r.id = update_resource.resource_id;
  PERFORM private.catalogue_may(hit.org_id, 'manager', 'room');
  IF changes ? 'kind' THEN
    PERFORM private.enum_arg('kind', ARRAY[changes ->> 'kind'], 'app.resource_kind');
  END IF;
  RETURN private.apply_changes('app.resources', hit.id, changes);
END
$$;

COMMENT ON FUNCTION api.update_resource(uuid, jsonb) IS
$$Renames a resource or changes its kind, PATCH-style (changes: {"name": …, "kind": "room" | "staff" |
"equipment"}) and answers it. For managers and up. Errors: PT400 a key that may not change (HINT the keys that
may) or a value not allowed; PT403 staff; PT404 not found.$$;

REVOKE ALL ON FUNCTION api.update_resource(uuid, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.update_resource(uuid, jsonb) TO authenticated;


CREATE OR REPLACE FUNCTION api.archive_resource(resource_id uuid, force boolean DEFAULT false)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  hit    app.resources;
  scope  uuid[];
  before jsonb;
  answer jsonb;
BEGIN
  SELECT r.* INTO hit FROM app.resources r WHERE r.id = archive_resource.resource_id;
  PERFORM private.catalogue_may(hit.org_id, 'manager', 'room');
  scope := ARRAY(SELECT er.experience_id FROM app.experience_resources er WHERE er.resource_id = hit.id);
  before := private.booking_problems(scope);
  answer := private.set_archived('app.resources', hit.id, true);
  RETURN pg_catalog.jsonb_build_object('resource', answer, 'affected', private.settle_impact(scope, before, force));
END
$$;

COMMENT ON FUNCTION api.archive_resource(uuid, boolean) IS
$$Archives a resource: experiences that need it are no longer offered (give them other rooms with
set_experience_resources); its history stays. Future bookings of those experiences are affected (archived):
without force refused (PT409 detail bookings_affected, HINT the list as JSON, see update_venue); with force
archived and answered {"resource": row, "affected": [...]}. For managers and up. Errors: PT403 staff; PT404 not
found; PT409 already archived.$$;

REVOKE ALL ON FUNCTION api.archive_resource(uuid, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.archive_resource(uuid, boolean) TO authenticated;


CREATE OR REPLACE FUNCTION api.restore_resource(resource_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  hit app.resources;
BEGIN
  SELECT r.* INTO hit FROM app.resources r WHERE r.id = restore_resource.resource_id;
  PERFORM private.catalogue_may(hit.org_id, 'manager', 'room');
  RETURN private.set_archived('app.resources', hit.id, false);
END
$$;

COMMENT ON FUNCTION api.restore_resource(uuid) IS
$$Brings an archived resource back into use and answers it. For managers and up. Errors: PT403 staff; PT404 not
found; PT409 not archived.$$;

REVOKE ALL ON FUNCTION api.restore_resource(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.restore_resource(uuid) TO authenticated;


-- Experiences. -----------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.org_currency(p_org_id uuid)
RETURNS text
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
  -- Its own check: a member of the organization asks.
  SELECT s.currency::text FROM app.org_settings s
   WHERE s.org_id = p_org_id AND p_org_id = ANY (private.org_ids('staff'))
$$;

COMMENT ON FUNCTION private.org_currency(uuid) IS
'The currency the organization chose (app.org_settings), for its members; NULL when none or not a member.';

REVOKE ALL ON FUNCTION private.org_currency(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.org_currency(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION private.image_urls_arg(p_name text, p_value text[])
RETURNS text[]
LANGUAGE plpgsql
IMMUTABLE
SET search_path = ''
AS $$
BEGIN
  IF NOT private.is_image_url_list(p_value) THEN
    RAISE EXCEPTION '% must be a list of at most 10 https URLs, each at most 2000 characters', p_name
      USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
  RETURN p_value;
END
$$;

COMMENT ON FUNCTION private.image_urls_arg(text, text[]) IS
'Returns a list of image URLs unchanged (NULL too), or PT400 naming p_name unless it is at most 10 https URLs of at
most 2000 characters each.';

REVOKE ALL ON FUNCTION private.image_urls_arg(text, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.image_urls_arg(text, text[]) TO authenticated;


CREATE OR REPLACE FUNCTION api.create_experience(
  venue_id            uuid,
  kind                text,
  name                text,
  duration_minutes    integer,
  max_party           integer,
  min_party           integer DEFAULT NULL,
  capacity            integer DEFAULT NULL,
  buffer_minutes      integer DEFAULT NULL,
  pricing_mode        text DEFAULT NULL,
  currency            text DEFAULT NULL,
  description         text DEFAULT NULL,
  category            text DEFAULT NULL,
  image_urls          text[] DEFAULT NULL,
  min_notice          interval DEFAULT NULL,
  max_advance         interval DEFAULT NULL,
  hold_minutes        integer DEFAULT NULL,
  requires_payment    boolean DEFAULT NULL,
  full_refund_before  interval DEFAULT NULL,
  late_refund_percent integer DEFAULT NULL
)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  hit   app.venues;
  money text;
BEGIN
  PERFORM private.enum_arg('kind', CASE WHEN kind IS NOT NULL THEN ARRAY[kind] END, 'app.experience_kind'),
          private.text_arg('name', name, 1, 200),
          private.count_arg('duration_minutes', duration_minutes, 1, 1440),
          private.count_arg('max_party', max_party, 1, 1000), private.count_arg('min_party', min_party, 1, 1000),
          private.count_arg('capacity', capacity, 1, 100000),
          private.count_arg('buffer_minutes', buffer_minutes, 0, 1440),
          private.enum_arg('pricing_mode', ARRAY[coalesce(pricing_mode, 'per_person')], 'app.pricing_mode'),
          private.text_arg('currency', currency, 3, 3), private.text_arg('description', description, 0, 5000),
          private.text_arg('category', category, 1, 60), private.image_urls_arg('image_urls', image_urls),
          private.interval_arg('min_notice', min_notice, interval '0 minutes', interval '366 days'),
          private.interval_arg('max_advance', max_advance, interval '1 minute', interval '5 years'),
          private.count_arg('hold_minutes', hold_minutes, 1, 1440),
          private.interval_arg('full_refund_before', full_refund_before, interval '0 minutes', interval '366 days'),
          private.count_arg('late_refund_percent', late_refund_percent, 0, 100);
  IF pg_catalog.num_nulls(kind, name, duration_minutes, max_party) > 0 THEN
    RAISE EXCEPTION '% is required', CASE WHEN kind IS NULL THEN 'kind' WHEN name IS NULL THEN 'name'
                                          WHEN duration_minutes IS NULL THEN 'duration_minutes' ELSE 'max_party' END
      USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  SELECT v.* INTO hit FROM app.venues v WHERE v.id = create_experience.venue_id;
  PERFORM private.catalogue_may(hit.org_id, 'manager', 'venue');
  money := coalesce(currency, private.org_currency(hit.org_id));
  IF money IS NULL THEN
    RAISE EXCEPTION 'currency is required until the organization chooses its currency' USING ERRCODE = 'PT400',
      DETAIL = 'required', HINT = 'send an ISO 4217 code such as GBP, or set it with update_org_settings';
  END IF;
  RETURN private.write_row('app.experiences', pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
    'org_id', hit.org_id, 'venue_id', hit.id, 'kind', kind, 'name', name, 'duration_minutes', duration_minutes,
    'max_party', max_party, 'min_party', min_party, 'capacity', capacity, 'buffer_minutes', buffer_minutes,
    'pricing_mode', pricing_mode, 'currency', money, 'description', description, 'category', category,
    'image_urls', image_urls, 'min_notice', min_notice, 'max_advance', max_advance, 'hold_minutes', hold_minutes,
    'requires_payment', requires_payment, 'full_refund_before', full_refund_before,
    'late_refund_percent', late_refund_percent)));
END
$$;

COMMENT ON FUNCTION api.create_experience(uuid, text, text, integer, integer, integer, integer, integer, text, text,
                                          text, text, text[], interval, interval, integer, boolean, interval,
                                          integer) IS
$$Adds an experience to a venue and answers it (its row as an object). kind: private_session (one group per
session on its rooms, then buffer_minutes to reset them; no capacity) or ticketed_event (capacity places per
session shared by its ticket types). Required: kind, name (1 to 200 characters), duration_minutes (1 to 1440),
max_party (1 to 1000). Optional: min_party (default 1), capacity (ticketed events: required), buffer_minutes (0 to
1440, default 0), pricing_mode (per_person, the default, or per_group), currency (default the organization's;
required until it has one), description (≤ 5000), category (1 to 60), image_urls (≤ 10 https URLs), min_notice,
max_advance (default 90 days), hold_minutes (default 15), requires_payment (default true), full_refund_before and
late_refund_percent (the cancellation policy; default the organization's). It is offered once it has prices
(create_price_tier / create_ticket_type), a schedule (set_weekly_schedule) and, for a private session, rooms
(set_experience_resources). For managers and up. Errors: PT400 naming the argument, or a rule of the experience in
words (a ticketed event without capacity, max_party below min_party, an unknown currency); PT403 staff; PT404 venue
not found; PT409 a currency other than the organization's (detail currency_mismatch).$$;

REVOKE ALL ON FUNCTION api.create_experience(uuid, text, text, integer, integer, integer, integer, integer, text,
                                             text, text, text, text[], interval, interval, integer, boolean,
                                             interval, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.create_experience(uuid, text, text, integer, integer, integer, integer, integer, text,
                                                text, text, text, text[], interval, interval, integer, boolean,
                                                interval, integer) TO authenticated;


CREATE OR REPLACE FUNCTION api.update_experience(experience_id uuid, changes jsonb, force boolean DEFAULT false)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  hit    app.experiences;
  before jsonb;
  answer jsonb;
BEGIN
  PERFORM private.changes_arg('changes', changes,
    ARRAY['name', 'description', 'category', 'image_urls', 'duration_minutes', 'buffer_minutes', 'min_party',
          'max_party', 'capacity', 'pricing_mode', 'currency', 'min_notice', 'max_advance', 'hold_minutes',
          'requires_payment', 'full_refund_before', 'late_refund_percent', 'active', 'waiver_template_id',
          'waiver_at_check_in']);
  SELECT e.* INTO hit FROM app.experiences e WHERE e.id = update_experience.experience_id;
  PERFORM private.catalogue_may(hit.org_id, 'manager', 'experience');
  IF changes ? 'currency' AND changes ->> 'currency' IS DISTINCT FROM hit.currency::text
     AND EXISTS (SELECT FROM app.bookings b WHERE b.experience_id = hit.id) THEN
    RAISE EXCEPTION 'changes may not set ''currency'' once the experience has bookings' USING ERRCODE = 'PT400',
      DETAIL = 'invalid', HINT = 'make a new experience in the other currency';
  END IF;
  before := private.booking_problems(ARRAY[hit.id]);
  answer := private.apply_changes('app.experiences', hit.id, changes);
  RETURN pg_catalog.jsonb_build_object('experience', answer,
                                       'affected', private.settle_impact(ARRAY[hit.id], before, force));
END
$$;

COMMENT ON FUNCTION api.update_experience(uuid, jsonb, boolean) IS
$$Changes an experience, PATCH-style: changes is an object of the fields to set (name, description, category,
image_urls, duration_minutes, buffer_minutes, min_party, max_party, capacity, pricing_mode, currency (not once it
has bookings), min_notice, max_advance, hold_minutes, requires_payment, full_refund_before, late_refund_percent,
active, waiver_template_id (the waiver its participants sign, null for none; not an archived one: PT409 archived),
waiver_at_check_in (check-in refuses a participant without a signature; needs a waiver); null clears an optional one; absent fields keep theirs; kind never changes). Answers {"experience": row,
"affected": [bookings]}. Sold sessions keep their start; their end, capacity and rooms follow the change. A
lower capacity than a session sold (over_capacity), a party above the new max_party, or a longer duration or
buffer that would put a room into two sessions at once (room_conflict) are affected bookings: without force the
change is refused (PT409 detail bookings_affected, MESSAGE naming up to 10 codes, HINT the affected list as JSON:
[{booking_id, confirmation_code, starts_at, status, party_size, customer_name, customer_email, problem}]); with
force it is made, an over-sold session keeps capacity for what it sold (sold out), a colliding booking keeps its
old room claim, and the list is answered for staff to contact. For managers and up. Errors: PT400 a key that may
not change (detail invalid, HINT the keys that may) or a value not allowed (in words); PT403 staff; PT404 not
found; PT409 an archived experience made active, or bookings affected.$$;

REVOKE ALL ON FUNCTION api.update_experience(uuid, jsonb, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.update_experience(uuid, jsonb, boolean) TO authenticated;


CREATE OR REPLACE FUNCTION api.archive_experience(experience_id uuid, force boolean DEFAULT false)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  hit    app.experiences;
  before jsonb;
  answer jsonb;
BEGIN
  SELECT e.* INTO hit FROM app.experiences e WHERE e.id = archive_experience.experience_id;
  PERFORM private.catalogue_may(hit.org_id, 'manager', 'experience');
  before := private.booking_problems(ARRAY[hit.id]);
  answer := private.set_archived('app.experiences', hit.id, true);
  RETURN pg_catalog.jsonb_build_object('experience', answer,
                                       'affected', private.settle_impact(ARRAY[hit.id], before, force));
END
$$;

COMMENT ON FUNCTION api.archive_experience(uuid, boolean) IS
$$Archives an experience: it is no longer offered (availability, widget, booking), its bookings and history stay.
Future bookings are affected (archived): without force refused (PT409 detail bookings_affected, HINT the list as
JSON, see update_experience); with force archived and answered {"experience": row, "affected": [...]}. For
managers and up. Errors: PT403 staff; PT404 not found; PT409 already archived.$$;

REVOKE ALL ON FUNCTION api.archive_experience(uuid, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.archive_experience(uuid, boolean) TO authenticated;


CREATE OR REPLACE FUNCTION api.restore_experience(experience_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  hit app.experiences;
BEGIN
  SELECT e.* INTO hit FROM app.experiences e WHERE e.id = restore_experience.experience_id;
  PERFORM private.catalogue_may(hit.org_id, 'manager', 'experience');
  RETURN private.set_archived('app.experiences', hit.id, false);
END
$$;

COMMENT ON FUNCTION api.restore_experience(uuid) IS
$$Brings an archived experience back (active, offered again) and answers it. For managers and up. Errors: PT403
staff; PT404 not found; PT409 not archived.$$;

REVOKE ALL ON FUNCTION api.restore_experience(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.restore_experience(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.set_experience_resources(experience_id uuid, resource_ids uuid[],
                                                        force boolean DEFAULT false)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  hit    app.experiences;
  before jsonb;
  one    uuid;
BEGIN
  IF pg_catalog.cardinality(resource_ids) > 20 OR pg_catalog.array_position(resource_ids, NULL) IS NOT NULL THEN
    RAISE EXCEPTION 'resource_ids is a list of at most 20 resources' USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
  SELECT e.* INTO hit FROM app.experiences e WHERE e.id = set_experience_resources.experience_id;
  PERFORM private.catalogue_may(hit.org_id, 'manager', 'experience');
  before := private.booking_problems(ARRAY[hit.id]);
  DELETE FROM app.experience_resources er WHERE er.experience_id = hit.id;
  FOREACH one IN ARRAY coalesce(resource_ids, '{}') LOOP
    PERFORM private.write_row('app.experience_resources', pg_catalog.jsonb_build_object(
      'org_id', hit.org_id, 'venue_id', hit.venue_id, 'experience_id', hit.id, 'resource_id', one));
  END LOOP;
  RETURN pg_catalog.jsonb_build_object(
    'resource_ids', (SELECT coalesce(pg_catalog.jsonb_agg(er.resource_id ORDER BY er.resource_id), '[]')
                       FROM app.experience_resources er WHERE er.experience_id = hit.id),
    'affected', private.settle_impact(ARRAY[hit.id], before, force));
END
$$;

COMMENT ON FUNCTION api.set_experience_resources(uuid, uuid[], boolean) IS
$$Replaces the resources (rooms) a private session occupies while it runs (all of them, for its duration and
buffer), at most 20 of the experience's venue; an empty list or NULL for none. Future bookings move to the new
rooms; one whose new rooms are taken then keeps its old claim and is affected (room_conflict): without force the
change is refused (PT409 detail bookings_affected, HINT the list as JSON, see update_experience); with force it
is made and the list answered. Answers {"resource_ids": [...], "affected": [...]}. For managers and up. Errors:
PT400 a resource of another venue, listed twice or more than 20; PT403 staff; PT404 not found.$$;

REVOKE ALL ON FUNCTION api.set_experience_resources(uuid, uuid[], boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.set_experience_resources(uuid, uuid[], boolean) TO authenticated;


-- Price tiers. -------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION api.create_price_tier(experience_id uuid, min_party integer, max_party integer,
                                                 price_minor bigint)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  hit app.experiences;
BEGIN
  PERFORM private.count_arg('min_party', min_party, 1, 1000), private.count_arg('max_party', max_party, 1, 1000),
          private.amount_arg('price_minor', price_minor, 0, 100000000);
  IF pg_catalog.num_nulls(min_party, max_party, price_minor) > 0 THEN
    RAISE EXCEPTION '% is required', CASE WHEN min_party IS NULL THEN 'min_party' WHEN max_party IS NULL
                                          THEN 'max_party' ELSE 'price_minor' END
      USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  SELECT e.* INTO hit FROM app.experiences e WHERE e.id = create_price_tier.experience_id;
  PERFORM private.catalogue_may(hit.org_id, 'manager', 'experience');
  RETURN private.write_row('app.price_tiers', pg_catalog.jsonb_build_object(
    'org_id', hit.org_id, 'experience_id', hit.id, 'min_party', min_party, 'max_party', max_party,
    'price_minor', price_minor));
END
$$;

COMMENT ON FUNCTION api.create_price_tier(uuid, integer, integer, bigint) IS
$$Adds a price for parties of min_party to max_party (1 to 1000) of a private session: price_minor (0 to
100,000,000 minor units of the experience's currency) per person or per group as its pricing_mode says. Tiers of
one experience never overlap. Answers the tier. For managers and up. Errors: PT400 naming the argument or
max_party below min_party; PT403 staff; PT404 experience not found; PT409 overlapping another tier (detail
overlapping).$$;

REVOKE ALL ON FUNCTION api.create_price_tier(uuid, integer, integer, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.create_price_tier(uuid, integer, integer, bigint) TO authenticated;


CREATE OR REPLACE FUNCTION api.update_price_tier(price_tier_id uuid, changes jsonb)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  hit app.price_tiers;
BEGIN
  PERFORM private.changes_arg('changes', changes, ARRAY['min_party', 'max_party', 'price_minor']);
  SELECT t.* INTO hit FROM app.price_tiers t WHERE t.id = update_price_tier.price_tier_id;
  PERFORM private.catalogue_may(hit.org_id, 'manager', 'price tier');
  RETURN private.apply_changes('app.price_tiers', hit.id, changes);
END
$$;

COMMENT ON FUNCTION api.update_price_tier(uuid, jsonb) IS
$$Changes a price tier, PATCH-style (changes: min_party, max_party, price_minor) and answers it. Bookings keep the
price they were sold at. For managers and up. Errors: PT400 a key that may not change or a value not allowed;
PT403 staff; PT404 not found; PT409 overlapping another tier.$$;

REVOKE ALL ON FUNCTION api.update_price_tier(uuid, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.update_price_tier(uuid, jsonb) TO authenticated;


CREATE OR REPLACE FUNCTION api.delete_price_tier(price_tier_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  hit app.price_tiers;
BEGIN
  SELECT t.* INTO hit FROM app.price_tiers t WHERE t.id = delete_price_tier.price_tier_id;
  PERFORM private.catalogue_may(hit.org_id, 'manager', 'price tier');
  -- Nothing refers to a tier: a booking carries its own price.
  DELETE FROM app.price_tiers t WHERE t.id = hit.id;
  RETURN pg_catalog.to_jsonb(hit);
END
$$;

COMMENT ON FUNCTION api.delete_price_tier(uuid) IS
$$Deletes a price tier (bookings keep their prices; parties it priced can no longer book until another tier covers
them) and answers the deleted row. For managers and up. Errors: PT403 staff; PT404 not found.$$;

REVOKE ALL ON FUNCTION api.delete_price_tier(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.delete_price_tier(uuid) TO authenticated;


-- Ticket types. ----------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION api.create_ticket_type(
  experience_id uuid,
  name          text,
  price_minor   bigint,
  quota         integer DEFAULT NULL,
  sales_start   timestamptz DEFAULT NULL,
  sales_end     timestamptz DEFAULT NULL,
  per_order_max integer DEFAULT NULL
)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  hit app.experiences;
BEGIN
  PERFORM private.text_arg('name', name, 1, 200), private.amount_arg('price_minor', price_minor, 0, 100000000),
          private.count_arg('quota', quota, 0, 100000), private.time_arg('sales_start', sales_start),
          private.time_arg('sales_end', sales_end), private.count_arg('per_order_max', per_order_max, 1, 1000);
  IF name IS NULL OR price_minor IS NULL THEN
    RAISE EXCEPTION '% is required', CASE WHEN name IS NULL THEN 'name' ELSE 'price_minor' END
      USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  SELECT e.* INTO hit FROM app.experiences e WHERE e.id = create_ticket_type.experience_id;
  PERFORM private.catalogue_may(hit.org_id, 'manager', 'experience');
  IF hit.kind <> 'ticketed_event' THEN
    RAISE EXCEPTION 'only a ticketed event has ticket types; a private session is priced by price tiers'
      USING ERRCODE = 'PT400', DETAIL = 'invalid', HINT = 'use create_price_tier';
  END IF;
  RETURN private.write_row('app.ticket_types', pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
    'org_id', hit.org_id, 'experience_id', hit.id, 'name', name, 'price_minor', price_minor, 'quota', quota,
    'sales_start', sales_start, 'sales_end', sales_end, 'per_order_max', per_order_max)));
END
$$;

COMMENT ON FUNCTION api.create_ticket_type(uuid, text, bigint, integer, timestamptz, timestamptz, integer) IS
$$Adds a ticket type to a ticketed event and answers it: name (1 to 200 characters), price_minor (0 to 100,000,000
minor units), optional quota (its own limit per session within the session's capacity), sales window sales_start
to sales_end, per_order_max (1 to 1000, default 10). For managers and up. Errors: PT400 naming the argument, a
sales_end not after sales_start, or a private session (priced by tiers); PT403 staff; PT404 experience not
found.$$;

REVOKE ALL ON FUNCTION api.create_ticket_type(uuid, text, bigint, integer, timestamptz, timestamptz, integer)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.create_ticket_type(uuid, text, bigint, integer, timestamptz, timestamptz, integer)
  TO authenticated;


CREATE OR REPLACE FUNCTION api.update_ticket_type(ticket_type_id uuid, changes jsonb, force boolean DEFAULT false)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  hit    app.ticket_types;
  before jsonb;
  answer jsonb;
BEGIN
  PERFORM private.changes_arg('changes', changes,
                              ARRAY['name', 'price_minor', 'quota', 'sales_start', 'sales_end', 'per_order_max',
                                    'active']);
  SELECT t.* INTO hit FROM app.ticket_types t WHERE t.id = update_ticket_type.ticket_type_id;
  PERFORM private.catalogue_may(hit.org_id, 'manager', 'ticket type');
  before := private.booking_problems(ARRAY[hit.experience_id]);
  answer := private.apply_changes('app.ticket_types', hit.id, changes);
  RETURN pg_catalog.jsonb_build_object('ticket_type', answer,
                                       'affected', private.settle_impact(ARRAY[hit.experience_id], before, force));
END
$$;

COMMENT ON FUNCTION api.update_ticket_type(uuid, jsonb, boolean) IS
$$Changes a ticket type, PATCH-style (changes: name, price_minor, quota, sales_start, sales_end, per_order_max,
active; null clears quota or a sales bound) and answers {"ticket_type": row, "affected": [bookings]}. Sold tickets
keep their price. A quota below what a session sold of it (over_quota) is refused without force (PT409 detail
bookings_affected, HINT the list as JSON, see update_experience); with force the session keeps room for what it
sold (sold out of that type) and the bookings are listed. For managers and up. Errors: PT400 a key that may not
change or a value not allowed; PT403 staff; PT404 not found; PT409 an archived type made active.$$;

REVOKE ALL ON FUNCTION api.update_ticket_type(uuid, jsonb, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.update_ticket_type(uuid, jsonb, boolean) TO authenticated;


CREATE OR REPLACE FUNCTION api.archive_ticket_type(ticket_type_id uuid, force boolean DEFAULT false)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  hit    app.ticket_types;
  before jsonb;
  answer jsonb;
BEGIN
  SELECT t.* INTO hit FROM app.ticket_types t WHERE t.id = archive_ticket_type.ticket_type_id;
  PERFORM private.catalogue_may(hit.org_id, 'manager', 'ticket type');
  before := private.booking_problems(ARRAY[hit.experience_id]);
  answer := private.set_archived('app.ticket_types', hit.id, true);
  RETURN pg_catalog.jsonb_build_object('ticket_type', answer,
                                       'affected', private.settle_impact(ARRAY[hit.experience_id], before, force));
END
$$;

COMMENT ON FUNCTION api.archive_ticket_type(uuid, boolean) IS
$$Archives a ticket type: no longer sold, its sold tickets and history stay. Future bookings holding it are
affected (archived): without force refused (PT409 detail bookings_affected, HINT the list as JSON); with force
archived and answered {"ticket_type": row, "affected": [...]}. For managers and up. Errors: PT403 staff; PT404
not found; PT409 already archived.$$;

REVOKE ALL ON FUNCTION api.archive_ticket_type(uuid, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.archive_ticket_type(uuid, boolean) TO authenticated;


CREATE OR REPLACE FUNCTION api.restore_ticket_type(ticket_type_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  hit app.ticket_types;
BEGIN
  SELECT t.* INTO hit FROM app.ticket_types t WHERE t.id = restore_ticket_type.ticket_type_id;
  PERFORM private.catalogue_may(hit.org_id, 'manager', 'ticket type');
  RETURN private.set_archived('app.ticket_types', hit.id, false);
END
$$;

COMMENT ON FUNCTION api.restore_ticket_type(uuid) IS
$$Puts an archived ticket type back on sale (active) and answers it. For managers and up. Errors: PT403 staff;
PT404 not found; PT409 not archived.$$;

REVOKE ALL ON FUNCTION api.restore_ticket_type(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.restore_ticket_type(uuid) TO authenticated;


-- Weekly schedules. ------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION api.set_weekly_schedule(experience_id uuid, rules jsonb, force boolean DEFAULT false)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  hit    app.experiences;
  before jsonb;
  line   jsonb;
BEGIN
  PERFORM private.rows_arg('rules', rules, ARRAY['weekday', 'start_time', 'valid_from', 'valid_until'],
                           ARRAY['weekday', 'start_time'], 200);
  FOR line IN SELECT l FROM pg_catalog.jsonb_array_elements(coalesce(rules, '[]')) l LOOP
    PERFORM private.weekday_arg('rules', line), private.clock_arg('rules', line, 'start_time');
    BEGIN
      PERFORM private.time_arg('rules valid_from', (line ->> 'valid_from')::date),
              private.time_arg('rules valid_until', (line ->> 'valid_until')::date);
    EXCEPTION WHEN data_exception THEN
      RAISE EXCEPTION 'rules valid_from and valid_until are dates as YYYY-MM-DD, not %', pg_catalog.left(line::text, 200)
        USING ERRCODE = 'PT400', DETAIL = 'invalid';
    END;
  END LOOP;
  SELECT e.* INTO hit FROM app.experiences e WHERE e.id = set_weekly_schedule.experience_id;
  PERFORM private.catalogue_may(hit.org_id, 'manager', 'experience');
  before := private.booking_problems(ARRAY[hit.id]);
  DELETE FROM app.schedules s WHERE s.experience_id = hit.id;
  FOR line IN SELECT l FROM pg_catalog.jsonb_array_elements(coalesce(rules, '[]')) l LOOP
    PERFORM private.write_row('app.schedules', pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
      'org_id', hit.org_id, 'experience_id', hit.id, 'weekday', line -> 'weekday',
      'start_time', private.clock_arg('rules', line, 'start_time'),
      'valid_from', coalesce((line ->> 'valid_from')::date, CURRENT_DATE), 'valid_until', line -> 'valid_until')));
  END LOOP;
  RETURN pg_catalog.jsonb_build_object(
    'schedule', (SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                   'weekday', s.weekday, 'start_time', pg_catalog.to_char(s.start_time, 'HH24:MI'),
                   'valid_from', s.valid_from, 'valid_until', s.valid_until)
                   ORDER BY s.weekday, s.start_time, s.valid_from), '[]')
                   FROM app.schedules s WHERE s.experience_id = hit.id),
    'affected', private.settle_impact(ARRAY[hit.id], before, force));
END
$$;

COMMENT ON FUNCTION api.set_weekly_schedule(uuid, jsonb, boolean) IS
$$Replaces an experience's weekly starts with rules, [{"weekday": 5, "start_time": "19:00", "valid_from":
"2027-01-01", "valid_until": null}, …] (ISO weekday 1 = Monday; the venue's wall clock, so 19:00 stays 19:00
across DST; valid_from defaults to today, valid_until to open-ended; up to 200), or NULL for none. Sessions with
bookings keep their time: a booked start the new rules no longer have (off_schedule) refuses the change without
force (PT409 detail bookings_affected, HINT the list as JSON, see update_experience); with force it is made, the
session still runs for its bookings, and they are listed. Answers {"schedule": [...], "affected": [...]}. For
managers and up. Errors: PT400 naming rules and the line (shape, weekday, a time that is no HH:MM, dates outside
2000-01-01 to five years from now or valid_until before valid_from, a start listed twice); PT403 staff; PT404 not
found.$$;

REVOKE ALL ON FUNCTION api.set_weekly_schedule(uuid, jsonb, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.set_weekly_schedule(uuid, jsonb, boolean) TO authenticated;


-- Reading the catalogue. -----------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION api.get_catalogue(org_id uuid, include_archived boolean DEFAULT false)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
DECLARE
  everything boolean := coalesce(include_archived, false);
BEGIN
  PERFORM private.catalogue_may(get_catalogue.org_id, 'staff', 'organization');
  RETURN pg_catalog.jsonb_build_object('venues', (
    SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(v.*) || pg_catalog.jsonb_build_object(
      'hours', (SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                  'weekday', h.weekday, 'opens', pg_catalog.to_char(h.opens, 'HH24:MI'),
                  'closes', CASE WHEN h.closes = '24:00' THEN '24:00' ELSE pg_catalog.to_char(h.closes, 'HH24:MI') END)
                  ORDER BY h.weekday, h.opens), '[]') FROM app.venue_hours h WHERE h.venue_id = v.id),
      'closures', (SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                     'id', c.id, 'starts_at', pg_catalog.lower(c.during), 'ends_at', pg_catalog.upper(c.during),
                     'reason', c.reason) ORDER BY c.during), '[]')
                     FROM app.venue_closures c WHERE c.venue_id = v.id AND pg_catalog.upper(c.during) > pg_catalog.now()),
      'resources', (SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(r.*) ORDER BY r.name, r.id), '[]')
                      FROM app.resources r WHERE r.venue_id = v.id AND (everything OR r.archived_at IS NULL)),
      'experiences', (SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(e.*) || pg_catalog.jsonb_build_object(
          'price_tiers', (SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(t.*) ORDER BY t.min_party), '[]')
                            FROM app.price_tiers t WHERE t.experience_id = e.id),
          'ticket_types', (SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(tt.*) ORDER BY tt.name, tt.id), '[]')
                             FROM app.ticket_types tt
                            WHERE tt.experience_id = e.id AND (everything OR tt.archived_at IS NULL)),
          'schedule', (SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                         'weekday', s.weekday, 'start_time', pg_catalog.to_char(s.start_time, 'HH24:MI'),
                         'valid_from', s.valid_from, 'valid_until', s.valid_until)
                         ORDER BY s.weekday, s.start_time, s.valid_from), '[]')
                         FROM app.schedules s WHERE s.experience_id = e.id),
          'resource_ids', (SELECT coalesce(pg_catalog.jsonb_agg(er.resource_id ORDER BY er.resource_id), '[]')
                             FROM app.experience_resources er WHERE er.experience_id = e.id))
          ORDER BY e.name, e.id), '[]')
          FROM app.experiences e WHERE e.venue_id = v.id AND (everything OR e.archived_at IS NULL)))
      ORDER BY v.name, v.id), '[]')
      FROM app.venues v
     WHERE v.org_id = get_catalogue.org_id AND (everything OR v.archived_at IS NULL)));
END
$$;

COMMENT ON FUNCTION api.get_catalogue(uuid, boolean) IS
$$What a back-office screen loads: the organization's venues (each row with hours, upcoming closures, resources
and experiences), each experience with its price_tiers, ticket_types, schedule and resource_ids, as one object
{"venues": [...]}. Archived venues, resources, experiences and ticket types only with include_archived. For staff
and up of the organization. Errors: PT404 not a member.$$;

REVOKE ALL ON FUNCTION api.get_catalogue(uuid, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.get_catalogue(uuid, boolean) TO authenticated;
