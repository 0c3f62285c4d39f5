-- Revert tessera:payments_rules from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop trigger if exists "bookings_refund_on_cancel" on "app"."bookings";

drop trigger if exists "audit_log" on "app"."checkouts";

drop trigger if exists "checkouts_guard" on "app"."checkouts";

drop trigger if exists "checkouts_touch_updated_at" on "app"."checkouts";

drop trigger if exists "audit_log" on "app"."loyalty_accounts";

drop trigger if exists "audit_log" on "app"."loyalty_ledger";

drop trigger if exists "loyalty_ledger_insert_only" on "app"."loyalty_ledger";

drop trigger if exists "loyalty_ledger_no_truncate" on "app"."loyalty_ledger";

drop trigger if exists "audit_log" on "app"."notifications_outbox";

drop trigger if exists "orders_refund_on_end" on "app"."orders";

drop trigger if exists "audit_log" on "app"."payments";

drop trigger if exists "payments_insert_only" on "app"."payments";

drop trigger if exists "payments_no_truncate" on "app"."payments";

drop trigger if exists "audit_log" on "app"."provider_events";

drop trigger if exists "provider_events_guard" on "app"."provider_events";

drop trigger if exists "audit_log" on "app"."refunds";

drop trigger if exists "refunds_guard" on "app"."refunds";

drop trigger if exists "refunds_no_truncate" on "app"."refunds";

drop function if exists "api"."apply_payment_event"(provider text, event jsonb);

drop function if exists "api"."begin_checkout"(order_id uuid, provider text, embed_key text, customer_email text);

drop function if exists "api"."checkouts_to_expire"("limit" integer);

drop function if exists "api"."due_refunds"("limit" integer);

drop function if exists "api"."get_loyalty_balance"(org_id uuid, customer_email text);

drop function if exists "api"."orders_to_reconcile"("limit" integer);

drop function if exists "api"."record_checkout"(order_id uuid, provider text, provider_ref text, url text, expires_at timestamp with time zone);

drop function if exists "api"."record_offline_payment"(order_id uuid, amount_minor bigint, method text, reference text);

drop function if exists "api"."record_refund_failure"(refund_id uuid, message text);

drop function if exists "api"."record_refund_submission"(refund_id uuid, provider_refund_id text);

drop function if exists "api"."request_refund"(order_id uuid, amount_minor bigint, reason text);

drop function if exists "private"."apply_moyasar_event"(p_event jsonb);

drop function if exists "private"."apply_payment"(p_order_id uuid, p_provider text, p_provider_ref text, p_method text, p_amount_minor bigint, p_currency text, p_recorded_by uuid);

drop function if exists "private"."apply_payment_event"(p_provider text, p_event jsonb);

drop function if exists "private"."apply_refund_facts"(p_payment app.payments, p_refunded_total bigint, p_listed jsonb);

drop function if exists "private"."apply_refund_settlement"(p_refund_id uuid, p_provider_refund_id text);

drop function if exists "private"."apply_stripe_event"(p_event jsonb);

drop function if exists "private"."begin_checkout"(p_order_id uuid, p_provider text, p_embed_key text, p_customer_email text);

drop function if exists "private"."booking_paid"(p_booking_id uuid);

drop function if exists "private"."bookings_refund_on_cancel"();

drop function if exists "private"."checkouts_guard"();

drop function if exists "private"."checkouts_to_expire"(p_limit integer);

drop function if exists "private"."create_refund"(p_order_id uuid, p_payment app.payments, p_amount_minor bigint, p_kind text, p_reason text, p_requested_by uuid, p_provider_refund_id text);

drop function if exists "private"."due_refunds"(p_limit integer);

drop function if exists "private"."enqueue_notification"(p_org_id uuid, p_kind text, p_recipient text, p_data jsonb, p_dedupe_key text);

drop function if exists "private"."event_arg"(p_name text, p_value jsonb);

drop function if exists "private"."event_order"(p_order_ref text, p_provider text, p_checkout_ref text);

drop function if exists "private"."expire_checkout"(p_provider text, p_provider_ref text, p_order_id uuid);

drop function if exists "private"."external_refund"(p_payment app.payments, p_amount_minor bigint, p_provider_refund_id text);

drop function if exists "private"."fail_order"(p_order_id uuid, p_message text);

drop function if exists "private"."fail_refund"(p_refund_id uuid, p_message text);

drop function if exists "private"."late_minor"(p_order_id uuid, p_settled_only boolean);

drop function if exists "private"."lock_order"(p_order_id uuid);

