-- Revert tessera:outbox_unaudited from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

CREATE TRIGGER audit_log AFTER INSERT OR DELETE OR UPDATE ON app.notifications_outbox FOR EACH ROW EXECUTE FUNCTION private.audit_record();

COMMIT;
