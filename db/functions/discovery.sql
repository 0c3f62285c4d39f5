-- Functions of the `discovery` area: search over an organization's experiences (full text in the organization's
-- search language, weighted name over category over description, plus trigram matching of the name for typos),
-- for staff and, through a venue's widget key, for the public; and "people who booked this also booked"
-- recommendations from the organization's own bookings, for staff.
--
-- Search is two api functions over one definer: api.search_experiences for staff (an org_id, every venue, archived
-- experiences on request) and api.widget_search_experiences for anyone with a venue's embed key (that venue's
-- offered experiences only), as every public function is a widget_* function taking the key first. One function for
-- both would take an org_id and a key of which exactly one is given, a flag only one caller may set, and a grant to
-- anon covering the staff reading too.

-- The search vector. -----------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.experience_search_vector(p_language text, p_name text, p_category text,
                                                            p_description text)
RETURNS tsvector
LANGUAGE sql
STABLE
PARALLEL SAFE
SET search_path = ''
AS $$
  SELECT pg_catalog.setweight(pg_catalog.to_tsvector(p_language::regconfig, coalesce(p_name, '')), 'A')
         || pg_catalog.setweight(pg_catalog.to_tsvector(p_language::regconfig, coalesce(p_category, '')), 'B')
         || pg_catalog.setweight(pg_catalog.to_tsvector(p_language::regconfig, coalesce(p_description, '')), 'C')
$$;

COMMENT ON FUNCTION private.experience_search_vector(text, text, text, text) IS
'An experience''s search vector in a text search configuration: name weight A, category B, description C.';

REVOKE ALL ON FUNCTION private.experience_search_vector(text, text, text, text) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.experiences_search_vector()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  NEW.search_vector := private.experience_search_vector(
    coalesce((SELECT s.search_language FROM app.org_settings s WHERE s.org_id = NEW.org_id), 'simple'),
    NEW.name, NEW.category, NEW.description);
  RETURN NEW;
END
$$;

COMMENT ON FUNCTION private.experiences_search_vector() IS
'Trigger on app.experiences: the search vector follows the name, category and description, in the organization''s
search language. A definer to read the settings whoever writes.';

REVOKE ALL ON FUNCTION private.experiences_search_vector() FROM PUBLIC;

CREATE OR REPLACE TRIGGER experiences_search_vector
  BEFORE INSERT OR UPDATE OF name, category, description, org_id, search_vector ON app.experiences
  FOR EACH ROW EXECUTE FUNCTION private.experiences_search_vector();


CREATE OR REPLACE FUNCTION private.org_settings_search_language_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  -- Stored as the configuration's own name, as it reads with pg_catalog alone on the search path.
  NEW.search_language := NEW.search_language::regconfig::text;
  RETURN NEW;
EXCEPTION WHEN undefined_object OR invalid_name OR syntax_error THEN
  RAISE EXCEPTION 'unknown search language %', NEW.search_language USING ERRCODE = 'PT400', DETAIL = 'invalid',
    HINT = 'use a text search configuration such as simple, english, german, french, spanish, arabic';
END
$$;

COMMENT ON FUNCTION private.org_settings_search_language_check() IS
'Trigger on app.org_settings: the search language is a text search configuration of the database (PT400 unknown
search language otherwise), stored by its name.';

REVOKE ALL ON FUNCTION private.org_settings_search_language_check() FROM PUBLIC;

CREATE OR REPLACE TRIGGER org_settings_search_language_check
  BEFORE INSERT OR UPDATE OF search_language ON app.org_settings
  FOR EACH ROW EXECUTE FUNCTION private.org_settings_search_language_check();


CREATE OR REPLACE FUNCTION private.org_settings_search_language()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  -- Every experience of the organization again, in the new language (the experiences trigger reads it).
  UPDATE app.experiences e SET search_vector = ''::tsvector WHERE e.org_id = NEW.org_id;
  RETURN NULL;
END
$$;

COMMENT ON FUNCTION private.org_settings_search_language() IS
'Trigger on app.org_settings: when the search language changes, every experience of the organization gets its
search vector in the new language, in the same transaction.';

