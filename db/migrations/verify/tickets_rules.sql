-- Verify tessera:tickets_rules on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that org_in_keys changed are retired; its verify checks them now.

-- Checks of functions that fn_org_routing changed are retired; its verify checks them now.

-- Checks of functions that discovery_rules changed are retired; its verify checks them now.

-- Checks of functions that waivers_rules changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'api.get_tickets(text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'api.get_tickets(text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'api.get_tickets(text,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.get_tickets(text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.get_tickets(text,text)';
  END IF;
  PERFORM 'api.retire_ticket_key(uuid,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.retire_ticket_key(uuid,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.retire_ticket_key(uuid,integer)';
  END IF;
  PERFORM 'api.rotate_ticket_key(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.rotate_ticket_key(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.rotate_ticket_key(uuid)';
  END IF;
  PERFORM 'api.ticket_payload(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'api.ticket_payload(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'api.ticket_payload(uuid)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.ticket_payload(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.ticket_payload(uuid)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.ticket_payload(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.ticket_payload(uuid)';
  END IF;
  PERFORM 'private.retire_ticket_key(uuid,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.retire_ticket_key(uuid,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.retire_ticket_key(uuid,integer)';
  END IF;
  PERFORM 'private.rotate_ticket_key(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.rotate_ticket_key(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.rotate_ticket_key(uuid)';
  END IF;
  PERFORM 'private.ticket_admin(uuid)'::pg_catalog.regprocedure;
  PERFORM 'private.ticket_bytes(app.tickets)'::pg_catalog.regprocedure;
  PERFORM 'private.ticket_key(uuid)'::pg_catalog.regprocedure;
  PERFORM 'private.ticket_payload(app.tickets)'::pg_catalog.regprocedure;
  PERFORM 'private.ticket_payload_by_id(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.ticket_payload_by_id(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.ticket_payload_by_id(uuid)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.ticket_payload_by_id(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.ticket_payload_by_id(uuid)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.ticket_payload_by_id(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.ticket_payload_by_id(uuid)';
  END IF;
  PERFORM 'private.ticket_payload_decode(text)'::pg_catalog.regprocedure;
  PERFORM 'private.tickets_guard()'::pg_catalog.regprocedure;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.check_ins' AND policyname = 'check_ins_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'check_ins_select', 'app.check_ins';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.tickets' AND policyname = 'tickets_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'tickets_select', 'app.tickets';
  END IF;
END
$verify$;

ROLLBACK;
