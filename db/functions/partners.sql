-- Functions of the `partners` area (EventOS): vendors and sponsors of an experience or of one dated session, with
-- their contact, the amount agreed in minor units and where the deal stands. Managers and up only, reading too:
-- the amounts agreed are commercial, so RLS hides partners from staff and the functions say so.

CREATE OR REPLACE TRIGGER event_partners_touch_updated_at
  BEFORE UPDATE ON app.event_partners FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();


CREATE OR REPLACE FUNCTION private.partners_manager(p_org_id uuid)
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
BEGIN
  IF p_org_id IS NULL OR NOT p_org_id = ANY (private.org_ids('manager')) THEN
    RAISE EXCEPTION 'only managers, admins and owners of the organization see and keep event partners'
      USING ERRCODE = 'PT403';
  END IF;
END
$$;

COMMENT ON FUNCTION private.partners_manager(uuid) IS
'Raises PT403 unless the caller is a manager or above of p_org_id.';

REVOKE ALL ON FUNCTION private.partners_manager(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.partners_manager(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.create_partner(
  org_id        uuid,
  kind          text,
  name          text,
  agreed_minor  bigint,
  currency      text,
  experience_id uuid DEFAULT NULL,
  slot_id       uuid DEFAULT NULL,
  contact_name  text DEFAULT NULL,
  email         text DEFAULT NULL,
  phone         text DEFAULT NULL,
  status        text DEFAULT 'proposed',
  notes         text DEFAULT NULL
)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  partner app.event_partners;
  state text;
  sch text;
  tbl text;
  con text;
  col text;
BEGIN
  PERFORM private.text_arg('kind', kind, 1, 20), private.text_arg('name', name, 1, 200),
          private.amount_arg('agreed_minor', agreed_minor, 0, 999999999), private.currency_arg('currency', currency),
          private.text_arg('contact_name', contact_name, 0, 200), private.email_arg('email', email),
          private.text_arg('phone', phone, 0, 50), private.text_arg('status', status, 1, 20),
          private.text_arg('notes', notes, 0, 5000);
  IF kind IS NULL OR name IS NULL OR agreed_minor IS NULL OR currency IS NULL THEN
    RAISE EXCEPTION '% is required', CASE WHEN kind IS NULL THEN 'kind' WHEN name IS NULL THEN 'name'
                                          WHEN agreed_minor IS NULL THEN 'agreed_minor' ELSE 'currency' END
      USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  IF kind NOT IN ('vendor', 'sponsor') THEN
    RAISE EXCEPTION 'kind must be one of vendor, sponsor, not %', pg_catalog.quote_literal(kind)
      USING ERRCODE = 'PT400', DETAIL = 'invalid', HINT = 'vendor, sponsor';
  END IF;
  IF coalesce(status, 'proposed') NOT IN ('proposed', 'confirmed', 'invoiced', 'paid', 'cancelled') THEN
    RAISE EXCEPTION 'status must be one of proposed, confirmed, invoiced, paid, cancelled, not %',
      pg_catalog.quote_literal(status) USING ERRCODE = 'PT400', DETAIL = 'invalid',
      HINT = 'proposed, confirmed, invoiced, paid, cancelled';
  END IF;
  PERFORM private.partners_manager(org_id);
  BEGIN
    INSERT INTO app.event_partners (org_id, kind, name, contact_name, email, phone, experience_id, slot_id,
                                    agreed_minor, currency, status, notes)
    VALUES (create_partner.org_id, kind, pg_catalog.btrim(name), contact_name, pg_catalog.btrim(email), phone,
            create_partner.experience_id, create_partner.slot_id, agreed_minor,
            private.currency_arg('currency', currency), coalesce(status, 'proposed'), notes)
    RETURNING * INTO partner;
  EXCEPTION WHEN integrity_constraint_violation THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, sch = SCHEMA_NAME, tbl = TABLE_NAME, con = CONSTRAINT_NAME,
                            col = COLUMN_NAME;
    PERFORM private.constraint_error(state, sch, tbl, con, col);
  END;
  RETURN pg_catalog.to_jsonb(partner);
END
$$;

COMMENT ON FUNCTION api.create_partner(uuid, text, text, bigint, text, uuid, uuid, text, text, text, text, text) IS
$$Adds an event partner and answers it as an object (every column of app.event_partners): kind vendor or sponsor,
name (up to 200 characters), agreed_minor (0 to 999,999,999 minor units) in currency (ISO 4217), attached to
experience_id or slot_id (a dated session; at least one), contact_name (200), email, phone (50), status (proposed,
confirmed, invoiced, paid or cancelled; default proposed), notes (5000). For managers, admins and owners of the
organization. Errors: PT400 naming a missing, malformed or out-of-range argument, neither experience_id nor
slot_id (detail required); PT403 anyone else; PT409 an experience or session of another organization (detail
referenced).$$;

REVOKE ALL ON FUNCTION api.create_partner(uuid, text, text, bigint, text, uuid, uuid, text, text, text, text, text)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.create_partner(uuid, text, text, bigint, text, uuid, uuid, text, text, text, text, text)
  TO authenticated;


CREATE OR REPLACE FUNCTION api.update_partner(partner_id uuid, changes jsonb)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  allowed constant text[] := ARRAY['kind', 'name', 'contact_name', 'email', 'phone', 'experience_id', 'slot_id',
                                   'agreed_minor', 'currency', 'status', 'notes'];
  answer jsonb;
BEGIN
  PERFORM private.changes_arg('changes', changes, allowed);
  IF changes ? 'email' THEN
    PERFORM private.email_arg('email', changes ->> 'email');
  END IF;
  IF changes ? 'currency' THEN
    changes := changes || pg_catalog.jsonb_build_object('currency',
                                                        private.currency_arg('currency', changes ->> 'currency'));
  END IF;
  answer := private.apply_changes('app.event_partners', partner_id, changes);
  IF answer IS NULL THEN
    RAISE EXCEPTION 'partner not found' USING ERRCODE = 'PT404';
  END IF;
  RETURN answer;
END
$$;

COMMENT ON FUNCTION api.update_partner(uuid, jsonb) IS
$$Changes an event partner as PostgREST's PATCH would: the keys of changes are set (a JSON null clears a field
that may be empty), absent keys keep theirs. Keys: kind, name, contact_name, email, phone, experience_id, slot_id,
agreed_minor, currency, status, notes. Answers the partner. For managers, admins and owners of its organization.
Errors: PT400 detail invalid naming a key that is unknown or may not change (listing those that may) or a value of
the wrong type or not allowed, required when it would leave the partner attached to nothing; PT404 no such partner
for the caller (staff included).$$;

REVOKE ALL ON FUNCTION api.update_partner(uuid, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.update_partner(uuid, jsonb) TO authenticated;


CREATE OR REPLACE FUNCTION api.list_partners(org_id uuid, experience_id uuid DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
BEGIN
  PERFORM private.partners_manager(org_id);
  RETURN coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(p) ORDER BY p.created_at, p.id)
                     FROM app.event_partners p
                    WHERE p.org_id = list_partners.org_id
                      AND (list_partners.experience_id IS NULL OR p.experience_id = list_partners.experience_id)),
                  '[]');
END
$$;

COMMENT ON FUNCTION api.list_partners(uuid, uuid) IS
$$The organization's event partners, oldest first, as a JSON array of partner objects; experience_id keeps those of
that experience. For managers, admins and owners. Errors: PT403 anyone else (staff included).$$;

REVOKE ALL ON FUNCTION api.list_partners(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.list_partners(uuid, uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.delete_partner(partner_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
BEGIN
  DELETE FROM app.event_partners p WHERE p.id = partner_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'partner not found' USING ERRCODE = 'PT404';
  END IF;
  RETURN pg_catalog.jsonb_build_object('deleted', partner_id);
END
$$;

COMMENT ON FUNCTION api.delete_partner(uuid) IS
$$Deletes an event partner (nothing refers to one) and answers {"deleted": partner_id}. For managers, admins and
owners of its organization. Errors: PT404 no such partner for the caller (staff included).$$;

REVOKE ALL ON FUNCTION api.delete_partner(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.delete_partner(uuid) TO authenticated;