REVOKE ALL ON FUNCTION private.org_settings_search_language() FROM PUBLIC;

CREATE OR REPLACE TRIGGER org_settings_search_language
  AFTER UPDATE OF search_language ON app.org_settings
  FOR EACH ROW WHEN (OLD.search_language IS DISTINCT FROM NEW.search_language)
  EXECUTE FUNCTION private.org_settings_search_language();


CREATE OR REPLACE FUNCTION private.set_search_language(p_org_id uuid, p_language text)
RETURNS text
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  chosen text;
BEGIN
  -- Its own check: admins and the owner change the organization's settings, as update_org_settings.
  PERFORM private.catalogue_may(p_org_id, 'admin', 'organization');
  -- The settings trigger refuses a name that is no configuration (PT400) and stores its own name.
  UPDATE app.org_settings s SET search_language = p_language WHERE s.org_id = p_org_id
  RETURNING s.search_language INTO chosen;
  RETURN chosen;
END
$$;

COMMENT ON FUNCTION private.set_search_language(uuid, text) IS
'Sets an organization''s search language for api.set_search_language. Its own checks: PT404 for non-members, PT403
below admin, PT400 for a name that is no text search configuration.';

REVOKE ALL ON FUNCTION private.set_search_language(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.set_search_language(uuid, text) TO authenticated;


CREATE OR REPLACE FUNCTION api.set_search_language(org_id uuid, language text)
RETURNS text
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.set_search_language(org_id, private.text_arg('language', pg_catalog.lower(language), 1, 63))
$$;

COMMENT ON FUNCTION api.set_search_language(uuid, text) IS
$$Chooses the text search configuration the organization's experiences are searched in (simple: no stemming, any
language, the default; english, german, french, spanish, arabic, … stem words, so "rooms" finds "room"), and answers
its name. Every experience of the organization is indexed again in the same transaction. For admins and the owner.
Errors: PT400 a language of 0 or over 63 characters, or one the database has no configuration for; PT403 staff and
managers; PT404 not a member.$$;

