-- Deploy tessera:orders_rules to pg
-- requires: orders
--
-- Organization settings made with each organization, the order status machine (forward only, money only grows), insert-only order lines, and the orders policies

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.insert_only()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
BEGIN
  RAISE EXCEPTION '% rows are never changed or deleted', TG_TABLE_NAME USING ERRCODE = 'PT409',
    DETAIL = 'illegal_transition';
END
$function$
;

CREATE OR REPLACE FUNCTION private.orders_guard()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.status <> 'pending' OR NEW.paid_minor <> 0 OR NEW.refunded_minor <> 0 THEN
      RAISE EXCEPTION 'a new order is pending with nothing paid or refunded' USING ERRCODE = 'PT400';
    END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'an order is never deleted; cancel it instead' USING ERRCODE = 'PT409',
      DETAIL = 'illegal_transition';
  END IF;
  IF (NEW.id, NEW.org_id, NEW.booking_id, NEW.customer_id, NEW.currency, NEW.prices_include_vat, NEW.vat_rate_bp,
      NEW.subtotal_minor, NEW.discount_minor, NEW.vat_minor, NEW.total_minor, NEW.created_by, NEW.created_at)
     IS DISTINCT FROM
     (OLD.id, OLD.org_id, OLD.booking_id, OLD.customer_id, OLD.currency, OLD.prices_include_vat, OLD.vat_rate_bp,
      OLD.subtotal_minor, OLD.discount_minor, OLD.vat_minor, OLD.total_minor, OLD.created_by, OLD.created_at) THEN
    RAISE EXCEPTION 'an order keeps its booking, customer, currency and amounts' USING ERRCODE = 'PT409',
      DETAIL = 'illegal_transition';
  END IF;
  IF NEW.paid_minor < OLD.paid_minor OR NEW.refunded_minor < OLD.refunded_minor THEN
    RAISE EXCEPTION 'money received or refunded on an order is never taken back' USING ERRCODE = 'PT409',
      DETAIL = 'illegal_transition';
  END IF;
  IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
       (OLD.status = 'pending' AND NEW.status IN ('paid', 'failed', 'expired', 'cancelled'))
    OR (OLD.status IN ('failed', 'expired') AND NEW.status = 'paid')
    OR (OLD.status = 'paid' AND NEW.status IN ('partially_refunded', 'refunded'))
    OR (OLD.status = 'partially_refunded' AND NEW.status = 'refunded')
    OR (OLD.status IN ('failed', 'expired', 'cancelled') AND NEW.status = 'refunded' AND NEW.paid_minor > 0)) THEN
    RAISE EXCEPTION 'an order cannot go from % to %', OLD.status, NEW.status
      USING ERRCODE = 'PT409', DETAIL = 'illegal_transition',
            HINT = 'pending -> paid | failed | expired | cancelled; failed | expired -> paid; '
                   'paid -> partially_refunded | refunded; partially_refunded -> refunded; '
                   'failed | expired | cancelled -> refunded once money was received';
  END IF;
  IF NEW.status = 'paid' AND OLD.status IS DISTINCT FROM 'paid' AND NEW.paid_at IS NULL THEN
    NEW.paid_at := pg_catalog.now();
  END IF;
  IF OLD.paid_at IS NOT NULL AND NEW.paid_at IS DISTINCT FROM OLD.paid_at THEN
    RAISE EXCEPTION 'an order keeps the time it was paid' USING ERRCODE = 'PT409', DETAIL = 'illegal_transition';
  END IF;
  RETURN NEW;
END
$function$
;

CREATE OR REPLACE FUNCTION private.org_settings_create()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
BEGIN
  INSERT INTO app.org_settings (org_id) VALUES (NEW.id) ON CONFLICT (org_id) DO NOTHING;
  RETURN NULL;
END
$function$
;

create policy "currencies_select"
on "app"."currencies"
as permissive
for select
to anon, authenticated
using (true);

