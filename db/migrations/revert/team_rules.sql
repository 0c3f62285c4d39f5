-- Revert tessera:team_rules from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop trigger if exists "memberships_keep_an_owner" on "app"."memberships";

drop function if exists "api"."accept_invitation"(token text);

drop function if exists "api"."change_member_role"(org_id uuid, user_id uuid, role text);

drop function if exists "api"."invite_member"(org_id uuid, email text, role text);

drop function if exists "api"."list_invitations"(org_id uuid, include_closed boolean);

drop function if exists "api"."list_members"(org_id uuid);

drop function if exists "api"."remove_member"(org_id uuid, user_id uuid);

drop function if exists "api"."revoke_invitation"(invitation_id uuid);

drop function if exists "api"."transfer_ownership"(org_id uuid, user_id uuid);

drop function if exists "private"."accept_invitation"(p_token text);

drop function if exists "private"."audit_safe"(p_row jsonb);

drop function if exists "private"."change_member_role"(p_org_id uuid, p_user_id uuid, p_role app.member_role);

drop function if exists "private"."invitation_answer"(p_invitation app.invitations);

drop function if exists "private"."invite_member"(p_org_id uuid, p_email text, p_role app.member_role);

drop function if exists "private"."list_invitations"(p_org_id uuid, p_include_closed boolean);

drop function if exists "private"."list_members"(p_org_id uuid);

drop function if exists "private"."may_grant"(p_actor app.member_role, p_role app.member_role);

drop function if exists "private"."memberships_keep_an_owner"();

drop function if exists "private"."remove_member"(p_org_id uuid, p_user_id uuid);

drop function if exists "private"."revoke_invitation"(p_invitation_id uuid);

drop function if exists "private"."team_member"(p_org_id uuid, p_user_id uuid, p_actor app.member_role);

drop function if exists "private"."team_role"(p_org_id uuid, p_min_role app.member_role);

drop function if exists "private"."transfer_ownership"(p_org_id uuid, p_user_id uuid);

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.audit_record()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  -- A column named secret (a ticket signing key's) never enters the log, which admins read; nor does an
  -- experience's search_vector, derived from columns the log already has.
  old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN pg_catalog.to_jsonb(OLD) - 'secret' - 'search_vector' END;
  new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN pg_catalog.to_jsonb(NEW) - 'secret' - 'search_vector' END;
  any_row jsonb := coalesce(new_row, old_row);
  headers jsonb := nullif(pg_catalog.current_setting('request.headers', true), '')::jsonb;
  forwarded text;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    -- Only the fields that changed, before and after.
    SELECT pg_catalog.jsonb_object_agg(o.key, o.value), pg_catalog.jsonb_object_agg(o.key, new_row -> o.key)
      INTO old_row, new_row
      FROM pg_catalog.jsonb_each(old_row) o
     WHERE o.value IS DISTINCT FROM new_row -> o.key;
    IF old_row IS NULL THEN
      RETURN NULL;  -- nothing changed
    END IF;
  END IF;
  forwarded := pg_catalog.split_part(headers ->> 'x-forwarded-for', ',', 1);
  INSERT INTO audit.log (org_id, actor, actor_role, table_name, operation, row_id, old_values, new_values,
                         client_ip, user_agent)
  VALUES (
    CASE WHEN TG_TABLE_NAME = 'organizations' THEN (any_row ->> 'id')::uuid ELSE (any_row ->> 'org_id')::uuid END,
    auth.uid(),
    coalesce(auth.role(), session_user::text),
    TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME,
    TG_OP,
    coalesce(any_row ->> 'id', any_row ->> 'user_id', any_row ->> 'booking_id', any_row ->> 'slot_id'),
    old_row,
    new_row,
    private.parse_inet(coalesce(nullif(pg_catalog.btrim(forwarded), ''), headers ->> 'x-real-ip')),
    headers ->> 'user-agent'
  );
  RETURN NULL;
END
$function$
;
REVOKE ALL ON FUNCTION private.audit_record() FROM PUBLIC;
COMMENT ON FUNCTION private.audit_record() IS 'Trigger on every app table: appends one audit.log row per changed row (only changed fields for updates) with the
actor, role, client IP and user agent from the request headers; a column named secret, and an experience''s
search_vector, are left out. A definer: writers cannot touch the log itself.';
COMMENT ON FUNCTION private.enqueue_notification(uuid,text,text,jsonb,text) IS 'Queues one e-mail of kind p_kind (payment_received, refund_issued, late_payment_refund, …) to p_recipient with
its data, once per p_dedupe_key (a second call with the key writes nothing). For the definer functions of the
payments area, in their transaction; nobody else may call it.';

COMMIT;
