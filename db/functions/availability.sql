-- Functions of the `availability` area: which starts of an experience can still be booked, what remains of each
-- and at what price. Read on every visit to a booking page, so it is built for a busy calendar (one pass over a
-- window, everything that does not depend on the start read once) and kept apart from `booking`, which sells the
-- places: both read the same counters, claims and holds, but availability only reads, and changes for speed
-- without touching how a place is sold. The widget's public variant is in `widget`.

-- Opening hours are one multirange per request now (private.opening_hours), not a query per start.
DROP FUNCTION IF EXISTS private.within_opening_hours(uuid, timestamp, timestamp);

DROP FUNCTION IF EXISTS private.availability(uuid, date, date, integer);

CREATE OR REPLACE FUNCTION private.availability_window(p_from date, p_to date, p_max_days integer)
RETURNS void
LANGUAGE plpgsql
IMMUTABLE
SET search_path = ''
AS $$
BEGIN
  -- An empty list would hide the mistake; a cut one would hide what was cut.
  IF p_to < p_from THEN
    RAISE EXCEPTION 'to_date is before from_date' USING ERRCODE = 'PT400', DETAIL = 'out_of_range',
      HINT = 'both dates are included: from_date = to_date asks for one day';
  END IF;
  IF p_to - p_from >= p_max_days THEN
    RAISE EXCEPTION 'at most % days of availability per request', p_max_days USING ERRCODE = 'PT400',
      DETAIL = 'out_of_range', HINT = 'ask for a shorter window, a page at a time';
  END IF;
END
$$;

COMMENT ON FUNCTION private.availability_window(date, date, integer) IS
'Raises PT400 (detail out_of_range) unless from p_from to p_to (both included) is a window of 1 to p_max_days
days. NULL dates pass: they mean no window, and no rows.';

