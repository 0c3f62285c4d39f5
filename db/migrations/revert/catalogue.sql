-- Revert tessera:catalogue from pg
--
-- Drops the catalogue tables (dependents first) and their types.

BEGIN;

DROP TABLE app.schedules;
DROP TABLE app.ticket_types;
DROP TABLE app.price_tiers;
DROP TABLE app.experience_resources;
DROP TABLE app.experiences;
DROP TABLE app.resources;
DROP TABLE app.venue_closures;
DROP TABLE app.venue_hours;
DROP TABLE app.venues;
DROP TYPE app.timerange;
DROP TYPE app.pricing_mode;
DROP TYPE app.experience_kind;
DROP TYPE app.resource_kind;

COMMIT;
