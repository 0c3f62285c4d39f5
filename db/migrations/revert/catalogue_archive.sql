-- Revert tessera:catalogue_archive from pg
--
-- Takes back the catalogue privileges (members again read only a venue's key and an experience's refund policy),
-- the constraints' words and the archive, category and image columns.

BEGIN;

REVOKE SELECT, INSERT, UPDATE, DELETE ON app.venues, app.venue_hours, app.venue_closures, app.resources,
  app.experiences, app.experience_resources, app.price_tiers, app.ticket_types, app.schedules FROM authenticated;
REVOKE UPDATE (name, timezone, address_line, city, postal_code, country_code, archived_at) ON app.venues
  FROM authenticated;
REVOKE UPDATE (name, kind, active, archived_at) ON app.resources FROM authenticated;
REVOKE UPDATE (name, description, category, image_urls, duration_minutes, buffer_minutes, min_party, max_party,
               capacity, pricing_mode, currency, min_notice, max_advance, hold_minutes, requires_payment,
               full_refund_before, late_refund_percent, active, archived_at) ON app.experiences FROM authenticated;
REVOKE UPDATE (min_party, max_party, price_minor) ON app.price_tiers FROM authenticated;
REVOKE UPDATE (name, price_minor, quota, sales_start, sales_end, per_order_max, active, archived_at)
  ON app.ticket_types FROM authenticated;
GRANT SELECT (embed_key, id) ON app.venues TO authenticated;
GRANT UPDATE (embed_key) ON app.venues TO authenticated;
GRANT SELECT (full_refund_before, id, late_refund_percent) ON app.experiences TO authenticated;

DO $$
DECLARE
  c record;
BEGIN
  FOR c IN SELECT con.conname, con.conrelid::regclass AS tbl
             FROM pg_catalog.pg_constraint con
            WHERE con.conrelid IN ('app.venues'::regclass, 'app.venue_hours'::regclass,
                                   'app.venue_closures'::regclass, 'app.resources'::regclass,
                                   'app.experiences'::regclass, 'app.experience_resources'::regclass,
                                   'app.price_tiers'::regclass, 'app.ticket_types'::regclass,
                                   'app.schedules'::regclass, 'app.bookings'::regclass,
                                   'app.booking_tickets'::regclass)
              AND pg_catalog.obj_description(con.oid, 'pg_constraint') ~ '^PT[0-9]{3} ' LOOP
    EXECUTE pg_catalog.format('COMMENT ON CONSTRAINT %I ON %s IS NULL', c.conname, c.tbl);
  END LOOP;
END
$$;

ALTER TABLE app.ticket_types DROP CONSTRAINT ticket_types_archived_inactive, DROP COLUMN archived_at;
ALTER TABLE app.experiences DROP CONSTRAINT experiences_archived_inactive, DROP CONSTRAINT experiences_image_urls_check,
  DROP CONSTRAINT experiences_category_check, DROP COLUMN archived_at, DROP COLUMN image_urls, DROP COLUMN category;
ALTER TABLE app.resources DROP CONSTRAINT resources_archived_inactive, DROP COLUMN archived_at;
ALTER TABLE app.venues DROP COLUMN archived_at;

COMMIT;
