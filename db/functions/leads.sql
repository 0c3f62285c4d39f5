-- Functions of the `leads` area (CRM): group and corporate enquiries in a small pipeline, new -> contacted ->
-- proposal -> won | lost, forward only (a trigger, so no path moves one back), and a won lead turned into its one
-- booking through the same path staff bookings take. Staff of the organization work leads as themselves, under RLS.

CREATE OR REPLACE FUNCTION private.leads_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  IF (NEW.id, NEW.org_id, NEW.created_at, NEW.created_by)
     IS DISTINCT FROM (OLD.id, OLD.org_id, OLD.created_at, OLD.created_by) THEN
    RAISE EXCEPTION 'a lead keeps its organization and its creation' USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
  IF OLD.booking_id IS NOT NULL AND NEW.booking_id IS DISTINCT FROM OLD.booking_id THEN
    RAISE EXCEPTION 'this lead was already turned into a booking' USING ERRCODE = 'PT409',
      DETAIL = 'already_converted';
  END IF;
  IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
       (OLD.status IN ('new', 'contacted', 'proposal') AND NEW.status = 'lost')
    OR (OLD.status <> 'lost' AND NEW.status <> 'lost' AND NEW.status > OLD.status)) THEN
    RAISE EXCEPTION 'a lead cannot go from % to %', OLD.status, NEW.status USING ERRCODE = 'PT409',
      DETAIL = 'illegal_transition',
      HINT = 'new -> contacted -> proposal -> won, forward only (steps may be skipped); lost from any open state';
  END IF;
  RETURN NEW;
END
$$;

COMMENT ON FUNCTION private.leads_guard() IS
'Trigger: a lead''s status moves forward only (new -> contacted -> proposal -> won, skipping allowed; lost from
new, contacted or proposal; won and lost are final), else PT409 illegal_transition; its booking is set once (PT409
already_converted); organization and creation never change.';

REVOKE ALL ON FUNCTION private.leads_guard() FROM PUBLIC;

CREATE OR REPLACE TRIGGER leads_guard
  BEFORE UPDATE ON app.leads FOR EACH ROW EXECUTE FUNCTION private.leads_guard();
CREATE OR REPLACE TRIGGER leads_touch_updated_at
  BEFORE UPDATE ON app.leads FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();


CREATE OR REPLACE FUNCTION api.create_lead(
  org_id        uuid,
  contact_name  text,
  email         text DEFAULT NULL,
  phone         text DEFAULT NULL,
  company       text DEFAULT NULL,
  party_size    integer DEFAULT NULL,
  wanted_date   date DEFAULT NULL,
  venue_id      uuid DEFAULT NULL,
  experience_id uuid DEFAULT NULL,
  value_minor   bigint DEFAULT NULL,
  currency      text DEFAULT NULL,
  owner_id      uuid DEFAULT NULL,
  next_step     text DEFAULT NULL,
  next_step_at  timestamptz DEFAULT NULL,
  notes         text DEFAULT NULL
)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  lead app.leads;
  state text;
  sch text;
  tbl text;
  con text;
  col text;
BEGIN
  PERFORM private.text_arg('contact_name', contact_name, 1, 200), private.email_arg('email', email),
          private.text_arg('phone', phone, 0, 50), private.text_arg('company', company, 0, 200),
          private.party_size_arg(party_size), private.time_arg('wanted_date', wanted_date),
          private.amount_arg('value_minor', value_minor, 0, 999999999),
          private.currency_arg('currency', currency), private.text_arg('next_step', next_step, 0, 500),
          private.time_arg('next_step_at', next_step_at), private.text_arg('notes', notes, 0, 5000);
  IF contact_name IS NULL OR pg_catalog.btrim(contact_name) = '' THEN
    RAISE EXCEPTION 'contact_name is required' USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  IF org_id IS NULL OR NOT org_id = ANY (private.org_ids('staff')) THEN
    RAISE EXCEPTION 'only staff of the organization may add leads' USING ERRCODE = 'PT403';
  END IF;
  BEGIN
    INSERT INTO app.leads (org_id, venue_id, experience_id, contact_name, company, email, phone, party_size,
                           wanted_date, value_minor, currency, owner_id, next_step, next_step_at, notes)
    VALUES (create_lead.org_id, create_lead.venue_id, create_lead.experience_id, pg_catalog.btrim(contact_name),
            company, pg_catalog.btrim(email), phone, party_size, wanted_date, value_minor,
            private.currency_arg('currency', currency), create_lead.owner_id, next_step, next_step_at, notes)
    RETURNING * INTO lead;
  EXCEPTION WHEN integrity_constraint_violation THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, sch = SCHEMA_NAME, tbl = TABLE_NAME, con = CONSTRAINT_NAME,
                            col = COLUMN_NAME;
    PERFORM private.constraint_error(state, sch, tbl, con, col);
  END;
  RETURN pg_catalog.to_jsonb(lead);
