-- Deploy tessera:catalogue_archive to pg
-- requires: changes_arg
--
-- The back office manages the catalogue through api functions (db/functions/catalogue_manage.sql). What is
-- referenced is archived, never deleted: archived venues, rooms, experiences and ticket types keep their history
-- but are not offered, and an archived thing is inactive by CHECK so every path that sells only active things
-- already refuses it. Experiences gain a category and image URLs. Every catalogue constraint says in its COMMENT
-- what it refuses, for a person ('PTxyz detail: message', read by private.constraint_error), so no customer reads
-- a constraint's name. Members read the catalogue (get_catalogue, the answers of the update functions) and
-- managers write it, as the caller under the existing policies: the privileges are granted column by column for
-- updates, so no api path can move a row to another organization or change its id.

BEGIN;

ALTER TABLE app.venues ADD COLUMN archived_at timestamptz;
ALTER TABLE app.resources ADD COLUMN archived_at timestamptz,
  ADD CONSTRAINT resources_archived_inactive CHECK (archived_at IS NULL OR NOT active);
ALTER TABLE app.experiences ADD COLUMN category text, ADD COLUMN image_urls text[], ADD COLUMN archived_at timestamptz,
  ADD CONSTRAINT experiences_category_check CHECK (length(btrim(category)) BETWEEN 1 AND 60),
  ADD CONSTRAINT experiences_image_urls_check CHECK (private.is_image_url_list(image_urls)),
  ADD CONSTRAINT experiences_archived_inactive CHECK (archived_at IS NULL OR NOT active);
ALTER TABLE app.ticket_types ADD COLUMN archived_at timestamptz,
  ADD CONSTRAINT ticket_types_archived_inactive CHECK (archived_at IS NULL OR NOT active);

COMMENT ON COLUMN app.venues.archived_at IS 'When the venue was archived: its widget key answers as a wrong key, nothing of it is offered; NULL = open.';
COMMENT ON COLUMN app.resources.archived_at IS 'When the room was archived (then inactive): experiences that need it are not offered.';
COMMENT ON COLUMN app.experiences.archived_at IS 'When the experience was archived (then inactive): not offered, history kept.';
COMMENT ON COLUMN app.experiences.category IS 'A free label a booking page groups experiences by (1 to 60 characters).';
COMMENT ON COLUMN app.experiences.image_urls IS 'At most 10 https URLs of pictures, first the main one.';
COMMENT ON COLUMN app.ticket_types.archived_at IS 'When the ticket type was archived (then inactive): not sold, history kept.';