create policy "order_lines_select"
on "app"."order_lines"
as permissive
for select
to authenticated
using (((org_id = ANY (( SELECT private.org_ids('staff'::app.member_role) AS org_ids)::uuid[])) OR ( SELECT private.is_super_admin() AS is_super_admin)));

create policy "orders_select"
on "app"."orders"
as permissive
for select
to authenticated
using (((org_id = ANY (( SELECT private.org_ids('staff'::app.member_role) AS org_ids)::uuid[])) OR ( SELECT private.is_super_admin() AS is_super_admin)));

create policy "org_settings_select"
on "app"."org_settings"
as permissive
for select
to authenticated
using (((org_id = ANY (( SELECT private.org_ids('staff'::app.member_role) AS org_ids)::uuid[])) OR ( SELECT private.is_super_admin() AS is_super_admin)));

create policy "org_settings_update"
on "app"."org_settings"
as permissive
for update
to authenticated
using ((org_id = ANY (( SELECT private.org_ids('admin'::app.member_role) AS org_ids)::uuid[])))
with check ((org_id = ANY (( SELECT private.org_ids('admin'::app.member_role) AS org_ids)::uuid[])));

CREATE TRIGGER audit_log AFTER INSERT OR DELETE OR UPDATE ON app.currencies FOR EACH ROW EXECUTE FUNCTION private.audit_record();

CREATE TRIGGER audit_log AFTER INSERT OR DELETE OR UPDATE ON app.order_lines FOR EACH ROW EXECUTE FUNCTION private.audit_record();

CREATE TRIGGER order_lines_insert_only BEFORE DELETE OR UPDATE ON app.order_lines FOR EACH ROW EXECUTE FUNCTION private.insert_only();

CREATE TRIGGER order_lines_no_truncate BEFORE TRUNCATE ON app.order_lines FOR EACH STATEMENT EXECUTE FUNCTION private.insert_only();

CREATE TRIGGER audit_log AFTER INSERT OR DELETE OR UPDATE ON app.orders FOR EACH ROW EXECUTE FUNCTION private.audit_record();

CREATE TRIGGER orders_guard BEFORE INSERT OR DELETE OR UPDATE ON app.orders FOR EACH ROW EXECUTE FUNCTION private.orders_guard();

CREATE TRIGGER orders_touch_updated_at BEFORE UPDATE ON app.orders FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

CREATE TRIGGER audit_log AFTER INSERT OR DELETE OR UPDATE ON app.org_settings FOR EACH ROW EXECUTE FUNCTION private.audit_record();

CREATE TRIGGER org_settings_touch_updated_at BEFORE UPDATE ON app.org_settings FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

CREATE TRIGGER organizations_settings AFTER INSERT ON app.organizations FOR EACH ROW EXECUTE FUNCTION private.org_settings_create();
REVOKE ALL ON FUNCTION private.insert_only() FROM PUBLIC;
COMMENT ON FUNCTION private.insert_only() IS 'Trigger for insert-only tables (app.order_lines): any UPDATE, DELETE or TRUNCATE is PT409 illegal_transition.';
REVOKE ALL ON FUNCTION private.orders_guard() FROM PUBLIC;
COMMENT ON FUNCTION private.orders_guard() IS 'Trigger: a new order is pending with nothing paid; status moves forward only (pending -> paid | failed | expired |
cancelled; failed | expired -> paid, a late payment; paid -> partially_refunded | refunded; partially_refunded ->
refunded; failed | expired | cancelled -> refunded only once money was received), else PT409 illegal_transition;
booking, customer, currency, VAT terms and amounts never change; paid_minor and refunded_minor only grow; paid_at is
set once, when the order first becomes paid; orders are never deleted.';
REVOKE ALL ON FUNCTION private.org_settings_create() FROM PUBLIC;
COMMENT ON FUNCTION private.org_settings_create() IS 'Trigger on app.organizations: a new organization gets its app.org_settings row (currency not chosen, no VAT,
prices include VAT, refund defaults of 48 hours and 0 %). A definer: whoever may create an organization need not
write settings.';

COMMIT;
