-- A move that does not change a booking's status is refused with PT409 and writes nothing: cancelling twice keeps
-- the first reason and refund, confirming twice is not a second confirmation. Every status, through every api
-- function that moves one (the status's own function, with and without a reason, and the batch).
BEGIN;
\ir setup.psql
\ir fixtures.psql
SELECT pg_temp.shop();

INSERT INTO app.slots (org_id, experience_id, id, starts_at, ends_at, capacity)
SELECT pg_temp.id('org_a'), pg_temp.id('quiz'), gen_random_uuid(), at_19, at_19 + interval '2 hours', 20 FROM day;
INSERT INTO app.customers (org_id, email) VALUES (pg_temp.id('org_a'), 'self@example.com');

-- A fresh booking of the quiz brought to a status along allowed moves, with a reason when it has one.
CREATE FUNCTION pg_temp.booking_in(p_status app.booking_status) RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE
  b uuid;
BEGIN
  INSERT INTO app.bookings (org_id, experience_id, slot_id, customer_id, status, party_size, places, starts_at,
                            ends_at, price_minor, currency, hold_expires_at, confirmation_code)
  SELECT s.org_id, s.experience_id, s.id, c.id,
         CASE WHEN p_status IN ('confirmed', 'completed', 'no_show', 'cancelled') THEN 'confirmed'
              ELSE 'pending' END::app.booking_status,
         1, 1, s.starts_at, s.ends_at, 1000, 'GBP', now() + interval '15 minutes', private.new_confirmation_code()
    FROM app.slots s
    JOIN app.customers c ON c.org_id = s.org_id AND c.email_key = 'self@example.com'
   WHERE s.experience_id = pg_temp.id('quiz')
  RETURNING id INTO b;
  IF p_status NOT IN ('pending', 'confirmed') THEN
    UPDATE app.bookings
       SET status = p_status, cancel_reason = CASE WHEN p_status IN ('cancelled', 'rejected') THEN 'first reason' END
     WHERE id = b;
  END IF;
  RETURN b;
END
$$;

CREATE TEMP TABLE self_move AS
SELECT s.status, pg_temp.booking_in(s.status) AS id FROM unnest(enum_range(NULL::app.booking_status)) s(status);
CREATE TEMP TABLE before AS SELECT b.id, to_jsonb(b) AS row FROM app.bookings b JOIN self_move USING (id);
CREATE TEMP TABLE self_move_call AS
SELECT m.status, format('SELECT * FROM api.batch_update_booking_status(ARRAY[%L]::uuid[], %L)', m.id, m.status)
         AS call, 'batch_update_booking_status' AS via
  FROM self_move m
UNION ALL
SELECT m.status, format('SELECT * FROM api.%s', format(f.call, m.id)), replace(f.call, '%L', 'id')
  FROM self_move m
  JOIN (VALUES ('confirmed', 'confirm_booking(%L)'), ('cancelled', 'cancel_booking(%L)'),
               ('cancelled', 'cancel_booking(%L, ''a second reason'')'), ('rejected', 'reject_booking(%L)'),
               ('rejected', 'reject_booking(%L, ''a second reason'')'), ('completed', 'complete_booking(%L)'),
               ('no_show', 'mark_no_show(%L)')) f(status, call) ON f.status = m.status::text;
GRANT SELECT ON self_move, self_move_call TO PUBLIC;

SELECT plan((SELECT count(*)::integer FROM self_move_call) + 3);

SELECT pg_temp.act_as('staff_a');
SELECT throws_ok(c.call, 'PT409', NULL, format('%s -> %s is refused (%s)', c.status, c.status, c.via))
  FROM self_move_call c ORDER BY c.status, c.via;
-- The rule is the table's, not only the functions': staff's own column privilege cannot erase a reason either.
SELECT throws_ok(format($$ UPDATE app.bookings SET cancel_reason = NULL WHERE id = %L $$,
                        (SELECT id FROM self_move WHERE status = 'cancelled')),
                 'PT409', NULL, 'a reason is not erased by writing the row without a move');
RESET ROLE;

SELECT is_empty($$ SELECT b.id FROM app.bookings b JOIN before USING (id) WHERE to_jsonb(b) <> before.row $$,
                'a refused move writes nothing: reasons, refunds and times are as they were');
SELECT is((SELECT cancel_reason FROM app.bookings JOIN self_move USING (id) WHERE self_move.status = 'cancelled'),
          'first reason', 'a second cancellation keeps the first reason');

SELECT * FROM finish();
ROLLBACK;
