-- Revert tessera:secret_rules_tidy from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.audit_safe(p_row jsonb)
 RETURNS jsonb
 LANGUAGE sql
 IMMUTABLE
 SET search_path TO ''
AS $function$
  SELECT CASE WHEN pg_catalog.jsonb_typeof(p_row -> 'data') = 'object'
              THEN pg_catalog.jsonb_set(p_row - 'secret' - 'previous_secret' - 'token_hash' - 'search_vector', '{data}',
                                        (p_row -> 'data') - 'token')
              ELSE p_row - 'secret' - 'previous_secret' - 'token_hash' - 'search_vector' END
$function$
;
COMMENT ON FUNCTION api.rotate_webhook_secret(uuid,uuid,integer) IS 'Gives an endpoint a new signing secret and answers the endpoint with it (secret, shown this once). For
overlap_hours (0 to 168, default 24) the secret it replaces keeps signing too: every attempt, retries of earlier
deliveries included, carries one signature under each secret in its webhook-signature header (space-separated, as
Standard Webhooks allows), so a receiver verifies with either while it switches; previous_secret_until in the
answer says until when. overlap_hours 0 signs with the new secret only, at once: the choice after a leak, as a
leaked secret must stop signing now. api.end_webhook_secret_overlap ends an overlap early without a new secret.
Rotating again during an overlap ends the older secret''s at once (two secrets sign at most). For admins and the owner. Errors: PT400 overlap_hours
out of range (detail out_of_range); PT403 staff and managers; PT404 not a member, or no such endpoint in the
organization.';
REVOKE ALL ON FUNCTION private.audit_safe(jsonb) FROM PUBLIC;
COMMENT ON FUNCTION private.audit_safe(jsonb) IS 'A row as the audit log keeps it: without a secret, previous_secret or token_hash column, nor a token key in its
data object, nor an experience''s search_vector (derived from columns the log already has).';
COMMENT ON FUNCTION private.purge_finished_messages(interval,integer) IS 'Deletes up to p_limit outbox messages that are sent, skipped or dead and up to p_limit webhook deliveries that are
delivered or dead, created more than p_keep ago (1 day to 100 years; NULL deletes none), with their attempts; never a row still
queued or being sent; and, whatever p_keep, forgets up to p_limit webhook secrets whose rotation overlap is over. Answers {messages,
deliveries, expired_secrets}: what it deleted (p_limit of any: call again). For service_role
(`tessera worker` calls it hourly with TESSERA_WORKER_KEEP_DAYS). Errors: PT403 anyone else; PT400 out_of_range.';

COMMIT;
