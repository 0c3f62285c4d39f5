-- Deploy tessera:waivers_audit to pg
-- requires: waivers
--
-- The waiver tables are audited like every app table

BEGIN;

CREATE TRIGGER audit_log AFTER INSERT OR DELETE OR UPDATE ON app.waiver_signatures FOR EACH ROW EXECUTE FUNCTION private.audit_record();

CREATE TRIGGER audit_log AFTER INSERT OR DELETE OR UPDATE ON app.waiver_templates FOR EACH ROW EXECUTE FUNCTION private.audit_record();

CREATE TRIGGER audit_log AFTER INSERT OR DELETE OR UPDATE ON app.waiver_versions FOR EACH ROW EXECUTE FUNCTION private.audit_record();

COMMIT;
