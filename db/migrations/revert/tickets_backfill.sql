-- Revert tessera:tickets_backfill from pg
--
-- Nothing to undo in the schema: the tickets issued stay valid tickets of confirmed bookings, and go with their
-- table when `tickets` is reverted.

BEGIN;

COMMIT;
