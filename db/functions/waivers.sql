-- Functions of the `waivers` area: waiver templates and their versions (managers), the waiver an experience asks
-- for, signing per participant (online with the booking's code and e-mail, or at the venue on a staff device),
-- minors judged by the database, the booking's waiver status, and the check-in rule. What a signature proves is
-- kept by the table and its triggers, whichever path writes it: the hash of the exact text signed, the version
-- (immutable once signed), whether the participant was a minor on the session's venue-local date, a guardian for
-- a minor, the client's IP and user agent.
--
-- Templates and versions are written as the caller (managers, under RLS); signatures only through the SECURITY
-- DEFINER functions here, which check their callers: the code and e-mail pair (rate limited with get_tickets'
-- counters), or staff of the booking's organization.


-- Versions: immutable once signed. -----------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.waiver_versions_guard()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  -- A definer: the managers editing a version may not read signatures, yet the rule must see them all.
  IF EXISTS (SELECT FROM app.waiver_signatures s WHERE s.version_id = OLD.id) THEN
    RAISE EXCEPTION 'version % of this waiver has been signed and can no longer change', OLD.version
      USING ERRCODE = 'PT409', DETAIL = 'waiver_signed',
            HINT = 'new wording is a new version: create_waiver_version';
  END IF;
  IF TG_OP = 'UPDATE' AND (NEW.id, NEW.org_id, NEW.template_id, NEW.version, NEW.created_at, NEW.created_by)
                          IS DISTINCT FROM (OLD.id, OLD.org_id, OLD.template_id, OLD.version, OLD.created_at,
                                            OLD.created_by) THEN
    RAISE EXCEPTION 'a waiver version keeps its template, number and author; only its title and body change'
      USING ERRCODE = 'PT409', DETAIL = 'illegal_transition';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;

COMMENT ON FUNCTION private.waiver_versions_guard() IS
'Trigger: a waiver version that any signature references never changes or goes (PT409 waiver_signed); an unsigned
one changes its title and body only (PT409 illegal_transition otherwise).';

REVOKE ALL ON FUNCTION private.waiver_versions_guard() FROM PUBLIC;


-- Signatures: what the database decides, whichever path inserts one. -------------------------------------------
CREATE OR REPLACE FUNCTION private.waiver_signatures_fill()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
  b app.bookings;
  e app.experiences;
  v app.venues;
  now_version app.waiver_versions;
  session_date date;
  adult_if_born_by date;
  taken integer;
  headers jsonb := nullif(pg_catalog.current_setting('request.headers', true), '')::jsonb;
  forwarded text := pg_catalog.split_part(headers ->> 'x-forwarded-for', ',', 1);
BEGIN
  -- One signer at a time per booking (and against check-ins, which take the same lock), so that the count of
  -- places below cannot be raced past. A place is a participant: one of party_size, one ticket each (a private
  -- session's booking takes one place of its slot, bookings.places, for a whole party).
  SELECT * INTO b FROM app.bookings WHERE id = NEW.booking_id AND org_id = NEW.org_id FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'booking not found' USING ERRCODE = 'PT404';
  END IF;
  IF NOT (b.status = 'confirmed' OR (b.status = 'pending' AND b.hold_expires_at > pg_catalog.now()))
     OR b.ends_at <= pg_catalog.now() THEN
    RAISE EXCEPTION 'this booking can no longer be signed for (it is %, or its session is over)', b.status
      USING ERRCODE = 'PT409', DETAIL = 'booking_closed';
  END IF;
  SELECT * INTO e FROM app.experiences WHERE id = b.experience_id;
  SELECT * INTO v FROM app.venues WHERE id = e.venue_id;
  IF e.waiver_template_id IS NULL THEN
    RAISE EXCEPTION 'this booking''s experience asks for no waiver' USING ERRCODE = 'PT409', DETAIL = 'no_waiver';
  END IF;

  -- The signer signs the current wording, and says which by its hash: anything else was not what they read.
  SELECT * INTO now_version FROM app.waiver_versions
   WHERE template_id = e.waiver_template_id ORDER BY version DESC LIMIT 1;
  IF NEW.version_id IS DISTINCT FROM now_version.id OR NEW.text_sha256 IS DISTINCT FROM now_version.body_sha256 THEN
    RAISE EXCEPTION 'the waiver''s text has changed since it was shown: read it again and sign the current version'
      USING ERRCODE = 'PT409', DETAIL = 'waiver_changed',
            HINT = pg_catalog.format('the current version is %s, with SHA-256 %s', now_version.version,
                                     now_version.body_sha256);
  END IF;

  SELECT pg_catalog.count(*) INTO taken
    FROM app.waiver_signatures s JOIN app.waiver_versions wv ON wv.org_id = s.org_id AND wv.id = s.version_id
   WHERE s.org_id = b.org_id AND s.booking_id = b.id AND wv.template_id = e.waiver_template_id;
  IF taken >= b.party_size THEN
    RAISE EXCEPTION 'every place of this booking has signed the waiver (% of %)', taken, b.party_size
      USING ERRCODE = 'PT409', DETAIL = 'all_signed';
  END IF;

  -- A minor: under the venue's age of majority on the session's date where the venue is. Subtracting years from
  -- that date puts a 29 February birthday on 1 March in other years.
  session_date := (b.starts_at AT TIME ZONE v.timezone)::date;
  adult_if_born_by := (session_date - pg_catalog.make_interval(years => v.age_of_majority))::date;
  IF NEW.date_of_birth > session_date THEN
    RAISE EXCEPTION 'date_of_birth % is after the session''s date, %', NEW.date_of_birth, session_date
      USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
  NEW.minor := NEW.date_of_birth > adult_if_born_by;
  IF NEW.minor AND (NEW.guardian_name IS NULL OR NEW.guardian_signature IS NULL) THEN
    RAISE EXCEPTION 'a participant under % on the session''s date signs with a parent or guardian',
      v.age_of_majority USING ERRCODE = 'PT400', DETAIL = 'guardian_required',
      HINT = 'send guardian_name and guardian_signature';
  ELSIF NOT NEW.minor THEN
    NEW.guardian_name := NULL;  -- an adult signs alone
    NEW.guardian_signature := NULL;
  END IF;

  -- Where it was signed from, read from the request as the audit trigger reads it.
  NEW.client_ip := private.parse_inet(coalesce(nullif(pg_catalog.btrim(forwarded), ''), headers ->> 'x-real-ip'));
  NEW.user_agent := pg_catalog.left(headers ->> 'user-agent', 1000);
  NEW.signed_at := pg_catalog.now();
  RETURN NEW;
END
$$;

COMMENT ON FUNCTION private.waiver_signatures_fill() IS
'Trigger: a signature is of a live booking (pending with its hold, or confirmed; session not over: else PT409
booking_closed) whose experience asks for a waiver (PT409 no_waiver), of its template''s current version with that
version''s hash (PT409 waiver_changed), one per participant (party_size; PT409 all_signed, serialized by a lock on
the booking). Sets minor (under the venue''s age_of_majority on the session''s venue-local date), requires a guardian
for a minor (PT400 guardian_required) and drops one for an adult, and sets signed_at, client_ip and user_agent
from the request headers.';

REVOKE ALL ON FUNCTION private.waiver_signatures_fill() FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.waiver_signatures_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  -- Erasure (GDPR) replaces the personal data of a signature in place, inside a transaction that raised this flag;
  -- what the signature proves (the booking, the version, the hash, the time, minor or not, how) stays.
  IF TG_OP = 'UPDATE' AND pg_catalog.current_setting('tessera.erasure', true) = 'on'
     AND (NEW.org_id, NEW.id, NEW.booking_id, NEW.version_id, NEW.minor, NEW.signed_at, NEW.text_sha256,
          NEW.signed_via, NEW.collected_by)
         IS NOT DISTINCT FROM (OLD.org_id, OLD.id, OLD.booking_id, OLD.version_id, OLD.minor, OLD.signed_at,
                               OLD.text_sha256, OLD.signed_via, OLD.collected_by) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'a waiver signature is kept as it was signed' USING ERRCODE = 'PT409',
    DETAIL = 'illegal_transition';
END
$$;

COMMENT ON FUNCTION private.waiver_signatures_guard() IS
'Trigger: waiver signatures are insert-only (UPDATE, DELETE and TRUNCATE are PT409 illegal_transition), but for
erasure: with the setting tessera.erasure = ''on'' (transaction-local) an UPDATE may replace the personal columns
(participant_name, date_of_birth, guardian_name, guardian_signature, signature, client_ip, user_agent) and nothing
else.';

REVOKE ALL ON FUNCTION private.waiver_signatures_guard() FROM PUBLIC;


CREATE OR REPLACE TRIGGER waiver_versions_guard
  BEFORE UPDATE OR DELETE ON app.waiver_versions FOR EACH ROW EXECUTE FUNCTION private.waiver_versions_guard();
CREATE OR REPLACE TRIGGER waiver_signatures_fill
  BEFORE INSERT ON app.waiver_signatures FOR EACH ROW EXECUTE FUNCTION private.waiver_signatures_fill();
CREATE OR REPLACE TRIGGER waiver_signatures_guard
  BEFORE UPDATE OR DELETE ON app.waiver_signatures FOR EACH ROW EXECUTE FUNCTION private.waiver_signatures_guard();
CREATE OR REPLACE TRIGGER waiver_signatures_no_truncate
  BEFORE TRUNCATE ON app.waiver_signatures FOR EACH STATEMENT EXECUTE FUNCTION private.waiver_signatures_guard();


-- Managers: templates and versions. ----------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.waiver_manager(p_org_id uuid)
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
BEGIN
  IF p_org_id IS NULL OR NOT p_org_id = ANY (private.org_ids('staff')) THEN
    RAISE EXCEPTION 'organization not found' USING ERRCODE = 'PT404';
  END IF;
  IF NOT p_org_id = ANY (private.org_ids('manager')) THEN
    RAISE EXCEPTION 'only a manager of the organization manages its waivers' USING ERRCODE = 'PT403';
  END IF;
END
$$;

COMMENT ON FUNCTION private.waiver_manager(uuid) IS
'Raises PT404 unless the caller is a member of the organization, PT403 unless a manager or more of it.';

REVOKE ALL ON FUNCTION private.waiver_manager(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.waiver_manager(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION private.required_text(p_name text, p_value text)
RETURNS text
LANGUAGE plpgsql
IMMUTABLE
SET search_path = ''
AS $$
BEGIN
  IF p_value IS NULL OR pg_catalog.btrim(p_value) = '' THEN
    RAISE EXCEPTION '% is required', p_name USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  RETURN pg_catalog.btrim(p_value);
END
$$;

COMMENT ON FUNCTION private.required_text(text, text) IS
'The text argument p_name without surrounding blanks, or PT400 (detail required) naming it when missing or blank.
Run after the length checks (private.text_arg), so that those answer first.';

REVOKE ALL ON FUNCTION private.required_text(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.required_text(text, text) TO authenticated;


CREATE OR REPLACE FUNCTION private.waiver_signed_versions(p_org_id uuid)
RETURNS uuid[]
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  IF NOT p_org_id = ANY (private.org_ids('staff')) THEN
    RETURN '{}'::uuid[];
  END IF;
  RETURN ARRAY(SELECT DISTINCT s.version_id FROM app.waiver_signatures s WHERE s.org_id = p_org_id);
END
$$;

COMMENT ON FUNCTION private.waiver_signed_versions(uuid) IS
'The ids of an organization''s waiver versions that someone signed (those that can no longer change), for its
members; empty for anyone else. Its own check: membership.';

REVOKE ALL ON FUNCTION private.waiver_signed_versions(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.waiver_signed_versions(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION private.waiver_version_answer(p_version app.waiver_versions, p_signed uuid[])
RETURNS jsonb
LANGUAGE sql
IMMUTABLE
SET search_path = ''
AS $$
  SELECT pg_catalog.jsonb_build_object(
    'id', p_version.id, 'template_id', p_version.template_id, 'version', p_version.version,
    'title', p_version.title, 'body', p_version.body, 'body_sha256', p_version.body_sha256,
    'created_at', p_version.created_at, 'created_by', p_version.created_by,
    'signed', p_version.id = ANY (p_signed))
$$;

COMMENT ON FUNCTION private.waiver_version_answer(app.waiver_versions, uuid[]) IS
'A waiver version as the waiver functions answer it; signed when its id is among p_signed.';

REVOKE ALL ON FUNCTION private.waiver_version_answer(app.waiver_versions, uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.waiver_version_answer(app.waiver_versions, uuid[]) TO authenticated;


CREATE OR REPLACE FUNCTION private.waiver_template_answer(p_template_id uuid)
RETURNS jsonb
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  -- As the caller: RLS shows members their organization's templates.
  SELECT pg_catalog.jsonb_build_object(
    'id', t.id, 'org_id', t.org_id, 'name', t.name, 'archived_at', t.archived_at, 'created_at', t.created_at,
    'current_version', (SELECT max(v.version) FROM app.waiver_versions v WHERE v.template_id = t.id),
    'versions', coalesce((SELECT pg_catalog.jsonb_agg(private.waiver_version_answer(v, signed.ids)
                                                      ORDER BY v.version DESC)
                            FROM app.waiver_versions v WHERE v.template_id = t.id), '[]'::jsonb))
    FROM app.waiver_templates t
   CROSS JOIN LATERAL (SELECT private.waiver_signed_versions(t.org_id) AS ids) signed
   WHERE t.id = p_template_id
$$;

COMMENT ON FUNCTION private.waiver_template_answer(uuid) IS
'A waiver template as the waiver functions answer it: {id, org_id, name, archived_at, created_at, current_version,
versions: [newest first]}; NULL when the caller may not see it.';

REVOKE ALL ON FUNCTION private.waiver_template_answer(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.waiver_template_answer(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.create_waiver_template(org_id uuid, name text, title text, body text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  the_name  text := private.text_arg('name', create_waiver_template.name, 1, 200);
  the_title text := private.text_arg('title', create_waiver_template.title, 1, 200);
  the_body  text := private.text_arg('body', create_waiver_template.body, 1, 50000);
  made uuid;
BEGIN
  the_name := private.required_text('name', the_name);
  the_title := private.required_text('title', the_title);
  PERFORM private.required_text('body', the_body);  -- the body is kept exactly as written: it is what is hashed
  PERFORM private.waiver_manager(create_waiver_template.org_id);
  INSERT INTO app.waiver_templates (org_id, name, created_by)
  VALUES (create_waiver_template.org_id, the_name, auth.uid())
  RETURNING id INTO made;
  INSERT INTO app.waiver_versions (org_id, template_id, version, title, body, created_by)
  VALUES (create_waiver_template.org_id, made, 1, the_title, the_body, auth.uid());
  RETURN private.waiver_template_answer(made);
END
$$;

COMMENT ON FUNCTION api.create_waiver_template(uuid, text, text, text) IS
$$Creates a waiver template of the organization with its first version (title, body: the exact text participants
sign, kept as written, up to 50,000 characters) and answers it: {id, org_id, name, archived_at, created_at,
current_version, versions: [{id, template_id, version, title, body, body_sha256, created_at, created_by,
signed}]}, body_sha256 being the hex SHA-256 of the body's UTF-8 bytes. For managers and up. Errors: PT400 a name
or title missing or over 200 characters, a body missing or over 50,000; PT404 the organization is not the
caller's; PT403 the caller is staff.$$;

REVOKE ALL ON FUNCTION api.create_waiver_template(uuid, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.create_waiver_template(uuid, text, text, text) TO authenticated;


CREATE OR REPLACE FUNCTION api.create_waiver_version(template_id uuid, title text, body text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  the_title text := private.text_arg('title', create_waiver_version.title, 1, 200);
  the_body  text := private.text_arg('body', create_waiver_version.body, 1, 50000);
  t app.waiver_templates;
  made app.waiver_versions;
BEGIN
  the_title := private.required_text('title', the_title);
  PERFORM private.required_text('body', the_body);
  SELECT * INTO t FROM app.waiver_templates w WHERE w.id = create_waiver_version.template_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'waiver template not found' USING ERRCODE = 'PT404';
  END IF;
  PERFORM private.waiver_manager(t.org_id);
  -- Versions of one template are numbered one at a time.
  PERFORM FROM app.waiver_templates w WHERE w.id = t.id FOR UPDATE;
  IF t.archived_at IS NOT NULL THEN
    RAISE EXCEPTION 'this waiver template is archived' USING ERRCODE = 'PT409', DETAIL = 'archived';
  END IF;
  INSERT INTO app.waiver_versions (org_id, template_id, version, title, body, created_by)
  SELECT t.org_id, t.id, coalesce(max(v.version), 0) + 1, the_title, the_body, auth.uid()
    FROM app.waiver_versions v WHERE v.template_id = t.id
  RETURNING * INTO made;
  RETURN private.waiver_version_answer(made, '{}');
END
$$;

COMMENT ON FUNCTION api.create_waiver_version(uuid, text, text) IS
$$New wording of a waiver template: a new version (numbered after the last), which becomes the current one that
participants sign from now on; signatures of earlier versions stay as they were. Answers the version {id,
template_id, version, title, body, body_sha256, created_at, created_by, signed}. For managers and up. Errors:
PT400 a title missing or over 200 characters, a body missing or over 50,000; PT404 the template is not the
caller's organization's; PT403 the caller is staff; PT409 archived (the template is archived).$$;

REVOKE ALL ON FUNCTION api.create_waiver_version(uuid, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.create_waiver_version(uuid, text, text) TO authenticated;


CREATE OR REPLACE FUNCTION api.update_waiver_version(version_id uuid, changes jsonb)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  wanted jsonb := private.changes_arg('changes', changes, ARRAY['title', 'body']);
  the_title text;
  the_body text;
  v app.waiver_versions;
BEGIN
  IF wanted ? 'title' THEN
    IF pg_catalog.jsonb_typeof(wanted -> 'title') IS DISTINCT FROM 'string' THEN
      RAISE EXCEPTION 'title is required, as text' USING ERRCODE = 'PT400', DETAIL = 'required';
    END IF;
    the_title := private.required_text('title', private.text_arg('title', wanted ->> 'title', 1, 200));
  END IF;
  IF wanted ? 'body' THEN
    IF pg_catalog.jsonb_typeof(wanted -> 'body') IS DISTINCT FROM 'string' THEN
      RAISE EXCEPTION 'body is required, as text' USING ERRCODE = 'PT400', DETAIL = 'required';
    END IF;
    the_body := private.text_arg('body', wanted ->> 'body', 1, 50000);
    PERFORM private.required_text('body', the_body);
  END IF;
  SELECT * INTO v FROM app.waiver_versions w WHERE w.id = update_waiver_version.version_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'waiver version not found' USING ERRCODE = 'PT404';
  END IF;
  PERFORM private.waiver_manager(v.org_id);
  IF the_title IS NOT NULL OR the_body IS NOT NULL THEN
    UPDATE app.waiver_versions w
       SET title = coalesce(the_title, w.title), body = coalesce(the_body, w.body)
     WHERE w.id = v.id
    RETURNING * INTO v;
  END IF;
  RETURN private.waiver_version_answer(v, private.waiver_signed_versions(v.org_id));
END
$$;

COMMENT ON FUNCTION api.update_waiver_version(uuid, jsonb) IS
$$Corrects a waiver version nobody has signed yet: changes is a PATCH object of title and/or body (absent keys
keep theirs). Answers the version {id, template_id, version, title, body, body_sha256, created_at, created_by,
signed}; its body_sha256 follows the body. For managers and up. Errors: PT400 invalid (changes not an object, or a
key other than title and body, listed in the hint), PT400 required (a key set to null or blank), PT400 a title
over 200 or a body over 50,000 characters; PT404 the version is not the caller's organization's; PT403 the caller
is staff; PT409 waiver_signed once anyone signed it (new wording is then a new version: create_waiver_version).$$;

REVOKE ALL ON FUNCTION api.update_waiver_version(uuid, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.update_waiver_version(uuid, jsonb) TO authenticated;


CREATE OR REPLACE FUNCTION private.waiver_template_users(p_template_id uuid)
RETURNS text[]
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  RETURN ARRAY(SELECT e.name FROM app.experiences e
                WHERE e.waiver_template_id = p_template_id AND e.active
                  AND e.org_id = ANY (private.org_ids('staff'))
                ORDER BY e.name);
END
$$;

COMMENT ON FUNCTION private.waiver_template_users(uuid) IS
'The names of the active experiences that require the waiver template, for members of its organization (empty
for anyone else). A definer so that archiving sees every experience of the organization, whatever the caller''s
view of them.';

REVOKE ALL ON FUNCTION private.waiver_template_users(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.waiver_template_users(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.archive_waiver_template(template_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
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
            HINT = 'give those experiences another waiver, or none, first (update_experience)';
  END IF;
  UPDATE app.waiver_templates w SET archived_at = coalesce(w.archived_at, pg_catalog.now()) WHERE w.id = t.id;
  RETURN private.waiver_template_answer(t.id);
END
$$;

COMMENT ON FUNCTION api.archive_waiver_template(uuid) IS
$$Archives a waiver template: it takes no new versions and no experience can be given it; signatures and versions
stay. Archiving an archived template changes nothing. Answers the template as create_waiver_template does. For
managers and up. Errors: PT404 the template is not the caller's organization's; PT403 the caller is staff; PT409
waiver_in_use while an active experience requires it (named in the message).$$;

REVOKE ALL ON FUNCTION api.archive_waiver_template(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.archive_waiver_template(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.list_waiver_templates(org_id uuid, include_archived boolean DEFAULT false)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
BEGIN
  IF list_waiver_templates.org_id IS NULL OR NOT list_waiver_templates.org_id = ANY (private.org_ids('staff')) THEN
    RAISE EXCEPTION 'organization not found' USING ERRCODE = 'PT404';
  END IF;
  RETURN coalesce((SELECT pg_catalog.jsonb_agg(private.waiver_template_answer(t.id) ORDER BY t.name, t.id)
                     FROM app.waiver_templates t
                    WHERE t.org_id = list_waiver_templates.org_id
                      AND (t.archived_at IS NULL OR coalesce(include_archived, false))), '[]'::jsonb);
END
$$;

COMMENT ON FUNCTION api.list_waiver_templates(uuid, boolean) IS
$$The organization's waiver templates by name, each as create_waiver_template answers it (every version, newest
first, with signed: whether it can still be corrected); archived ones only with include_archived. For staff and
up. Errors: PT404 the organization is not the caller's.$$;

REVOKE ALL ON FUNCTION api.list_waiver_templates(uuid, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.list_waiver_templates(uuid, boolean) TO authenticated;


CREATE OR REPLACE FUNCTION private.experiences_waiver_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  -- The composite foreign key already keeps the template within the organization; an archived one is kept for
  -- the signatures made under it and given to no experience again.
  IF EXISTS (SELECT FROM app.waiver_templates t
              WHERE t.org_id = NEW.org_id AND t.id = NEW.waiver_template_id AND t.archived_at IS NOT NULL) THEN
    RAISE EXCEPTION 'this waiver template is archived' USING ERRCODE = 'PT409', DETAIL = 'archived',
      HINT = 'restore it or choose another waiver';
  END IF;
  RETURN NEW;
END
$$;

COMMENT ON FUNCTION private.experiences_waiver_guard() IS
'Trigger on app.experiences: an experience is never given an archived waiver template (PT409 archived), by
update_experience or any other path.';

REVOKE ALL ON FUNCTION private.experiences_waiver_guard() FROM PUBLIC;

CREATE OR REPLACE TRIGGER experiences_waiver_guard
  BEFORE INSERT OR UPDATE OF waiver_template_id ON app.experiences
  FOR EACH ROW WHEN (NEW.waiver_template_id IS NOT NULL) EXECUTE FUNCTION private.experiences_waiver_guard();


-- Signing. -----------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.waiver_counts(p_booking app.bookings)
RETURNS jsonb
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT pg_catalog.jsonb_build_object(
    'places', p_booking.party_size, 'signed', n.signed, 'missing', greatest(p_booking.party_size - n.signed, 0))
    FROM app.experiences e
   CROSS JOIN LATERAL (
     SELECT pg_catalog.count(*)::integer AS signed
       FROM app.waiver_signatures s JOIN app.waiver_versions v ON v.org_id = s.org_id AND v.id = s.version_id
      WHERE s.org_id = p_booking.org_id AND s.booking_id = p_booking.id AND v.template_id = e.waiver_template_id) n
   WHERE e.org_id = p_booking.org_id AND e.id = p_booking.experience_id
$$;

COMMENT ON FUNCTION private.waiver_counts(app.bookings) IS
'{places, signed, missing} of a booking: its participants (party_size, one ticket each), and its signatures of its experience''s current waiver
template (any version). For the definers of this area.';

REVOKE ALL ON FUNCTION private.waiver_counts(app.bookings) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.record_signature(p_booking app.bookings, p_full_name text, p_date_of_birth date,
                                                    p_signature text, p_text_sha256 text, p_guardian_name text,
                                                    p_guardian_signature text, p_via text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  made app.waiver_signatures;
BEGIN
  -- The trigger decides what the signature may be (waiver_signatures_fill); this picks the version it is of.
  INSERT INTO app.waiver_signatures (org_id, booking_id, version_id, participant_name, date_of_birth, minor,
                                     guardian_name, guardian_signature, signature, text_sha256, signed_via,
                                     collected_by)
  SELECT p_booking.org_id, p_booking.id,
         (SELECT v.id FROM app.waiver_versions v WHERE v.template_id = e.waiver_template_id
           ORDER BY v.version DESC LIMIT 1),
         p_full_name, p_date_of_birth, false, p_guardian_name, p_guardian_signature, p_signature, p_text_sha256, p_via,
         CASE WHEN p_via = 'venue' THEN auth.uid() END
    FROM app.experiences e WHERE e.id = p_booking.experience_id
  RETURNING * INTO made;
  RETURN pg_catalog.jsonb_build_object(
    'signature_id', made.id, 'booking_id', made.booking_id, 'participant_name', made.participant_name,
    'minor', made.minor, 'signed_at', made.signed_at, 'signed_via', made.signed_via,
    'text_sha256', made.text_sha256)
    || private.waiver_counts(p_booking);
END
$$;

COMMENT ON FUNCTION private.record_signature(app.bookings, text, date, text, text, text, text, text) IS
'Inserts one participant''s signature of the booking''s current waiver version (the table''s trigger checks and
completes it) and answers {signature_id, booking_id, participant_name, minor, signed_at, signed_via, text_sha256,
places, signed, missing}. For sign_waiver and sign_waiver_at_venue, which check their callers.';

REVOKE ALL ON FUNCTION private.record_signature(app.bookings, text, date, text, text, text, text, text) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.signature_args(p_full_name text, p_date_of_birth date, p_signature text,
                                                  p_text_sha256 text)
RETURNS void
LANGUAGE plpgsql
IMMUTABLE
SET search_path = ''
AS $$
BEGIN
  PERFORM private.required_text('full_name', p_full_name), private.required_text('signature', p_signature),
          private.required_text('text_sha256', p_text_sha256);
  IF p_date_of_birth IS NULL THEN
    RAISE EXCEPTION 'date_of_birth is required' USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  IF p_text_sha256 !~ '^[0-9a-f]{64}$' THEN
    RAISE EXCEPTION 'text_sha256 must be the SHA-256 of the waiver''s text, as 64 lower-case hex digits'
      USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
END
$$;

COMMENT ON FUNCTION private.signature_args(text, date, text, text) IS
'PT400 (detail required) naming the first of full_name, signature, text_sha256 and date_of_birth that is missing,
or (detail invalid) a text_sha256 that is not 64 lower-case hex digits.';

REVOKE ALL ON FUNCTION private.signature_args(text, date, text, text) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.booking_by_pair(p_code text, p_email text)
RETURNS app.bookings
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT b.* FROM app.bookings b JOIN app.customers c ON c.org_id = b.org_id AND c.id = b.customer_id
   WHERE b.confirmation_code = pg_catalog.upper(pg_catalog.btrim(p_code))
     AND c.email_key = pg_catalog.lower(pg_catalog.btrim(p_email))
   ORDER BY b.starts_at, b.id LIMIT 1
$$;

COMMENT ON FUNCTION private.booking_by_pair(text, text) IS
'The booking with this confirmation code (any case) booked with this e-mail (any case), or NULL. For the definers
that take the pair as their caller''s capability, after private.lookup_subjects.';

REVOKE ALL ON FUNCTION private.booking_by_pair(text, text) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.get_waiver(p_code text, p_email text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  subjects text[] := private.lookup_subjects(p_code, p_email);
  b app.bookings := private.booking_by_pair(p_code, p_email);
BEGIN
  IF b.id IS NULL THEN
    RETURN private.lookup_failed(subjects);
  END IF;
  RETURN (
    SELECT pg_catalog.jsonb_build_object(
             'booking_id', b.id, 'confirmation_code', b.confirmation_code, 'status', b.status,
             'experience', e.name, 'venue', ve.name, 'venue_timezone', ve.timezone, 'starts_at', b.starts_at,
             'age_of_majority', ve.age_of_majority,
             'minor_if_born_after',
               ((b.starts_at AT TIME ZONE ve.timezone)::date - pg_catalog.make_interval(years => ve.age_of_majority))::date,
             'waiver', CASE WHEN cur.id IS NOT NULL THEN pg_catalog.jsonb_build_object(
                 'template_id', cur.template_id, 'version_id', cur.id, 'version', cur.version, 'title', cur.title,
                 'body', cur.body, 'body_sha256', cur.body_sha256) END)
           || private.waiver_counts(b)
      FROM app.experiences e
      JOIN app.venues ve ON ve.org_id = e.org_id AND ve.id = e.venue_id
      LEFT JOIN LATERAL (SELECT v.* FROM app.waiver_versions v
                          WHERE v.org_id = e.org_id AND v.template_id = e.waiver_template_id
                          ORDER BY v.version DESC LIMIT 1) cur ON true
     WHERE e.org_id = b.org_id AND e.id = b.experience_id);
END
$$;

COMMENT ON FUNCTION private.get_waiver(text, text) IS
'The waiver a booking''s participants sign, found by its confirmation code and e-mail; or the not-found answer,
counted for the rate limit shared with get_tickets. Its own check: the pair itself.';

REVOKE ALL ON FUNCTION private.get_waiver(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.get_waiver(text, text) TO anon, authenticated;


CREATE OR REPLACE FUNCTION api.get_waiver(confirmation_code text, email text)
RETURNS jsonb LANGUAGE sql VOLATILE SET search_path = ''
AS $$
  SELECT private.get_waiver(private.text_arg('confirmation_code', confirmation_code, 1, 20),
                            private.email_arg('email', email))
$$;

COMMENT ON FUNCTION api.get_waiver(text, text) IS
$$The waiver to sign for a booking, without an account: the booking with this confirmation code (any case) booked
with this e-mail (any case), as {booking_id, confirmation_code, status, experience, venue, venue_timezone,
starts_at, age_of_majority, minor_if_born_after (a participant born after this date is a minor on the session's
date and signs with a guardian), waiver: {template_id, version_id, version, title, body, body_sha256} (null when
the experience asks for none), places, signed, missing}. It names no participant. Show the body exactly and send
its SHA-256 (body_sha256, or computed by the client over the UTF-8 text shown) to sign_waiver. For anyone (anon and
signed in). A wrong pair is answered as get_tickets answers it: HTTP 404 {"code": "PT404", "message": "booking not
found: …"}, counted in the same rate limit (ten failures an hour per code or e-mail, then PT429 rate_limited for
that hour, right pairs included). Errors: PT400 a code over 20 characters, an e-mail that is not one, either
missing; PT429.$$;

REVOKE ALL ON FUNCTION api.get_waiver(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.get_waiver(text, text) TO anon, authenticated;


CREATE OR REPLACE FUNCTION private.sign_waiver(p_code text, p_email text, p_full_name text, p_date_of_birth date,
                                               p_signature text, p_text_sha256 text, p_guardian_name text,
                                               p_guardian_signature text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  subjects text[] := private.lookup_subjects(p_code, p_email);
  b app.bookings;
BEGIN
  PERFORM private.signature_args(p_full_name, p_date_of_birth, p_signature, p_text_sha256);
  b := private.booking_by_pair(p_code, p_email);
  IF b.id IS NULL THEN
    RETURN private.lookup_failed(subjects);
  END IF;
  RETURN private.record_signature(b, pg_catalog.btrim(p_full_name), p_date_of_birth, pg_catalog.btrim(p_signature),
                                  p_text_sha256, nullif(pg_catalog.btrim(p_guardian_name), ''),
                                  nullif(pg_catalog.btrim(p_guardian_signature), ''), 'online');
END
$$;

COMMENT ON FUNCTION private.sign_waiver(text, text, text, date, text, text, text, text) IS
'A participant signs the waiver of the booking with this confirmation code and e-mail; or the not-found answer,
counted for the rate limit. Its own check: the pair itself.';

REVOKE ALL ON FUNCTION private.sign_waiver(text, text, text, date, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.sign_waiver(text, text, text, date, text, text, text, text) TO anon, authenticated;


CREATE OR REPLACE FUNCTION api.sign_waiver(confirmation_code text, email text, full_name text, date_of_birth date,
                                           signature text, text_sha256 text, guardian_name text DEFAULT NULL,
                                           guardian_signature text DEFAULT NULL)
RETURNS jsonb LANGUAGE sql VOLATILE SET search_path = ''
AS $$
  SELECT private.sign_waiver(private.text_arg('confirmation_code', confirmation_code, 1, 20),
                             private.email_arg('email', email),
                             private.text_arg('full_name', full_name, 1, 200),
                             private.birth_date_arg('date_of_birth', date_of_birth),
                             private.text_arg('signature', signature, 1, 200),
                             private.text_arg('text_sha256', text_sha256, 1, 64),
                             private.text_arg('guardian_name', guardian_name, 1, 200),
                             private.text_arg('guardian_signature', guardian_signature, 1, 200))
$$;

COMMENT ON FUNCTION api.sign_waiver(text, text, text, date, text, text, text, text) IS
$$One participant signs the waiver of a booking, without an account: the booking's confirmation code and e-mail
are the capability, as for get_waiver. full_name and date_of_birth are the participant's, signature their typed
name, text_sha256 the SHA-256 (64 lower-case hex digits) of the text they were shown (get_waiver's body_sha256).
The database judges whether the participant is a minor (under the venue's age_of_majority on the session's date
in the venue's zone); a minor's signature needs guardian_name and guardian_signature, an adult's ignores them. The
signature keeps the time, the hash of the text signed, and the client's IP and user agent from the request. At
most one signature per place of the booking. Answers {signature_id, booking_id, participant_name, minor, signed_at,
signed_via: "online", text_sha256, places, signed, missing}. For anyone (anon and signed in). A wrong pair is
answered HTTP 404 PT404 "booking not found: …" and counted, as get_waiver's. Errors: PT400 required (full_name,
signature, text_sha256, date_of_birth), out_of_range (a text too long; a date of birth before 1900 or in the
future), invalid (text_sha256 not hex; a date of birth after the session), guardian_required; PT409 waiver_changed
(the text shown is not the current version's: read it again; the hint gives the current version and hash),
all_signed (every place has signed), no_waiver (the experience asks for none), booking_closed (cancelled, expired
or over); PT429 rate_limited.$$;

REVOKE ALL ON FUNCTION api.sign_waiver(text, text, text, date, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.sign_waiver(text, text, text, date, text, text, text, text) TO anon, authenticated;


CREATE OR REPLACE FUNCTION private.staff_booking(p_booking_id uuid)
RETURNS app.bookings
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
DECLARE
  b app.bookings;
BEGIN
  SELECT * INTO b FROM app.bookings WHERE id = p_booking_id;
  IF b.id IS NULL OR NOT b.org_id = ANY (private.org_ids('staff')) THEN
    RAISE EXCEPTION 'booking not found' USING ERRCODE = 'PT404';
  END IF;
  RETURN b;
END
$$;

COMMENT ON FUNCTION private.staff_booking(uuid) IS
'The booking, when the caller is staff or more of its organization; else PT404. For the definers of this area.';

REVOKE ALL ON FUNCTION private.staff_booking(uuid) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.sign_waiver_at_venue(p_booking_id uuid, p_full_name text, p_date_of_birth date,
                                                        p_signature text, p_text_sha256 text, p_guardian_name text,
                                                        p_guardian_signature text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  PERFORM private.signature_args(p_full_name, p_date_of_birth, p_signature, p_text_sha256);
  RETURN private.record_signature(private.staff_booking(p_booking_id), pg_catalog.btrim(p_full_name),
                                  p_date_of_birth, pg_catalog.btrim(p_signature), p_text_sha256,
                                  nullif(pg_catalog.btrim(p_guardian_name), ''),
                                  nullif(pg_catalog.btrim(p_guardian_signature), ''), 'venue');
END
$$;

COMMENT ON FUNCTION private.sign_waiver_at_venue(uuid, text, date, text, text, text, text) IS
'A participant signs the booking''s waiver on a staff device, collected by the caller. Its own check: staff of the
booking''s organization.';

REVOKE ALL ON FUNCTION private.sign_waiver_at_venue(uuid, text, date, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.sign_waiver_at_venue(uuid, text, date, text, text, text, text) TO authenticated;


CREATE OR REPLACE FUNCTION api.sign_waiver_at_venue(booking_id uuid, full_name text, date_of_birth date,
                                                    signature text, text_sha256 text, guardian_name text DEFAULT NULL,
                                                    guardian_signature text DEFAULT NULL)
RETURNS jsonb LANGUAGE sql VOLATILE SET search_path = ''
AS $$
  SELECT private.sign_waiver_at_venue(booking_id,
                                      private.text_arg('full_name', full_name, 1, 200),
                                      private.birth_date_arg('date_of_birth', date_of_birth),
                                      private.text_arg('signature', signature, 1, 200),
                                      private.text_arg('text_sha256', text_sha256, 1, 64),
                                      private.text_arg('guardian_name', guardian_name, 1, 200),
                                      private.text_arg('guardian_signature', guardian_signature, 1, 200))
$$;

COMMENT ON FUNCTION api.sign_waiver_at_venue(uuid, text, date, text, text, text, text) IS
$$One participant signs a booking's waiver at the venue, on a staff device: as sign_waiver, with the booking's id
instead of its code and e-mail; signed_via "venue" and collected_by the caller are recorded, with the device's IP
and user agent. Show the current version's text (booking_waiver_status gives its version; get_waiver's body) and
send its SHA-256. For staff and up of the booking's organization. Answers as sign_waiver. Errors: PT404 the booking
is not the caller's organization's; otherwise as sign_waiver (PT400 required, out_of_range, invalid,
guardian_required; PT409 waiver_changed, all_signed, no_waiver, booking_closed).$$;

REVOKE ALL ON FUNCTION api.sign_waiver_at_venue(uuid, text, date, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.sign_waiver_at_venue(uuid, text, date, text, text, text, text) TO authenticated;


CREATE OR REPLACE FUNCTION private.booking_waiver_status(p_booking_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  b app.bookings := private.staff_booking(p_booking_id);
BEGIN
  RETURN (
    SELECT pg_catalog.jsonb_build_object(
             'booking_id', b.id, 'required', e.waiver_template_id IS NOT NULL, 'at_check_in', e.waiver_at_check_in,
             'template_id', e.waiver_template_id,
             'version', (SELECT max(v.version) FROM app.waiver_versions v
                          WHERE v.org_id = b.org_id AND v.template_id = e.waiver_template_id),
             'signed', coalesce((
               SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                        'signature_id', s.id, 'participant_name', s.participant_name, 'minor', s.minor,
                        'signed_at', s.signed_at, 'signed_via', s.signed_via, 'version', v.version)
                      ORDER BY s.signed_at, s.id)
                 FROM app.waiver_signatures s JOIN app.waiver_versions v ON v.org_id = s.org_id AND v.id = s.version_id
                WHERE s.org_id = b.org_id AND s.booking_id = b.id AND v.template_id = e.waiver_template_id),
               '[]'::jsonb))
           || (private.waiver_counts(b) - 'signed')
      FROM app.experiences e WHERE e.org_id = b.org_id AND e.id = b.experience_id);
END
$$;

COMMENT ON FUNCTION private.booking_waiver_status(uuid) IS
'Who of a booking has signed its waiver and how many places are missing. Its own check: staff of the booking''s
organization.';

REVOKE ALL ON FUNCTION private.booking_waiver_status(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.booking_waiver_status(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.booking_waiver_status(booking_id uuid)
RETURNS jsonb LANGUAGE sql STABLE SET search_path = ''
AS $$ SELECT private.booking_waiver_status(booking_id) $$;

COMMENT ON FUNCTION api.booking_waiver_status(uuid) IS
$$A booking's waivers: {booking_id, required (its experience asks for a waiver), at_check_in (check-in refuses
without one), template_id, version (the current one), places, signed: [{signature_id, participant_name, minor,
signed_at, signed_via, version}], missing (places without a signature)}. Signatures count for the experience's
current template, any version of it. For staff and up of the booking's organization. Errors: PT404 the booking is
not the caller's organization's.$$;

REVOKE ALL ON FUNCTION api.booking_waiver_status(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.booking_waiver_status(uuid) TO authenticated;


-- At the door. -------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.check_in_waiver(p_ticket app.tickets)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  template uuid;
  signed integer;
  let_in integer;
BEGIN
  SELECT e.waiver_template_id INTO template
    FROM app.bookings b JOIN app.experiences e ON e.org_id = b.org_id AND e.id = b.experience_id
   WHERE b.org_id = p_ticket.org_id AND b.id = p_ticket.booking_id AND e.waiver_at_check_in;
  IF template IS NULL THEN
    RETURN;
  END IF;
  -- Signatures are per participant, not per ticket: the next person in needs one more signature than people let
  -- in. Scans and signatures of one booking take turns on its row, so two scans cannot share one signature.
  PERFORM FROM app.bookings b WHERE b.org_id = p_ticket.org_id AND b.id = p_ticket.booking_id FOR NO KEY UPDATE;
  SELECT pg_catalog.count(*) INTO signed
    FROM app.waiver_signatures s JOIN app.waiver_versions v ON v.org_id = s.org_id AND v.id = s.version_id
   WHERE s.org_id = p_ticket.org_id AND s.booking_id = p_ticket.booking_id AND v.template_id = template;
  SELECT pg_catalog.count(*) INTO let_in
    FROM app.check_ins c JOIN app.tickets t ON t.org_id = c.org_id AND t.id = c.ticket_id
   WHERE c.org_id = p_ticket.org_id AND t.booking_id = p_ticket.booking_id AND t.status = 'valid';
  IF signed <= let_in THEN
    RAISE EXCEPTION 'a waiver is missing: % signed for this booking and % already let in', signed, let_in
      USING ERRCODE = 'PT409', DETAIL = 'waiver_missing',
            HINT = 'the participant signs first (online, or at the venue: sign_waiver_at_venue)';
  END IF;
END
$$;

COMMENT ON FUNCTION private.check_in_waiver(app.tickets) IS
'For check_in: when the ticket''s experience has waiver_at_check_in (and a waiver), PT409 waiver_missing unless its
booking has more signatures than its valid tickets already checked in.';

REVOKE ALL ON FUNCTION private.check_in_waiver(app.tickets) FROM PUBLIC;