REVOKE ALL ON FUNCTION private.availability_window(date, date, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.availability_window(date, date, integer) TO anon, authenticated, service_role;


CREATE OR REPLACE FUNCTION private.availability(p_experience_id uuid, p_from date, p_to date, p_party_size integer,
                                                p_embed_key text)
RETURNS TABLE (starts_at timestamptz, ends_at timestamptz, local_start timestamp, remaining integer,
               price_minor bigint, currency text)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
SET plan_cache_mode = force_generic_plan
AS $$
-- Built for a busy calendar: everything that does not depend on the start (caller, price, closures, opening
-- hours, room claims over the window) is read once, so each start costs a few index probes and range tests.
-- PL/pgSQL keeps the plans between calls, and one generic plan serves every call: the plan does not depend on
-- the arguments, and planning anew would cost more than the rest.
DECLARE
  exp      record;
  amount   bigint;
  reach    tstzrange;
  closed   tstzmultirange;
  open     tsmultirange;
  claimed  tstzmultirange;
  party    integer;
BEGIN
  -- Its own limit, whoever calls: a year and a day's worth of starts at most.
  PERFORM private.availability_window(p_from, p_to, 367);
  -- Its own check, once, instead of row-level security on every table for every start: the caller is staff of
  -- the experience's organization (or service_role), or presents the embed key of its venue. Otherwise: no rows.
  SELECT e.*, v.timezone INTO exp
    FROM app.experiences e JOIN app.venues v ON v.org_id = e.org_id AND v.id = e.venue_id
   WHERE e.id = p_experience_id AND private.is_offered(e.id)
     AND CASE WHEN p_embed_key IS NULL
              THEN e.org_id = ANY (private.org_ids('staff')) OR (SELECT auth.role()) = 'service_role'
              ELSE v.embed_key = p_embed_key END;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  -- No party given: the smallest the experience takes. A private session's limits are told, not hidden.
  party := coalesce(p_party_size, exp.min_party);
  IF exp.kind = 'private_session' AND party NOT BETWEEN exp.min_party AND exp.max_party THEN
    RAISE EXCEPTION 'a party of % cannot book %', party, exp.name USING ERRCODE = 'PT400', DETAIL = 'out_of_range',
      HINT = pg_catalog.format('parties of %s to %s', exp.min_party, exp.max_party);
  END IF;

  amount := CASE WHEN exp.kind = 'ticketed_event'
                 THEN (SELECT pg_catalog.min(tt.price_minor) FROM app.ticket_types tt
                        WHERE tt.experience_id = exp.id AND tt.active
                          AND (tt.sales_start IS NULL OR tt.sales_start <= pg_catalog.now())
                          AND (tt.sales_end IS NULL OR pg_catalog.now() < tt.sales_end)) * party
                 ELSE (SELECT CASE WHEN exp.pricing_mode = 'per_person' THEN t.price_minor * party
                                   ELSE t.price_minor END
                         FROM app.price_tiers t
                        WHERE t.experience_id = exp.id AND party BETWEEN t.min_party AND t.max_party) END;

  -- Every instant a session starting on these local dates can touch, with a day to spare for any offset.
  reach := pg_catalog.tstzrange(((p_from - 1)::timestamp) AT TIME ZONE exp.timezone,
                                ((p_to + 2)::timestamp) AT TIME ZONE exp.timezone
                                  + pg_catalog.make_interval(mins => exp.duration_minutes + exp.buffer_minutes));
  closed := (SELECT pg_catalog.range_agg(c.during) FROM app.venue_closures c
              WHERE c.venue_id = exp.venue_id AND c.during && reach);
  open := private.opening_hours(exp.venue_id, p_from, p_to + 2);
  -- Rooms held by live bookings of any experience. A slot's own booking is among them, which changes nothing:
  -- a private session holds one group, so that slot is already full.
  IF exp.kind = 'private_session' THEN
    claimed := (SELECT pg_catalog.range_agg(br.during)
                  FROM app.experience_resources er
                  JOIN app.booking_resources br ON br.org_id = er.org_id AND br.resource_id = er.resource_id
                                               AND br.during && reach
                 WHERE er.org_id = exp.org_id AND er.experience_id = exp.id
                   AND (br.held_until IS NULL OR br.held_until > pg_catalog.now()));
  END IF;

  RETURN QUERY
  WITH occurrence AS (
    SELECT o.starts_at, o.ends_at, o.local_start FROM private.schedule_occurrences(exp.id, p_from, p_to) o
  ), slot AS (
    -- Slots counted with the places their run-out holds still show as taken.
    SELECT s.id, s.starts_at, s.ends_at, s.capacity, s.taken - coalesce(l.places, 0) AS taken
      FROM app.slots s
      LEFT JOIN (SELECT b.slot_id, pg_catalog.sum(b.places)::integer AS places FROM app.bookings b
                  WHERE b.org_id = exp.org_id AND b.experience_id = exp.id
                    AND b.status = 'pending' AND b.hold_expires_at <= pg_catalog.now()
                  GROUP BY b.slot_id) l ON l.slot_id = s.id
     WHERE s.experience_id = exp.id AND s.starts_at >= pg_catalog.lower(reach) AND s.starts_at < pg_catalog.upper(reach)
  ), start AS MATERIALIZED (
    -- Scheduled starts and sessions that exist (dated sessions of ticketed events), each once, with their
    -- wall-clock times worked out once.
    SELECT j.starts_at, j.ends_at, coalesce(j.local_start, j.starts_at AT TIME ZONE exp.timezone) AS local_start,
           j.ends_at AT TIME ZONE exp.timezone AS local_end, j.capacity, j.taken
      FROM (SELECT coalesce(o.starts_at, s.starts_at) AS starts_at, coalesce(s.ends_at, o.ends_at) AS ends_at,
                   o.local_start, s.capacity, s.taken
              FROM occurrence o FULL JOIN slot s ON s.starts_at = o.starts_at) j
  )
  SELECT st.starts_at, st.ends_at, st.local_start,
         GREATEST(0, coalesce(st.capacity, exp.capacity, 1) - coalesce(st.taken, 0)
                     - CASE WHEN coalesce(claimed && pg_catalog.tstzrange(st.starts_at,
                                    st.ends_at + pg_catalog.make_interval(mins => exp.buffer_minutes)), false)
                            THEN 1 ELSE 0 END)::integer,
         amount,
         exp.currency::text
    FROM start st
   WHERE st.local_start::date BETWEEN p_from AND p_to
     AND st.starts_at >= pg_catalog.now() + exp.min_notice
     AND st.starts_at <= pg_catalog.now() + exp.max_advance
     AND NOT coalesce(closed && pg_catalog.tstzrange(st.starts_at, st.ends_at), false)
     AND coalesce(open @> pg_catalog.tsrange(st.local_start, st.local_end), true)
   ORDER BY st.starts_at;
END
$$;

COMMENT ON FUNCTION private.availability(uuid, date, date, integer, text) IS
'Bookable starts of an experience between two venue-local dates for a party (NULL: its smallest): remaining
capacity (groups for a private session, places for a ticketed event) and the price for that party. Its own check:
staff of the experience''s organization (or service_role) without a key, or the venue''s embed key; anyone else
gets no rows. PT400 for a window over 367 days or reversed, and for a party outside a private session''s limits.';

REVOKE ALL ON FUNCTION private.availability(uuid, date, date, integer, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.availability(uuid, date, date, integer, text) TO authenticated, service_role;


CREATE OR REPLACE FUNCTION api.check_availability(experience_id uuid, from_date date, to_date date,
                                                  party_size integer DEFAULT NULL)
RETURNS TABLE (starts_at timestamptz, ends_at timestamptz, local_start timestamp, remaining integer,
               price_minor bigint, currency text)
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT private.availability_window(private.time_arg('from_date', from_date), private.time_arg('to_date', to_date),
                                     367), private.party_size_arg(party_size);
  SELECT * FROM private.availability(experience_id, from_date, to_date, party_size, NULL)
$$;

COMMENT ON FUNCTION api.check_availability(uuid, date, date, integer) IS
$$Every start of an experience between two dates of the venue's calendar (inclusive) that can still be booked now
(within the notice and advance windows, while the venue is open, outside closures), with UTC start and end, the
venue-local start, what remains (groups for a private session: 1 or 0; places for a ticketed event), and the price
for the party in minor units (without party_size: the experience's smallest party). Existing bookings and unexpired
holds count; run-out holds do not. For staff of the experience's organization; for anyone else, and for an
experience that does not exist, no rows. Errors (PT400, detail out_of_range): a window over 367 days, or to_date
before from_date; a date outside 2000-01-01 to five years from now; a party_size outside 1 to 1000, or outside a
private session's limits (the hint says them).$$;

REVOKE ALL ON FUNCTION api.check_availability(uuid, date, date, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.check_availability(uuid, date, date, integer) TO authenticated, service_role;
