-- Revert tessera:waiver_settings_rules from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop trigger if exists "experiences_waiver_guard" on "app"."experiences";

drop function if exists "private"."experiences_waiver_guard"();

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION api.archive_waiver_template(template_id uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  t app.waiver_templates;
  users text[];
BEGIN
  SELECT * INTO t FROM app.waiver_templates w WHERE w.id = archive_waiver_template.template_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'waiver template not found' USING ERRCODE = 'PT404';
  END IF;
  PERFORM private.waiver_manager(t.org_id);
  users := private.waiver_template_users(t.id);
  IF pg_catalog.cardinality(users) > 0 THEN
    RAISE EXCEPTION 'this waiver is required by %', pg_catalog.array_to_string(users, ', ')
      USING ERRCODE = 'PT409', DETAIL = 'waiver_in_use',
            HINT = 'give those experiences another waiver, or none, first (set_experience_waiver)';
  END IF;
  UPDATE app.waiver_templates w SET archived_at = coalesce(w.archived_at, pg_catalog.now()) WHERE w.id = t.id;
  RETURN private.waiver_template_answer(t.id);
END
$function$
;

CREATE OR REPLACE FUNCTION api.update_experience(experience_id uuid, changes jsonb, force boolean DEFAULT false)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  hit    app.experiences;
  before jsonb;
  answer jsonb;
BEGIN
  PERFORM private.changes_arg('changes', changes,
    ARRAY['name', 'description', 'category', 'image_urls', 'duration_minutes', 'buffer_minutes', 'min_party',
          'max_party', 'capacity', 'pricing_mode', 'currency', 'min_notice', 'max_advance', 'hold_minutes',
          'requires_payment', 'full_refund_before', 'late_refund_percent', 'active']);
  SELECT e.* INTO hit FROM app.experiences e WHERE e.id = update_experience.experience_id;
  PERFORM private.catalogue_may(hit.org_id, 'manager', 'experience');
  IF changes ? 'currency' AND changes ->> 'currency' IS DISTINCT FROM hit.currency::text
     AND EXISTS (SELECT FROM app.bookings b WHERE b.experience_id = hit.id) THEN
    RAISE EXCEPTION 'changes may not set ''currency'' once the experience has bookings' USING ERRCODE = 'PT400',
      DETAIL = 'invalid', HINT = 'make a new experience in the other currency';
  END IF;
  before := private.booking_problems(ARRAY[hit.id]);
  answer := private.apply_changes('app.experiences', hit.id, changes);
  RETURN pg_catalog.jsonb_build_object('experience', answer,
                                       'affected', private.settle_impact(ARRAY[hit.id], before, force));
END
$function$
;

CREATE OR REPLACE FUNCTION api.update_venue(venue_id uuid, changes jsonb, force boolean DEFAULT false)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  hit    app.venues;
  scope  uuid[];
  before jsonb;
  answer jsonb;
BEGIN
  PERFORM private.changes_arg('changes', changes,
                              ARRAY['name', 'timezone', 'address_line', 'city', 'postal_code', 'country_code']);
  SELECT v.* INTO hit FROM app.venues v WHERE v.id = update_venue.venue_id;
  PERFORM private.catalogue_may(hit.org_id, 'manager', 'venue');
  scope := ARRAY(SELECT e.id FROM app.experiences e WHERE e.venue_id = hit.id);
  before := private.booking_problems(scope);
  answer := private.apply_changes('app.venues', hit.id, changes);
  RETURN pg_catalog.jsonb_build_object('venue', answer, 'affected', private.settle_impact(scope, before, force));
END
$function$
;
REVOKE ALL ON FUNCTION api.archive_waiver_template(uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.archive_waiver_template(uuid) TO authenticated;
COMMENT ON FUNCTION api.archive_waiver_template(uuid) IS 'Archives a waiver template: it takes no new versions and no experience can be given it; signatures and versions
stay. Archiving an archived template changes nothing. Answers the template as create_waiver_template does. For
managers and up. Errors: PT404 the template is not the caller''s organization''s; PT403 the caller is staff; PT409
waiver_in_use while an active experience requires it (named in the message).';
REVOKE ALL ON FUNCTION api.update_experience(uuid,jsonb,boolean) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.update_experience(uuid,jsonb,boolean) TO authenticated;
COMMENT ON FUNCTION api.update_experience(uuid,jsonb,boolean) IS 'Changes an experience, PATCH-style: changes is an object of the fields to set (name, description, category,
image_urls, duration_minutes, buffer_minutes, min_party, max_party, capacity, pricing_mode, currency (not once it
has bookings), min_notice, max_advance, hold_minutes, requires_payment, full_refund_before, late_refund_percent,
active; null clears an optional one; absent fields keep theirs; kind never changes). Answers {"experience": row,
"affected": [bookings]}. Sold sessions keep their start; their end, capacity and rooms follow the change. A
lower capacity than a session sold (over_capacity), a party above the new max_party, or a longer duration or
buffer that would put a room into two sessions at once (room_conflict) are affected bookings: without force the
change is refused (PT409 detail bookings_affected, MESSAGE naming up to 10 codes, HINT the affected list as JSON:
[{booking_id, confirmation_code, starts_at, status, party_size, customer_name, customer_email, problem}]); with
force it is made, an over-sold session keeps capacity for what it sold (sold out), a colliding booking keeps its
old room claim, and the list is answered for staff to contact. For managers and up. Errors: PT400 a key that may
not change (detail invalid, HINT the keys that may) or a value not allowed (in words); PT403 staff; PT404 not
found; PT409 an archived experience made active, or bookings affected.';
REVOKE ALL ON FUNCTION api.update_venue(uuid,jsonb,boolean) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.update_venue(uuid,jsonb,boolean) TO authenticated;
COMMENT ON FUNCTION api.update_venue(uuid,jsonb,boolean) IS 'Changes a venue, PATCH-style: changes is an object of the fields to set (name, timezone, address_line, city,
postal_code, country_code; null clears an optional one; absent fields keep theirs). Answers {"venue": the row,
"affected": [bookings]}. A new time zone keeps every booking at its instant; sessions it moves outside the hours
or the schedule are affected bookings: without force the change is refused (PT409 detail bookings_affected,
HINT the affected list as JSON: [{booking_id, confirmation_code, starts_at, status, party_size, customer_name,
customer_email, problem}]); with force it is made and the list answered. For managers and up. Errors: PT400 a key
that may not change (detail invalid, HINT the keys that may) or a value not allowed; PT403 staff; PT404 not
found.';
COMMENT ON FUNCTION private.waiver_template_users(uuid) IS 'The names of the active experiences that require the waiver template, for members of its organization (empty
for anyone else). A definer, as set_experience_waiver is: the experiences'' waiver columns are read and written
only here until the catalogue''s update_experience takes them.';

COMMIT;