drop function if exists "private"."loyalty_balance"(p_org_id uuid, p_customer_email text);

drop function if exists "private"."loyalty_change"(p_org_id uuid, p_customer_id uuid, p_points integer);

drop function if exists "private"."loyalty_debit"(p_org_id uuid, p_customer_id uuid, p_points integer, p_order_id uuid);

drop function if exists "private"."loyalty_earn"(p_order app.orders);

drop function if exists "private"."loyalty_release"(p_order_id uuid);

drop function if exists "private"."loyalty_reverse"(p_order app.orders, p_refund app.refunds, p_fulfilled_minor bigint, p_refunded_minor bigint);

drop function if exists "private"."orders_refund_on_end"();

drop function if exists "private"."orders_to_reconcile"(p_limit integer);

drop function if exists "private"."payment_answer"(p_order app.orders, p_outcome text, p_actions jsonb);

drop function if exists "private"."provider_arg"(p_name text, p_value text, p_allowed text[]);

drop function if exists "private"."provider_events_guard"();

drop function if exists "private"."record_checkout"(p_order_id uuid, p_provider text, p_provider_ref text, p_url text, p_expires_at timestamp with time zone);

drop function if exists "private"."record_offline_payment"(p_order_id uuid, p_amount_minor bigint, p_method text, p_reference text);

drop function if exists "private"."record_refund_outcome"(p_refund_id uuid, p_provider_refund_id text, p_failure text);

drop function if exists "private"."refund_answer"(r app.refunds);

drop function if exists "private"."refund_order"(p_order_id uuid, p_amount_minor bigint, p_kind text, p_reason text, p_requested_by uuid);

drop function if exists "private"."refunds_guard"();

drop function if exists "private"."replay_waiting"(p_payment app.payments);

drop function if exists "private"."request_refund"(p_order_id uuid, p_amount_minor bigint, p_reason text);

drop function if exists "private"."require_service_role"(p_what text);

drop function if exists "private"."stripe_charge_refunds"(p_payment app.payments, p_charge jsonb);

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.bookings_guard()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.status NOT IN ('pending', 'confirmed') THEN
      RAISE EXCEPTION 'a new booking is pending or confirmed, not %', NEW.status USING ERRCODE = 'PT400';
    END IF;
    RETURN NEW;
  END IF;
  IF (NEW.id, NEW.org_id, NEW.experience_id, NEW.customer_id, NEW.confirmation_code, NEW.created_at)
     IS DISTINCT FROM (OLD.id, OLD.org_id, OLD.experience_id, OLD.customer_id, OLD.confirmation_code, OLD.created_at)
  THEN
    RAISE EXCEPTION 'booking % keeps its organization, experience, customer and code', OLD.confirmation_code
      USING ERRCODE = 'PT400';
  END IF;
  -- A reason is given with the move it explains, so no later write (whichever path) replaces or erases it.
  IF NEW.cancel_reason IS DISTINCT FROM OLD.cancel_reason AND NEW.status IS NOT DISTINCT FROM OLD.status THEN
    RAISE EXCEPTION 'booking % keeps the reason it was given when it became %', OLD.confirmation_code, OLD.status
      USING ERRCODE = 'PT409', DETAIL = 'illegal_transition';
  END IF;
  IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
       (OLD.status = 'pending' AND NEW.status IN ('confirmed', 'cancelled', 'rejected', 'expired'))
    OR (OLD.status = 'confirmed' AND NEW.status IN ('completed', 'cancelled', 'no_show'))) THEN
    RAISE EXCEPTION 'booking % cannot go from % to %', OLD.confirmation_code, OLD.status, NEW.status
      USING ERRCODE = 'PT409', DETAIL = 'illegal_transition',
            HINT = 'pending -> confirmed | cancelled | rejected | expired; '
                   'confirmed -> completed | cancelled | no_show';
  END IF;
  IF NEW.status <> 'pending' THEN
    NEW.hold_expires_at := NULL;
  END IF;
  IF NEW.status = 'cancelled' AND OLD.status <> 'cancelled' THEN
    NEW.refund_due_minor := private.refund_due(OLD, pg_catalog.now());
  END IF;
  RETURN NEW;
END
$function$
;
REVOKE ALL ON FUNCTION private.bookings_guard() FROM PUBLIC;
COMMENT ON FUNCTION private.bookings_guard() IS 'Trigger: new bookings start pending or confirmed; status moves only along the allowed transitions (else PT409);
organization, experience, customer and code never change; a reason changes only with the status it explains
(else PT409); a cancellation records the refund due.';

COMMIT;
