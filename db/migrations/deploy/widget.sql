-- Deploy tessera:widget to pg
-- requires: booking_rules
--
-- The public booking widget runs as anon. Its api functions call SECURITY DEFINER functions in private that check
-- the venue's embed key themselves; calling a function needs USAGE on its schema, so anon gets that and nothing
-- more: EXECUTE is granted function by function (db/functions/widget.sql), and private is never exposed over HTTP.

BEGIN;

GRANT USAGE ON SCHEMA private TO anon;

COMMIT;
