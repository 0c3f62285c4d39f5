-- Revert tessera:waiver_settings from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

-- The functions this change retired, as waivers_rules made them.
CREATE OR REPLACE FUNCTION private.set_experience_waiver(p_experience_id uuid, p_template_id uuid, p_required_at_check_in boolean)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  e_org uuid;
  t app.waiver_templates;
  answer jsonb;
BEGIN
  SELECT e.org_id INTO e_org FROM app.experiences e WHERE e.id = p_experience_id;
  IF e_org IS NULL OR NOT e_org = ANY (private.org_ids('staff')) THEN
    RAISE EXCEPTION 'experience not found' USING ERRCODE = 'PT404';
  END IF;
  PERFORM private.waiver_manager(e_org);
  IF p_template_id IS NOT NULL THEN
    SELECT * INTO t FROM app.waiver_templates w WHERE w.id = p_template_id AND w.org_id = e_org;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'waiver template not found' USING ERRCODE = 'PT404';
    END IF;
    IF t.archived_at IS NOT NULL THEN
      RAISE EXCEPTION 'this waiver template is archived' USING ERRCODE = 'PT409', DETAIL = 'archived';
    END IF;
  ELSIF coalesce(p_required_at_check_in, false) THEN
    RAISE EXCEPTION 'required_at_check_in needs a waiver: send template_id' USING ERRCODE = 'PT400',
      DETAIL = 'invalid';
  END IF;
  UPDATE app.experiences e
     SET waiver_template_id = p_template_id, waiver_at_check_in = coalesce(p_required_at_check_in, false)
   WHERE e.id = p_experience_id
  RETURNING pg_catalog.jsonb_build_object('experience_id', e.id, 'waiver_template_id', e.waiver_template_id,
                                          'waiver_at_check_in', e.waiver_at_check_in)
    INTO answer;
  RETURN answer;
END
$function$;
CREATE OR REPLACE FUNCTION api.set_experience_waiver(experience_id uuid, template_id uuid, required_at_check_in boolean DEFAULT false)
 RETURNS jsonb
 LANGUAGE sql
 SET search_path TO ''
AS $function$ SELECT private.set_experience_waiver(experience_id, template_id, required_at_check_in) $function$;
REVOKE ALL ON FUNCTION private.set_experience_waiver(uuid,uuid,boolean) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.set_experience_waiver(uuid,uuid,boolean) TO authenticated;
COMMENT ON FUNCTION private.set_experience_waiver(uuid,uuid,boolean) IS 'Sets an experience''s waiver and check-in rule. Its own checks: the caller manages the experience''s organization,
and the template is that organization''s and not archived. A definer until the catalogue''s update_experience takes
the two columns (the API roles hold no privilege on them).';
REVOKE ALL ON FUNCTION api.set_experience_waiver(uuid,uuid,boolean) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.set_experience_waiver(uuid,uuid,boolean) TO authenticated;
COMMENT ON FUNCTION api.set_experience_waiver(uuid,uuid,boolean) IS 'Sets the waiver each participant of an experience''s bookings signs (template_id; its current version is signed;
NULL for none), and whether check-in refuses a ticket while its booking has no more signatures than tickets already
let in (required_at_check_in, default false). Answers {experience_id, waiver_template_id, waiver_at_check_in}.
Signatures already made stay. For managers and up. Errors: PT404 the experience, or the template within its
organization, is not found; PT403 the caller is staff; PT409 archived (the template is); PT400 invalid
(required_at_check_in without a template).';

REVOKE UPDATE (age_of_majority) ON app.venues FROM authenticated;
REVOKE UPDATE (waiver_template_id, waiver_at_check_in) ON app.experiences FROM authenticated;
COMMENT ON CONSTRAINT venues_age_of_majority_check ON app.venues IS NULL;
COMMENT ON CONSTRAINT experiences_waiver_template_fkey ON app.experiences IS NULL;
ALTER TABLE app.experiences DROP CONSTRAINT experiences_waiver_at_check_in_check;

COMMIT;
