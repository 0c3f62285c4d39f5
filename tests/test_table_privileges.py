"""Every table privilege an API role holds is needed: without it, a pgTAP file that calls the api functions fails.

db/tests/schemas_table_privileges.sql pins the set from above (no privilege beyond its allowlist); this pins it
from below (nothing in it that no function uses), by revoking each privilege, column by column, and running the
file that exercises the functions needing it.
"""

from __future__ import annotations

import pytest
from tessera.pytest_plugin import PgTapFailure, run_pgtap_file

from tests.helpers import ROOT

# (grantee, relation, privilege, columns or None for the whole table) -> the pgTAP file that fails without it.
NEEDED_BY = {
    ("authenticated", "app.bookings", "SELECT", None): "booking_flow",
    ("authenticated", "app.bookings", "UPDATE", "cancel_reason, status"): "booking_flow",
    ("authenticated", "app.customers", "SELECT",
     "email_key, erased_at, id, marketing_consent, marketing_consent_at, marketing_consent_source, org_id"):
        "customers_consent",
    ("authenticated", "app.customers", "UPDATE", "marketing_consent, marketing_consent_at, marketing_consent_source"):
        "customers_consent",
    ("authenticated", "app.customer_tags", "SELECT", None): "customers_consent",
    ("authenticated", "app.customer_tags", "INSERT", "customer_id, org_id, tag"): "customers_consent",
    ("authenticated", "app.customer_tags", "DELETE", None): "customers_consent",
    ("authenticated", "app.customer_notes", "SELECT", None): "customers_notes",
    ("authenticated", "app.customer_notes", "INSERT", "body, customer_id, org_id"): "customers_notes",
    ("authenticated", "app.customer_notes", "UPDATE", "body"): "customers_notes",
    ("authenticated", "app.customer_notes", "DELETE", None): "customers_notes",
    ("authenticated", "app.leads", "SELECT", None): "leads_convert",
    ("authenticated", "app.leads", "INSERT", "company, contact_name, currency, email, experience_id, next_step, "
     "next_step_at, notes, org_id, owner_id, party_size, phone, value_minor, venue_id, wanted_date"): "leads_convert",
    ("authenticated", "app.leads", "UPDATE", "booking_id, company, contact_name, currency, email, experience_id, "
     "lost_reason, next_step, next_step_at, notes, owner_id, party_size, phone, status, value_minor, venue_id, "
     "wanted_date"): "leads_convert",
    ("authenticated", "app.event_partners", "SELECT", None): "partners_managers",
    ("authenticated", "app.event_partners", "INSERT", "agreed_minor, contact_name, currency, email, experience_id, "
     "kind, name, notes, org_id, phone, slot_id, status"): "partners_managers",
    ("authenticated", "app.event_partners", "UPDATE", "agreed_minor, contact_name, currency, email, experience_id, "
     "kind, name, notes, phone, slot_id, status"): "partners_managers",
    ("authenticated", "app.event_partners", "DELETE", None): "partners_managers",
    ("authenticated", "audit.redactions", "SELECT", None): "customers_erasure",
    ("service_role", "audit.redactions", "SELECT", None): "customers_erasure",
    ("authenticated", "app.memberships", "SELECT", "org_id, role, user_id"): "tenancy_organizations",
    ("authenticated", "app.organizations", "SELECT", "id, name, slug"): "tenancy_organizations",
    # The catalogue: every back-office function is called by every role in catalogue_manage_roles (so reading,
    # adding and removing rows fails there without the privilege), every PATCH key and archive column is written
    # in catalogue_manage_patch.
    **{("authenticated", f"app.{table}", privilege, None): "catalogue_manage_roles"
       for table in ("venues", "venue_hours", "venue_closures", "resources", "experiences", "experience_resources",
                     "price_tiers", "ticket_types", "schedules")
       for privilege in ("SELECT", "INSERT")},
    **{("authenticated", f"app.{table}", "DELETE", None): "catalogue_manage_roles"
       for table in ("venue_hours", "venue_closures", "experience_resources", "price_tiers", "schedules")},
    ("authenticated", "app.venues", "UPDATE",
     "address_line, age_of_majority, archived_at, city, country_code, embed_key, name, postal_code, timezone"):
        "catalogue_manage_patch",
    ("authenticated", "app.resources", "UPDATE", "active, archived_at, kind, name"): "catalogue_manage_patch",
    ("authenticated", "app.experiences", "UPDATE",
     "active, archived_at, buffer_minutes, capacity, category, currency, description, duration_minutes, "
     "full_refund_before, hold_minutes, image_urls, late_refund_percent, max_advance, max_party, min_notice, "
     "min_party, name, pricing_mode, requires_payment, waiver_at_check_in, waiver_template_id"):
        "catalogue_manage_patch",
    ("authenticated", "app.price_tiers", "UPDATE", "max_party, min_party, price_minor"): "catalogue_manage_patch",
    ("authenticated", "app.ticket_types", "UPDATE",
     "active, archived_at, name, per_order_max, price_minor, quota, sales_end, sales_start"): "catalogue_manage_patch",
    ("authenticated", "app.profiles", "SELECT", "display_name, user_id"): "tenancy_display_name",
    ("authenticated", "app.profiles", "INSERT", "display_name, user_id"): "tenancy_display_name",
    ("authenticated", "app.profiles", "UPDATE", "display_name"): "tenancy_display_name",
    ("authenticated", "audit.log", "SELECT", None): "audit_log",
    ("authenticated", "audit.seals", "SELECT", None): "audit_log",
    ("authenticated", "audit.purges", "SELECT", "org_id, upto_log_id"): "audit_log",
    ("service_role", "app.bookings", "SELECT", None): "booking_service_role",
    ("service_role", "app.bookings", "UPDATE", "cancel_reason, status"): "booking_service_role",
    ("service_role", "app.experiences", "SELECT", "full_refund_before, id, late_refund_percent"):
        "booking_service_role",
    ("service_role", "app.customers", "SELECT", "email_key, id, org_id"): "booking_service_role",
    ("service_role", "audit.log", "SELECT", None): "audit_log",
    ("service_role", "audit.seals", "SELECT", None): "audit_log",
    ("service_role", "audit.purges", "SELECT", "org_id, upto_log_id"): "audit_log",
    ("authenticated", "app.org_settings", "SELECT", "full_refund_before, late_refund_percent, org_id"):
        "orders_settings",
    ("service_role", "app.org_settings", "SELECT", "full_refund_before, late_refund_percent, org_id"):
        "booking_service_role",
    ("authenticated", "app.shifts", "SELECT", None): "staff_shifts",
    ("authenticated", "app.shifts", "INSERT", "created_by, during, note, org_id, user_id, venue_id"): "staff_shifts",
    ("authenticated", "app.shifts", "UPDATE", "during, note, user_id, venue_id"): "staff_shifts",
    ("authenticated", "app.shifts", "DELETE", None): "staff_sessions",
    ("authenticated", "app.session_staff", "SELECT", None): "staff_sessions",
    ("authenticated", "app.session_staff", "INSERT", "assigned_by, org_id, slot_id, user_id"): "staff_sessions",
    ("authenticated", "app.session_staff", "DELETE", None): "staff_sessions",
    ("authenticated", "app.time_entries", "SELECT", None): "staff_timesheet",
    ("authenticated", "app.time_entry_corrections", "SELECT", None): "staff_time_clock",
    ("authenticated", "app.waiver_templates", "SELECT", None): "waivers_versions",
    ("authenticated", "app.waiver_templates", "INSERT", "created_by, name, org_id"): "waivers_versions",
    ("authenticated", "app.waiver_templates", "UPDATE", "archived_at"): "waivers_versions",
    ("authenticated", "app.waiver_versions", "SELECT", None): "waivers_versions",
    ("authenticated", "app.waiver_versions", "INSERT", "body, created_by, org_id, template_id, title, version"):
        "waivers_versions",
    ("authenticated", "app.waiver_versions", "UPDATE", "body, title"): "waivers_versions",
}