END
$$;

COMMENT ON FUNCTION api.create_lead(uuid, text, text, text, text, integer, date, uuid, uuid, bigint, text, uuid, text,
                                    timestamptz, text) IS
$$Adds a lead (status new) and answers it as an object (every column of app.leads): contact_name (required, up to
200 characters), email, phone (50), company (200), party_size (1 to 1000), wanted_date, venue_id and
experience_id (the organization's), value_minor (0 to 999,999,999 minor units, with its currency, an ISO 4217 code),
owner_id (a member of the organization), next_step (500) and next_step_at, notes (5000). For staff of the
organization. Errors: PT400 naming an argument out of range or malformed, a value without currency, an owner who
is not a member; PT403 not staff of the organization; PT409 a venue or experience of another organization.$$;

REVOKE ALL ON FUNCTION api.create_lead(uuid, text, text, text, text, integer, date, uuid, uuid, bigint, text, uuid,
                                       text, timestamptz, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.create_lead(uuid, text, text, text, text, integer, date, uuid, uuid, bigint, text, uuid,
                                          text, timestamptz, text) TO authenticated;


CREATE OR REPLACE FUNCTION api.update_lead(lead_id uuid, changes jsonb)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  allowed constant text[] := ARRAY['contact_name', 'company', 'email', 'phone', 'party_size', 'wanted_date',
                                   'venue_id', 'experience_id', 'value_minor', 'currency', 'owner_id', 'next_step',
                                   'next_step_at', 'notes'];
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
  answer := private.apply_changes('app.leads', lead_id, changes);
  IF answer IS NULL THEN
    RAISE EXCEPTION 'lead not found' USING ERRCODE = 'PT404';
  END IF;
  RETURN answer;
END
$$;

COMMENT ON FUNCTION api.update_lead(uuid, jsonb) IS
$$Changes a lead as PostgREST's PATCH would: the keys of changes are set (a JSON null clears a field that may be
empty), absent keys keep theirs. Keys: contact_name, company, email, phone, party_size, wanted_date, venue_id,
experience_id, value_minor, currency, owner_id, next_step, next_step_at, notes (the status moves with move_lead).
Answers the lead. For staff of its organization. Errors: PT400 detail invalid naming a key that is unknown or may
not change (listing those that may) or a value of the wrong type or out of range; PT404 no such lead for the
caller.$$;

REVOKE ALL ON FUNCTION api.update_lead(uuid, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.update_lead(uuid, jsonb) TO authenticated;


CREATE OR REPLACE FUNCTION api.move_lead(lead_id uuid, status text, reason text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  lead app.leads;
BEGIN
  PERFORM private.enum_arg('status', ARRAY[status], 'app.lead_status'),
          private.text_arg('reason', reason, 0, 1000);
  IF reason IS NOT NULL AND status IS DISTINCT FROM 'lost' THEN
    RAISE EXCEPTION 'reason is given only when a lead is lost' USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
  SELECT l.* INTO lead FROM app.leads l WHERE l.id = lead_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'lead not found' USING ERRCODE = 'PT404';
  ELSIF lead.status = status::app.lead_status THEN
    -- A move to where it is would answer 200 and write nothing, or overwrite a lost reason: refused as elsewhere.
    RAISE EXCEPTION 'the lead is % already', lead.status USING ERRCODE = 'PT409', DETAIL = 'illegal_transition';
  END IF;
  UPDATE app.leads l
     SET status = move_lead.status::app.lead_status, lost_reason = move_lead.reason
   WHERE l.org_id = lead.org_id AND l.id = lead_id
  RETURNING * INTO lead;
  RETURN pg_catalog.to_jsonb(lead);
END
$$;

COMMENT ON FUNCTION api.move_lead(uuid, text, text) IS
$$Moves a lead along its pipeline and answers it: status one of new, contacted, proposal, won, lost, forward only
(new -> contacted -> proposal -> won, steps may be skipped; lost from any open state, with an optional reason up
to 1000 characters); won and lost are final. For staff of its organization. Errors: PT400 an unknown status, a
reason for another status than lost; PT404 no such lead for the caller; PT409 a move backwards, out of a final
state or to the status it has (detail illegal_transition).$$;

REVOKE ALL ON FUNCTION api.move_lead(uuid, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.move_lead(uuid, text, text) TO authenticated;


CREATE OR REPLACE FUNCTION api.list_leads(org_id uuid, status text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
BEGIN
  PERFORM private.enum_arg('status', ARRAY[status], 'app.lead_status') WHERE status IS NOT NULL;
  RETURN coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(l) ORDER BY l.created_at, l.id)
                     FROM app.leads l
                    WHERE l.org_id = list_leads.org_id
                      AND (list_leads.status IS NULL OR l.status = list_leads.status::app.lead_status)), '[]');
END
$$;

COMMENT ON FUNCTION api.list_leads(uuid, text) IS
$$The organization's leads, oldest first, as a JSON array of lead objects; status (new, contacted, proposal, won,
lost) keeps only those. Empty for an organization the caller is not staff of. For staff. Errors: PT400 an unknown
status.$$;

REVOKE ALL ON FUNCTION api.list_leads(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.list_leads(uuid, text) TO authenticated;


CREATE OR REPLACE FUNCTION api.convert_lead(
  lead_id       uuid,
  experience_id uuid,
  starts_at     timestamptz,
  party_size    integer DEFAULT NULL,
  tickets       jsonb DEFAULT NULL
)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  lead app.leads;
  booking app.bookings;
BEGIN
  PERFORM private.time_arg('starts_at', starts_at), private.party_size_arg(party_size),
          private.tickets_arg('tickets', tickets);
  -- Locked: of two conversions at once, the second waits and finds the booking made.
  SELECT l.* INTO lead FROM app.leads l WHERE l.id = lead_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'lead not found' USING ERRCODE = 'PT404';
  ELSIF lead.booking_id IS NOT NULL THEN
    RAISE EXCEPTION 'this lead was already turned into a booking' USING ERRCODE = 'PT409',
      DETAIL = 'already_converted', HINT = lead.booking_id::text;
  ELSIF lead.status <> 'won' THEN
    RAISE EXCEPTION 'only a won lead becomes a booking; this one is %', lead.status USING ERRCODE = 'PT409',
      DETAIL = 'not_won', HINT = 'move it to won with move_lead first';
  ELSIF lead.email IS NULL THEN
    RAISE EXCEPTION 'the lead has no e-mail for the booking' USING ERRCODE = 'PT409', DETAIL = 'email_required',
      HINT = 'set it with update_lead';
  END IF;
  -- The staff path of create_booking: the caller must be staff of the experience's organization.
  booking := private.place_booking(experience_id, starts_at, coalesce(party_size, lead.party_size), lead.email,
                                   lead.contact_name, lead.phone, tickets, 'lead ' || lead.id, NULL);
  IF booking.org_id <> lead.org_id THEN
    RAISE EXCEPTION 'experience not found' USING ERRCODE = 'PT404';
  END IF;
  UPDATE app.leads l SET booking_id = booking.id WHERE l.id = lead.id RETURNING * INTO lead;
  RETURN pg_catalog.jsonb_build_object('lead', pg_catalog.to_jsonb(lead),
                                       'booking', pg_catalog.to_jsonb(private.booking_answer(booking)));
END
$$;

COMMENT ON FUNCTION api.convert_lead(uuid, uuid, timestamptz, integer, jsonb) IS
$$Turns a won lead into its booking, once: books experience_id at starts_at for the lead's contact (e-mail, name,
phone) as create_booking does for staff, party_size defaulting to the lead's (ticketed events take tickets), and
links it to the lead. Answers {"lead": the lead, "booking": the booking as create_booking answers it}. For staff of
the lead's organization. Errors: PT400 as create_booking for its arguments; PT404 no such lead or experience for
the caller; PT409 the lead is not won (detail not_won), has no e-mail (email_required) or was converted before
(already_converted, HINT the booking's id); as create_booking: sold out, taken.$$;

REVOKE ALL ON FUNCTION api.convert_lead(uuid, uuid, timestamptz, integer, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.convert_lead(uuid, uuid, timestamptz, integer, jsonb) TO authenticated;
