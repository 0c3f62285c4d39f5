-- Deploy tessera:catalogue_rules to pg
-- requires: catalogue
--
-- Catalogue policies (staff read, managers write, admins add venues), api.rotate_embed_key and updated_at triggers.

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION api.rotate_embed_key(venue_id uuid)
 RETURNS text
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  fresh text;
BEGIN
  UPDATE app.venues v SET embed_key = private.new_embed_key()
   WHERE v.id = rotate_embed_key.venue_id
  RETURNING v.embed_key INTO fresh;
  IF fresh IS NULL THEN
    RAISE EXCEPTION 'venue not found' USING ERRCODE = 'PT404',
      HINT = 'the venue does not exist, or you are not a manager of its organization';
  END IF;
  RETURN fresh;
END
$function$
;

create policy "experience_resources_delete"
on "app"."experience_resources"
as permissive
for delete
to authenticated
using ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])));

create policy "experience_resources_insert"
on "app"."experience_resources"
as permissive
for insert
to authenticated
with check ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])));

create policy "experience_resources_select"
on "app"."experience_resources"
as permissive
for select
to authenticated
using (((org_id = ANY (( SELECT private.org_ids('staff'::app.member_role) AS org_ids)::uuid[])) OR ( SELECT private.is_super_admin() AS is_super_admin)));

create policy "experience_resources_update"
on "app"."experience_resources"
as permissive
for update
to authenticated
using ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])))
with check ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])));

create policy "experiences_delete"
on "app"."experiences"
as permissive
for delete
to authenticated
using ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])));

create policy "experiences_insert"
on "app"."experiences"
as permissive
for insert
to authenticated
with check ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])));

create policy "experiences_select"
on "app"."experiences"
as permissive
for select
to authenticated
using (((org_id = ANY (( SELECT private.org_ids('staff'::app.member_role) AS org_ids)::uuid[])) OR ( SELECT private.is_super_admin() AS is_super_admin)));

create policy "experiences_update"
on "app"."experiences"
as permissive
for update
to authenticated
using ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])))
with check ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])));

create policy "price_tiers_delete"
on "app"."price_tiers"
as permissive
for delete
to authenticated
using ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])));

create policy "price_tiers_insert"
on "app"."price_tiers"
as permissive
for insert
to authenticated
with check ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])));

create policy "price_tiers_select"
on "app"."price_tiers"
as permissive
for select
to authenticated
using (((org_id = ANY (( SELECT private.org_ids('staff'::app.member_role) AS org_ids)::uuid[])) OR ( SELECT private.is_super_admin() AS is_super_admin)));

create policy "price_tiers_update"
on "app"."price_tiers"
as permissive
for update
to authenticated
using ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])))
with check ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])));

create policy "resources_delete"
on "app"."resources"
as permissive
for delete
to authenticated
using ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])));

create policy "resources_insert"
on "app"."resources"
as permissive
for insert
to authenticated
with check ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])));

create policy "resources_select"
on "app"."resources"
as permissive
for select
to authenticated
using (((org_id = ANY (( SELECT private.org_ids('staff'::app.member_role) AS org_ids)::uuid[])) OR ( SELECT private.is_super_admin() AS is_super_admin)));

create policy "resources_update"
on "app"."resources"
as permissive
for update
to authenticated
using ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])))
with check ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])));

create policy "schedules_delete"
on "app"."schedules"
as permissive
for delete
to authenticated
using ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])));

create policy "schedules_insert"
on "app"."schedules"
as permissive
for insert
to authenticated
with check ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])));

create policy "schedules_select"
on "app"."schedules"
as permissive
for select
to authenticated
using (((org_id = ANY (( SELECT private.org_ids('staff'::app.member_role) AS org_ids)::uuid[])) OR ( SELECT private.is_super_admin() AS is_super_admin)));

create policy "schedules_update"
on "app"."schedules"
as permissive
for update
to authenticated
using ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])))
with check ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])));

create policy "ticket_types_delete"
on "app"."ticket_types"
as permissive
for delete
to authenticated
using ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])));

create policy "ticket_types_insert"
on "app"."ticket_types"
as permissive
for insert
to authenticated
with check ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])));

create policy "ticket_types_select"
on "app"."ticket_types"
as permissive
for select
to authenticated
using (((org_id = ANY (( SELECT private.org_ids('staff'::app.member_role) AS org_ids)::uuid[])) OR ( SELECT private.is_super_admin() AS is_super_admin)));

create policy "ticket_types_update"
on "app"."ticket_types"
as permissive
for update
to authenticated
using ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])))
with check ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])));

create policy "venue_closures_delete"
on "app"."venue_closures"
as permissive
for delete
to authenticated
using ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])));

create policy "venue_closures_insert"
on "app"."venue_closures"
as permissive
for insert
to authenticated
with check ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])));

create policy "venue_closures_select"
on "app"."venue_closures"
as permissive
for select
to authenticated
using (((org_id = ANY (( SELECT private.org_ids('staff'::app.member_role) AS org_ids)::uuid[])) OR ( SELECT private.is_super_admin() AS is_super_admin)));

create policy "venue_closures_update"
on "app"."venue_closures"
as permissive
for update
to authenticated
using ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])))
with check ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])));

create policy "venue_hours_delete"
on "app"."venue_hours"
as permissive
for delete
to authenticated
using ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])));

create policy "venue_hours_insert"
on "app"."venue_hours"
as permissive
for insert
to authenticated
with check ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])));

create policy "venue_hours_select"
on "app"."venue_hours"
as permissive
for select
to authenticated
using (((org_id = ANY (( SELECT private.org_ids('staff'::app.member_role) AS org_ids)::uuid[])) OR ( SELECT private.is_super_admin() AS is_super_admin)));

create policy "venue_hours_update"
on "app"."venue_hours"
as permissive
for update
to authenticated
using ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])))
with check ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])));

create policy "venues_delete"
on "app"."venues"
as permissive
for delete
to authenticated
using ((org_id = ANY (( SELECT private.org_ids('admin'::app.member_role) AS org_ids)::uuid[])));

create policy "venues_insert"
on "app"."venues"
as permissive
for insert
to authenticated
with check ((org_id = ANY (( SELECT private.org_ids('admin'::app.member_role) AS org_ids)::uuid[])));

create policy "venues_select"
on "app"."venues"
as permissive
for select
to authenticated
using (((org_id = ANY (( SELECT private.org_ids('staff'::app.member_role) AS org_ids)::uuid[])) OR ( SELECT private.is_super_admin() AS is_super_admin)));

create policy "venues_update"
on "app"."venues"
as permissive
for update
to authenticated
using ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])))
with check ((org_id = ANY (( SELECT private.org_ids('manager'::app.member_role) AS org_ids)::uuid[])));

CREATE TRIGGER experiences_touch_updated_at BEFORE UPDATE ON app.experiences FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

CREATE TRIGGER resources_touch_updated_at BEFORE UPDATE ON app.resources FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

CREATE TRIGGER ticket_types_touch_updated_at BEFORE UPDATE ON app.ticket_types FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

CREATE TRIGGER venues_touch_updated_at BEFORE UPDATE ON app.venues FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();
REVOKE ALL ON FUNCTION api.rotate_embed_key(uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.rotate_embed_key(uuid) TO authenticated;
COMMENT ON FUNCTION api.rotate_embed_key(uuid) IS 'Replaces a venue''s public widget key with a new random one and returns it; pages using the old key stop working
at once. For managers and up of the venue''s organization. Errors: PT404 when the venue does not exist or the
caller may not manage it.';

COMMIT;