# What PUBLIC and the roles a request can become hold on app and audit (the owner's own privileges aside).
HELD = """
SELECT coalesce(r.rolname, 'PUBLIC'), c.oid::regclass::text, a.privilege_type, NULL::text
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 CROSS JOIN LATERAL aclexplode(c.relacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
 WHERE n.nspname IN ('app', 'audit') AND a.grantee <> c.relowner
UNION ALL
SELECT coalesce(r.rolname, 'PUBLIC'), c.oid::regclass::text, a.privilege_type,
       string_agg(t.attname, ', ' ORDER BY t.attname)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute t ON t.attrelid = c.oid AND t.attnum > 0 AND NOT t.attisdropped
 CROSS JOIN LATERAL aclexplode(t.attacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
 WHERE n.nspname IN ('app', 'audit') AND a.grantee <> c.relowner
 GROUP BY 1, 2, 3
"""


def held(pg_server, dbname: str) -> set[tuple[str, str, str, str | None]]:
    with pg_server.connect(dbname) as conn:
        return {tuple(row) for row in conn.execute(HELD).fetchall()
                if row[0] in ("PUBLIC", "anon", "authenticated", "authenticator", "service_role")}


def test_each_privilege_held_is_listed_with_the_test_that_needs_it(pg_server, test_db):
    assert held(pg_server, test_db) == set(NEEDED_BY)


# One case per privilege, and per column where a privilege covers only some columns: each column is needed too.
CASES = [(entry, column) for entry in sorted(NEEDED_BY, key=str)
         for column in (entry[3].split(", ") if entry[3] else [None])]


@pytest.mark.parametrize(("entry", "column"), CASES,
                         ids=[f"{e[0]}-{e[1]}-{e[2]}" + (f"-{c}" if c else "") for e, c in CASES])
def test_without_the_privilege_a_function_test_fails(entry, column, pg_server, test_db):
    grantee, relation, privilege, _ = entry
    target = f"{privilege} ({column})" if column else privilege
    test_file = ROOT / "db" / "tests" / f"{NEEDED_BY[entry]}.sql"
    with pg_server.connect(test_db, autocommit=True) as conn:
        conn.execute(f"REVOKE {target} ON {relation} FROM {grantee}")
        try:
            with pytest.raises(PgTapFailure):
                run_pgtap_file(pg_server, test_db, test_file)
        finally:
            conn.execute(f"GRANT {target} ON {relation} TO {grantee}")
    run_pgtap_file(pg_server, test_db, test_file)  # with it back, the same file passes