-- What each constraint refuses, in words ('PTxyz detail: message').
COMMENT ON CONSTRAINT venues_name_check ON app.venues IS 'PT400 invalid: a venue''s name is 1 to 200 characters';
COMMENT ON CONSTRAINT venues_timezone_check ON app.venues IS 'PT400 invalid: timezone must be an IANA time zone such as Europe/London or Asia/Riyadh';
COMMENT ON CONSTRAINT venues_address_line_check ON app.venues IS 'PT400 invalid: address_line is at most 500 characters';
COMMENT ON CONSTRAINT venues_city_check ON app.venues IS 'PT400 invalid: city is at most 200 characters';
COMMENT ON CONSTRAINT venues_postal_code_check ON app.venues IS 'PT400 invalid: postal_code is at most 20 characters';
COMMENT ON CONSTRAINT venues_country_code_check ON app.venues IS 'PT400 invalid: country_code must be two capital letters (ISO 3166), such as GB or SA';
COMMENT ON CONSTRAINT venues_embed_key_key ON app.venues IS 'PT409 conflict: that widget key is in use; rotate the key instead';
COMMENT ON CONSTRAINT venues_org_id_fkey ON app.venues IS 'PT404 not_found: organization not found';
COMMENT ON CONSTRAINT venue_hours_check ON app.venue_hours IS 'PT400 invalid: opening hours close after they open (an interval ends by midnight: split a late night in two)';
COMMENT ON CONSTRAINT venue_hours_weekday_check ON app.venue_hours IS 'PT400 invalid: weekday is 1 (Monday) to 7 (Sunday)';
COMMENT ON CONSTRAINT venue_hours_venue_id_weekday_timerange_excl ON app.venue_hours IS 'PT400 overlapping: two opening intervals of the same weekday overlap';
COMMENT ON CONSTRAINT venue_hours_org_id_venue_id_fkey ON app.venue_hours IS 'PT404 not_found: venue not found';
COMMENT ON CONSTRAINT venue_closures_during_check ON app.venue_closures IS 'PT400 invalid: a closure ends after it starts';
COMMENT ON CONSTRAINT venue_closures_reason_check ON app.venue_closures IS 'PT400 invalid: reason is at most 500 characters';
COMMENT ON CONSTRAINT venue_closures_org_id_venue_id_fkey ON app.venue_closures IS 'PT404 not_found: venue not found';
COMMENT ON CONSTRAINT resources_name_check ON app.resources IS 'PT400 invalid: a room''s name is 1 to 200 characters';
COMMENT ON CONSTRAINT resources_archived_inactive ON app.resources IS 'PT409 archived: an archived room cannot be active; restore it first';
COMMENT ON CONSTRAINT resources_org_id_venue_id_fkey ON app.resources IS 'PT404 not_found: venue not found';
COMMENT ON CONSTRAINT experiences_name_check ON app.experiences IS 'PT400 invalid: an experience''s name is 1 to 200 characters';
COMMENT ON CONSTRAINT experiences_description_check ON app.experiences IS 'PT400 invalid: description is at most 5000 characters';
COMMENT ON CONSTRAINT experiences_duration_minutes_check ON app.experiences IS 'PT400 invalid: duration_minutes is 1 to 1440';
COMMENT ON CONSTRAINT experiences_buffer_minutes_check ON app.experiences IS 'PT400 invalid: buffer_minutes is 0 to 1440';
COMMENT ON CONSTRAINT experiences_min_party_check ON app.experiences IS 'PT400 invalid: min_party is at least 1';
COMMENT ON CONSTRAINT experiences_check ON app.experiences IS 'PT400 invalid: max_party is at least min_party';
COMMENT ON CONSTRAINT experiences_capacity_check ON app.experiences IS 'PT400 invalid: capacity is at least 1';
COMMENT ON CONSTRAINT experiences_check1 ON app.experiences IS 'PT400 invalid: a ticketed event has a capacity (places per session); a private session has none';
COMMENT ON CONSTRAINT experiences_currency_check ON app.experiences IS 'PT400 invalid: currency is an ISO 4217 code such as GBP or SAR';
COMMENT ON CONSTRAINT experiences_min_notice_check ON app.experiences IS 'PT400 invalid: min_notice is not negative';
COMMENT ON CONSTRAINT experiences_max_advance_check ON app.experiences IS 'PT400 invalid: max_advance is more than nothing';
COMMENT ON CONSTRAINT experiences_hold_minutes_check ON app.experiences IS 'PT400 invalid: hold_minutes is 1 to 1440';
COMMENT ON CONSTRAINT experiences_full_refund_before_check ON app.experiences IS 'PT400 invalid: full_refund_before is not negative';
COMMENT ON CONSTRAINT experiences_late_refund_percent_check ON app.experiences IS 'PT400 invalid: late_refund_percent is 0 to 100';
COMMENT ON CONSTRAINT experiences_category_check ON app.experiences IS 'PT400 invalid: category is 1 to 60 characters';
COMMENT ON CONSTRAINT experiences_image_urls_check ON app.experiences IS 'PT400 invalid: image_urls is a list of at most 10 https URLs, each at most 2000 characters';
COMMENT ON CONSTRAINT experiences_archived_inactive ON app.experiences IS 'PT409 archived: an archived experience cannot be active; restore it first';
COMMENT ON CONSTRAINT experiences_org_id_venue_id_fkey ON app.experiences IS 'PT404 not_found: venue not found';
COMMENT ON CONSTRAINT experience_resources_pkey ON app.experience_resources IS 'PT400 invalid: a room is listed twice';
COMMENT ON CONSTRAINT experience_resources_org_id_venue_id_resource_id_fkey ON app.experience_resources IS 'PT400 invalid: a room must be one of the experience''s venue';
COMMENT ON CONSTRAINT experience_resources_org_id_venue_id_experience_id_fkey ON app.experience_resources IS 'PT404 not_found: experience not found';
COMMENT ON CONSTRAINT price_tiers_min_party_check ON app.price_tiers IS 'PT400 invalid: min_party is at least 1';
COMMENT ON CONSTRAINT price_tiers_check ON app.price_tiers IS 'PT400 invalid: max_party is at least min_party';
COMMENT ON CONSTRAINT price_tiers_price_minor_check ON app.price_tiers IS 'PT400 invalid: price_minor is not negative';
COMMENT ON CONSTRAINT price_tiers_experience_id_int4range_excl ON app.price_tiers IS 'PT409 overlapping: another price tier of this experience already covers some of these party sizes';
COMMENT ON CONSTRAINT price_tiers_org_id_experience_id_fkey ON app.price_tiers IS 'PT404 not_found: experience not found';
COMMENT ON CONSTRAINT ticket_types_name_check ON app.ticket_types IS 'PT400 invalid: a ticket type''s name is 1 to 200 characters';
COMMENT ON CONSTRAINT ticket_types_price_minor_check ON app.ticket_types IS 'PT400 invalid: price_minor is not negative';
COMMENT ON CONSTRAINT ticket_types_quota_check ON app.ticket_types IS 'PT400 invalid: quota is not negative';
COMMENT ON CONSTRAINT ticket_types_per_order_max_check ON app.ticket_types IS 'PT400 invalid: per_order_max is at least 1';
COMMENT ON CONSTRAINT ticket_types_check ON app.ticket_types IS 'PT400 invalid: sales_end is after sales_start';
COMMENT ON CONSTRAINT ticket_types_archived_inactive ON app.ticket_types IS 'PT409 archived: an archived ticket type cannot be active; restore it first';
COMMENT ON CONSTRAINT ticket_types_org_id_experience_id_fkey ON app.ticket_types IS 'PT404 not_found: experience not found';
COMMENT ON CONSTRAINT schedules_weekday_check ON app.schedules IS 'PT400 invalid: weekday is 1 (Monday) to 7 (Sunday)';
COMMENT ON CONSTRAINT schedules_check ON app.schedules IS 'PT400 invalid: valid_until is on or after valid_from';
COMMENT ON CONSTRAINT schedules_experience_id_weekday_start_time_valid_from_key ON app.schedules IS 'PT400 invalid: the same start is listed twice';
COMMENT ON CONSTRAINT schedules_org_id_experience_id_fkey ON app.schedules IS 'PT404 not_found: experience not found';
COMMENT ON CONSTRAINT bookings_org_id_experience_id_fkey ON app.bookings IS 'PT409 referenced: bookings refer to this experience; archive it instead';
COMMENT ON CONSTRAINT booking_tickets_org_id_ticket_type_id_fkey ON app.booking_tickets IS 'PT409 referenced: bookings refer to this ticket type; archive it instead';

