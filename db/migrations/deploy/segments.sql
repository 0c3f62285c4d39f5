-- Deploy tessera:segments to pg
-- requires: crm_rules
-- requires: extensions
--
-- Customer insight (issue 13, "Customers"). The payments area already keeps each customer's lifetime value
-- (lifetime_value_minor, net of refunds) on app.customers; this change keeps their visits beside it, on the same
-- row, so one customer's bookings only ever lock that customer's row and bookings of different customers never
-- wait on each other:
--   customers (new columns)  booking_count, first_visit_at, last_visit_at: the customer's confirmed and completed
--                            bookings, kept by statement triggers on app.bookings (db/functions/segments.sql);
--                            backfilled here from the bookings already made
--   customer_segments        per customer: RFM scores 1..5, the named segment and the simple label, written only by
--                            api.refresh_customer_segments (a definer), never by bookings, and without a foreign key
--                            to customers, so a refresh and bookings never wait on each other
--   customer_segment_runs    per organization: the last refresh (as_of, when, how many); its row is also the lock
--                            that makes two refreshes of one organization run one after the other
-- pg_trgm (in schema extensions) indexes name, e-mail and phone for api.list_customers' search.

BEGIN;

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_trgm') THEN
    CREATE EXTENSION pg_trgm SCHEMA extensions;
    COMMENT ON EXTENSION pg_trgm IS 'tessera: trigram matching, for searching customers';
  END IF;
END
$$;

ALTER TABLE app.customers
  ADD COLUMN booking_count  integer     NOT NULL DEFAULT 0 CHECK (booking_count >= 0),
  ADD COLUMN first_visit_at timestamptz,
  ADD COLUMN last_visit_at  timestamptz,
  ADD CONSTRAINT customers_visits_known
    CHECK ((booking_count = 0) = (first_visit_at IS NULL) AND (first_visit_at IS NULL) = (last_visit_at IS NULL)
           AND first_visit_at <= last_visit_at);
COMMENT ON COLUMN app.customers.booking_count IS
  'The customer''s bookings that are confirmed or completed (kept by triggers on app.bookings).';
COMMENT ON COLUMN app.customers.first_visit_at IS
  'Start of the customer''s earliest confirmed or completed booking; NULL without one.';
COMMENT ON COLUMN app.customers.last_visit_at IS
  'Start of the customer''s latest confirmed or completed booking (may be upcoming); NULL without one.';

UPDATE app.customers c
   SET booking_count = s.n, first_visit_at = s.first_at, last_visit_at = s.last_at
  FROM (SELECT b.customer_id, count(*) AS n, min(b.starts_at) AS first_at, max(b.starts_at) AS last_at
          FROM app.bookings b WHERE b.status IN ('confirmed', 'completed') GROUP BY b.customer_id) s
 WHERE c.id = s.customer_id;

-- Search: one lower-cased text of name, e-mail, phone and the phone's digits, trigram-indexed.
CREATE INDEX customers_search_idx ON app.customers
  USING gin ((lower(coalesce(name, '') || ' ' || email_key || ' ' || coalesce(phone, '') || ' '
                    || regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g'))) extensions.gin_trgm_ops);

CREATE TABLE app.customer_segment_runs (
  org_id      uuid        NOT NULL PRIMARY KEY REFERENCES app.organizations (id) ON DELETE CASCADE,
  as_of       timestamptz NOT NULL,
  computed_at timestamptz NOT NULL DEFAULT now(),
  customers   integer     NOT NULL DEFAULT 0 CHECK (customers >= 0),
  scored      integer     NOT NULL DEFAULT 0 CHECK (scored BETWEEN 0 AND customers)
);
COMMENT ON TABLE app.customer_segment_runs IS
  'The last customer segment refresh of each organization: the instant recency was measured from (as_of), when it '
  'ran, how many customers it labelled and how many had visits to score.';

CREATE TABLE app.customer_segments (
  org_id          uuid     NOT NULL,
  customer_id     uuid     NOT NULL PRIMARY KEY,
  recency_score   smallint CHECK (recency_score BETWEEN 1 AND 5),
  frequency_score smallint CHECK (frequency_score BETWEEN 1 AND 5),
  monetary_score  smallint CHECK (monetary_score BETWEEN 1 AND 5),
  segment         text     CHECK (segment IN ('champions', 'loyal', 'potential_loyalists', 'new', 'at_risk',
                                               'cant_lose', 'hibernating', 'lost')),
  label           text     NOT NULL CHECK (label IN ('vip', 'regular', 'new', 'inactive')),
  CONSTRAINT customer_segments_scored CHECK (
    (segment IS NULL) = (recency_score IS NULL) AND (segment IS NULL) = (frequency_score IS NULL)
    AND (segment IS NULL) = (monetary_score IS NULL)),
  -- No foreign key to app.customers: its KEY SHARE locks, held by a refresh until it commits, would make every
  -- booking upserting one of those customers wait for it. The refresh removes the rows of customers gone or
  -- erased, and every reader joins the customer.
  FOREIGN KEY (org_id) REFERENCES app.organizations (id) ON DELETE CASCADE
);
CREATE INDEX customer_segments_segment_idx ON app.customer_segments (org_id, segment);
COMMENT ON TABLE app.customer_segments IS
  'Each customer''s RFM scores (1..5; NULL for a customer without visits), named segment and label as of the '
  'organization''s last refresh (app.customer_segment_runs); written only by api.refresh_customer_segments.';

ALTER TABLE app.customer_segment_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.customer_segment_runs FORCE ROW LEVEL SECURITY;
ALTER TABLE app.customer_segments ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.customer_segments FORCE ROW LEVEL SECURITY;

COMMIT;