REVOKE ALL ON FUNCTION api.set_search_language(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.set_search_language(uuid, text) TO authenticated;


-- Search. ------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.experience_from_price(p_org_id uuid, p_experience_id uuid,
                                                         p_kind app.experience_kind)
RETURNS bigint
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  -- The least a booking of it costs now: the cheapest ticket on sale of a ticketed event, the cheapest price tier
  -- of a private session (per person or per group, as the experience prices).
  SELECT CASE WHEN p_kind = 'ticketed_event'
              THEN (SELECT pg_catalog.min(tt.price_minor) FROM app.ticket_types tt
                     WHERE tt.org_id = p_org_id AND tt.experience_id = p_experience_id AND tt.active
                       AND (tt.sales_start IS NULL OR tt.sales_start <= pg_catalog.now())
                       AND (tt.sales_end IS NULL OR pg_catalog.now() < tt.sales_end))
              ELSE (SELECT pg_catalog.min(t.price_minor) FROM app.price_tiers t
                     WHERE t.org_id = p_org_id AND t.experience_id = p_experience_id) END
$$;

COMMENT ON FUNCTION private.experience_from_price(uuid, uuid, app.experience_kind) IS
'The lowest price of an experience (of its organization and kind) now, in minor units of its currency: its
cheapest ticket type on sale (ticketed event) or price tier (private session); NULL when it has none. Runs with its
caller''s rights (definers only).';

REVOKE ALL ON FUNCTION private.experience_from_price(uuid, uuid, app.experience_kind) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.search_experiences(
  p_org_id           uuid,
  p_embed_key        text,
  p_query            text,
  p_venue_id         uuid,
  p_category         text,
  p_on_date          date,
  p_min_price_minor  integer,
  p_max_price_minor  integer,
  p_include_archived boolean,
  p_page_size        integer,
  p_page_offset      integer
)
RETURNS SETOF app.experience_hit
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
SET pg_trgm.word_similarity_threshold = 0.4
SET plan_cache_mode = force_custom_plan
AS $$
-- Matching first, through the indexes (the vector's GIN, the name's trigram GIN), ranked and sorted; the filters
-- that cost a query each (offered, price, a day's availability) are read above the sort, so they run only until the
-- page is full. Planned for each call's values (a generic plan cannot tell an empty query from a word).
DECLARE
  org      uuid;
  venue    uuid;
  language regconfig;
  words    text := nullif(pg_catalog.btrim(p_query), '');
  matching tsquery;
  matched  uuid[];
BEGIN
  -- Its own check: the venue of a widget key (PT404 for any other), or staff of the organization.
  IF p_embed_key IS NOT NULL THEN
    venue := private.widget_venue(p_embed_key);
    SELECT v.org_id INTO org FROM app.venues v WHERE v.id = venue;
  ELSE
    PERFORM private.catalogue_may(p_org_id, 'staff', 'organization');
    org := p_org_id;
    venue := p_venue_id;
  END IF;
  SELECT s.search_language::regconfig INTO language FROM app.org_settings s WHERE s.org_id = org;
  language := coalesce(language, 'pg_catalog.simple'::regconfig);
  -- No words, no query (an empty one only earns a notice).
  matching := CASE WHEN words IS NOT NULL THEN pg_catalog.websearch_to_tsquery(language, words) END;

  -- Each way of matching on its own, so that each is an index scan of its GIN index: in one condition the
  -- planner costs a trigram test as cheap as an equality, and tests every experience of a big tenant in turn.
  IF words IS NOT NULL THEN
    matched := ARRAY(SELECT e.id FROM app.experiences e WHERE e.search_vector @@ matching
                     UNION
                     SELECT e.id FROM app.experiences e WHERE e.name OPERATOR(extensions.%>) words);
  END IF;

  RETURN QUERY
  WITH hit AS (
    -- Narrow rows: what ranks and filters them; the rest is read for the page's rows only.
    SELECT e.id, e.name, e.kind, CASE WHEN words IS NULL THEN 0::real
                                      ELSE pg_catalog.ts_rank(e.search_vector, matching)
                                           + extensions.word_similarity(words, e.name) END AS score
      FROM app.experiences e
     WHERE e.org_id = org
       AND (words IS NULL OR e.id = ANY (matched))
       AND (venue IS NULL OR e.venue_id = venue)
       AND (p_category IS NULL OR pg_catalog.lower(e.category) = pg_catalog.lower(pg_catalog.btrim(p_category)))
       AND (e.archived_at IS NULL OR (p_include_archived AND p_embed_key IS NULL))
  ), page AS (
    SELECT r.id, r.name, r.score, p.price
      -- OFFSET 0 keeps the filters below out of the sorted list: pushed into it, they would run on every hit.
      FROM (SELECT h.* FROM hit h ORDER BY h.score DESC, h.name, h.id OFFSET 0) r
      CROSS JOIN LATERAL (SELECT private.experience_from_price(org, r.id, r.kind) AS price) p
     WHERE (p_embed_key IS NULL OR private.is_offered(r.id))
       AND (p_min_price_minor IS NULL OR p.price >= p_min_price_minor)
       AND (p_max_price_minor IS NULL OR p.price <= p_max_price_minor)
       -- A session that day comes from a weekly rule of its weekday or is a dated one (starting within two days
       -- of it in UTC, wider than any zone's offset): two index probes rule out the experiences that have
       -- neither before availability reads the day (a CASE, so that the order is kept).
       AND (p_on_date IS NULL OR CASE WHEN
             (EXISTS (SELECT FROM app.schedules s
                       WHERE s.org_id = org AND s.experience_id = r.id
                         AND s.weekday = pg_catalog.date_part('isodow', p_on_date) AND s.valid_from <= p_on_date
                         AND (s.valid_until IS NULL OR p_on_date <= s.valid_until))
              OR EXISTS (SELECT FROM app.slots sl
                          WHERE sl.org_id = org AND sl.experience_id = r.id
                            AND sl.starts_at >= (p_on_date - 2)::timestamp AT TIME ZONE 'UTC'
                            AND sl.starts_at < (p_on_date + 2)::timestamp AT TIME ZONE 'UTC'))
             THEN EXISTS (SELECT FROM private.availability(r.id, p_on_date, p_on_date, NULL, p_embed_key) a
                           WHERE a.remaining > 0)
             ELSE false END)
     LIMIT p_page_size OFFSET p_page_offset
  )
  SELECT e.id, e.venue_id, e.kind, e.name, e.category, e.description, e.duration_minutes, e.min_party, e.max_party,
         e.currency::text, g.price, private.is_offered(e.id), e.archived_at, g.score
    FROM page g JOIN app.experiences e ON e.org_id = org AND e.id = g.id
   ORDER BY g.score DESC, g.name, g.id;
END
$$;

COMMENT ON FUNCTION private.search_experiences(uuid, text, text, uuid, text, date, integer, integer, boolean, integer,
                                               integer) IS
'Search of one organization''s experiences for api.search_experiences (staff: p_org_id) and
api.widget_search_experiences (the public: p_embed_key, its venue''s offered experiences only), which checked the
arguments. Its own check: the widget key''s venue (PT404 otherwise), or staff of p_org_id (PT404/PT403 as
private.catalogue_may).';

REVOKE ALL ON FUNCTION private.search_experiences(uuid, text, text, uuid, text, date, integer, integer, boolean,
                                                  integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.search_experiences(uuid, text, text, uuid, text, date, integer, integer, boolean,
                                                     integer, integer) TO anon, authenticated;


CREATE OR REPLACE FUNCTION private.search_args(p_query text, p_category text, p_on_date date,
                                               p_min_price_minor integer, p_max_price_minor integer,
                                               p_page_size integer, p_page_offset integer)
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
BEGIN
  PERFORM private.text_arg('query', p_query, 0, 200), private.text_arg('category', p_category, 1, 60),
          private.count_arg('min_price_minor', p_min_price_minor, 0, 100000000),
          private.count_arg('max_price_minor', p_max_price_minor, 0, 100000000),
          private.count_arg('page_size', p_page_size, 1, 100), private.count_arg('page_offset', p_page_offset, 0, 1000);
  IF p_min_price_minor > p_max_price_minor THEN
    RAISE EXCEPTION 'min_price_minor % is above max_price_minor %', p_min_price_minor, p_max_price_minor
      USING ERRCODE = 'PT400', DETAIL = 'out_of_range', HINT = 'prices are in minor units: 2500 is 25.00';
  END IF;
  -- A venue-local day: yesterday in UTC may still be today somewhere; nothing is sold further than a year ahead.
  IF p_on_date NOT BETWEEN CURRENT_DATE - 1 AND CURRENT_DATE + 366 THEN
    RAISE EXCEPTION 'on_date must be from yesterday to a year from now, not %', p_on_date USING ERRCODE = 'PT400',
      DETAIL = 'out_of_range', HINT = pg_catalog.format('send on_date as YYYY-MM-DD, e.g. %s', CURRENT_DATE);
  END IF;
END
$$;

COMMENT ON FUNCTION private.search_args(text, text, date, integer, integer, integer, integer) IS
'The argument checks both search functions share: PT400 (detail out_of_range) naming the argument.';

REVOKE ALL ON FUNCTION private.search_args(text, text, date, integer, integer, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.search_args(text, text, date, integer, integer, integer, integer)
  TO anon, authenticated;


CREATE OR REPLACE FUNCTION api.search_experiences(
  org_id           uuid,
  query            text DEFAULT NULL,
  venue_id         uuid DEFAULT NULL,
  category         text DEFAULT NULL,
  on_date          date DEFAULT NULL,
  min_price_minor  integer DEFAULT NULL,
  max_price_minor  integer DEFAULT NULL,
  include_archived boolean DEFAULT false,
  page_size        integer DEFAULT 20,
  page_offset      integer DEFAULT 0
)
RETURNS SETOF app.experience_hit
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT private.search_args(query, category, on_date, min_price_minor, max_price_minor, page_size, page_offset);
  SELECT * FROM private.search_experiences(org_id, NULL, query, venue_id, category, on_date, min_price_minor,
                                           max_price_minor, coalesce(include_archived, false),
                                           coalesce(page_size, 20), coalesce(page_offset, 0))
$$;

COMMENT ON FUNCTION api.search_experiences(uuid, text, uuid, text, date, integer, integer, boolean, integer, integer)
IS $$Searches the organization's experiences. query (up to 200 characters; empty or null: every experience, by name)
matches words of the name, category and description in the organization's search language (set_search_language;
web search syntax: "quoted phrases", or, -not), and the name despite typos ("escpae room" finds "Escape Room").
Best match first: the name counts over the category over the description, a close name adds to it; equal ranks by
name, then id. Filters: venue_id; category (its exact name, any case); on_date, a venue-local day with at least one
bookable start with places left (from yesterday to a year ahead); min_price_minor / max_price_minor, the
experience's lowest price now (cheapest price tier or ticket on sale, in minor units of its currency, 0 to
100000000). Archived experiences only with include_archived. Paged: page_size 1 to 100 (default 20), page_offset
0 to 1000 (default 0). Each row (app.experience_hit): experience_id, venue_id, kind, name, category, description,
duration_minutes, party limits, currency, from_price_minor, offered (bookable now), archived_at, rank. For staff of
the organization. Errors: PT400 (detail out_of_range) naming an argument out of its range, or min_price_minor above
max_price_minor; PT404 not a member.$$;

REVOKE ALL ON FUNCTION api.search_experiences(uuid, text, uuid, text, date, integer, integer, boolean, integer,
                                              integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.search_experiences(uuid, text, uuid, text, date, integer, integer, boolean, integer,
                                                 integer) TO authenticated;


CREATE OR REPLACE FUNCTION api.widget_search_experiences(
  embed_key        text,
  query            text DEFAULT NULL,
  category         text DEFAULT NULL,
  on_date          date DEFAULT NULL,
  min_price_minor  integer DEFAULT NULL,
  max_price_minor  integer DEFAULT NULL,
  page_size        integer DEFAULT 20,
  page_offset      integer DEFAULT 0
)
RETURNS SETOF app.experience_hit
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT private.search_args(query, category, on_date, min_price_minor, max_price_minor, page_size, page_offset);
  SELECT * FROM private.search_experiences(NULL, private.text_arg('embed_key', embed_key, 1, 100), query, NULL,
                                           category, on_date, min_price_minor, max_price_minor, false,
                                           coalesce(page_size, 20), coalesce(page_offset, 0))
$$;

COMMENT ON FUNCTION api.widget_search_experiences(text, text, text, date, integer, integer, integer, integer)
IS $$The public search of a venue's booking widget: as search_experiences, over the experiences the venue offers now
(active, not archived, every room in use), nothing of another venue or organization; offered is always true and
archived_at null. For anyone with the venue's embed key (anon). Errors: PT404 for an unknown or rotated key; PT400
(detail out_of_range) naming an argument out of its range (a key over 100 characters too).$$;

REVOKE ALL ON FUNCTION api.widget_search_experiences(text, text, text, date, integer, integer, integer, integer)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.widget_search_experiences(text, text, text, date, integer, integer, integer, integer)
  TO anon, authenticated;


-- Recommendations. ---------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.recommend_experiences(p_org_id uuid, p_customer_id uuid, p_booking_id uuid,
                                                         p_limit integer)
RETURNS TABLE (experience_id uuid, name text, customers integer)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
-- Bounded work whatever the tenant's size: the customer's 20 latest experiences, the 500 latest bookings of each
-- (an index range each: bookings_experience_starts_idx), the other bookings of those customers (bookings_customer_idx).
DECLARE
  who     uuid := p_customer_id;
  seeds   uuid[];
BEGIN
  PERFORM private.catalogue_may(p_org_id, 'staff', 'organization');
  IF p_booking_id IS NOT NULL THEN
    SELECT b.customer_id, ARRAY[b.experience_id] INTO who, seeds
      FROM app.bookings b WHERE b.org_id = p_org_id AND b.id = p_booking_id;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'booking not found' USING ERRCODE = 'PT404', DETAIL = 'not_found';
    END IF;
  ELSE
    IF NOT EXISTS (SELECT FROM app.customers c WHERE c.org_id = p_org_id AND c.id = p_customer_id) THEN
      RAISE EXCEPTION 'customer not found' USING ERRCODE = 'PT404', DETAIL = 'not_found';
    END IF;
    seeds := ARRAY(SELECT x.experience_id
                     FROM (SELECT b.experience_id, pg_catalog.max(b.starts_at) AS last
                             FROM app.bookings b
                            WHERE b.org_id = p_org_id AND b.customer_id = who
                              AND b.status IN ('confirmed', 'completed', 'no_show')
                            GROUP BY b.experience_id) x
                    ORDER BY x.last DESC, x.experience_id LIMIT 20);
  END IF;

  RETURN QUERY
  WITH done AS (
    -- What the customer booked (and kept), or the experience of the booking asked about.
    SELECT b.experience_id FROM app.bookings b
     WHERE b.org_id = p_org_id AND b.customer_id = who AND b.status IN ('confirmed', 'completed', 'no_show')
    UNION SELECT unnest(seeds)
  ), peer AS (
    SELECT DISTINCT l.customer_id
      FROM unnest(seeds) s(experience_id)
      CROSS JOIN LATERAL (SELECT b.customer_id FROM app.bookings b
                           WHERE b.org_id = p_org_id AND b.experience_id = s.experience_id
                             AND b.status IN ('confirmed', 'completed', 'no_show')
                           ORDER BY b.starts_at DESC LIMIT 500) l
     WHERE l.customer_id <> who
  ), also AS (
    SELECT b.experience_id, pg_catalog.count(DISTINCT b.customer_id)::integer AS customers
      FROM peer p
      JOIN app.bookings b ON b.org_id = p_org_id AND b.customer_id = p.customer_id
     WHERE b.status IN ('confirmed', 'completed', 'no_show')
       AND NOT b.experience_id IN (SELECT d.experience_id FROM done d)
     GROUP BY b.experience_id
  )
  SELECT a.experience_id, e.name, a.customers
    FROM also a JOIN app.experiences e ON e.org_id = p_org_id AND e.id = a.experience_id
   WHERE private.is_offered(e.id)
   ORDER BY a.customers DESC, a.experience_id
   LIMIT p_limit;
END
$$;

COMMENT ON FUNCTION private.recommend_experiences(uuid, uuid, uuid, integer) IS
'"People who booked this also booked" for api.recommend_experiences, which checked the arguments. Its own check:
staff of p_org_id (PT404/PT403 as private.catalogue_may); PT404 for a customer or booking of another organization.';

REVOKE ALL ON FUNCTION private.recommend_experiences(uuid, uuid, uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.recommend_experiences(uuid, uuid, uuid, integer) TO authenticated;


CREATE OR REPLACE FUNCTION api.recommend_experiences(org_id uuid, customer_id uuid DEFAULT NULL,
                                                     booking_id uuid DEFAULT NULL, "limit" integer DEFAULT 5)
RETURNS TABLE (experience_id uuid, name text, customers integer)
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
BEGIN
  IF (customer_id IS NULL) = (booking_id IS NULL) THEN
    RAISE EXCEPTION 'give either customer_id or booking_id' USING ERRCODE = 'PT400', DETAIL = 'invalid',
      HINT = 'customer_id: for what a customer did; booking_id: for the experience of one booking';
  END IF;
  RETURN QUERY SELECT * FROM private.recommend_experiences(
    org_id, customer_id, booking_id, coalesce(private.count_arg('limit', "limit", 1, 50), 5));
END
$$;

COMMENT ON FUNCTION api.recommend_experiences(uuid, uuid, uuid, integer) IS
$$"People who booked this also booked": experiences other customers of the organization booked besides what this
customer booked (customer_id: up to their 20 latest experiences) or besides the experience of one booking
(booking_id), counted in customers (each other customer once, from the 500 latest bookings of each experience),
leaving out what the customer already booked and what is not offered now. Bookings that stood count (confirmed,
completed, no-show), not holds or cancellations. Most customers first, then by experience id; limit 1 to 50
(default 5). For staff of the organization. Errors: PT400 neither or both of customer_id and booking_id, or a limit
out of range; PT404 not a member, or a customer or booking not of this organization.$$;

REVOKE ALL ON FUNCTION api.recommend_experiences(uuid, uuid, uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.recommend_experiences(uuid, uuid, uuid, integer) TO authenticated;