-- Members read the catalogue; managers (admins for venues) write it, under the catalogue policies.
REVOKE SELECT (embed_key, id) ON app.venues FROM authenticated;
REVOKE SELECT (full_refund_before, id, late_refund_percent) ON app.experiences FROM authenticated;
GRANT SELECT ON app.venues, app.venue_hours, app.venue_closures, app.resources, app.experiences,
  app.experience_resources, app.price_tiers, app.ticket_types, app.schedules TO authenticated;
GRANT INSERT ON app.venues, app.venue_hours, app.venue_closures, app.resources, app.experiences,
  app.experience_resources, app.price_tiers, app.ticket_types, app.schedules TO authenticated;
GRANT UPDATE (name, timezone, address_line, city, postal_code, country_code, archived_at) ON app.venues
  TO authenticated;
GRANT UPDATE (name, kind, active, archived_at) ON app.resources TO authenticated;
GRANT UPDATE (name, description, category, image_urls, duration_minutes, buffer_minutes, min_party, max_party,
              capacity, pricing_mode, currency, min_notice, max_advance, hold_minutes, requires_payment,
              full_refund_before, late_refund_percent, active, archived_at) ON app.experiences TO authenticated;
GRANT UPDATE (min_party, max_party, price_minor) ON app.price_tiers TO authenticated;
GRANT UPDATE (name, price_minor, quota, sales_start, sales_end, per_order_max, active, archived_at)
  ON app.ticket_types TO authenticated;
GRANT DELETE ON app.venue_hours, app.venue_closures, app.experience_resources, app.price_tiers, app.schedules
  TO authenticated;

COMMIT;
