"""PostgREST's result shaping on set-returning functions, as supabase-py sends it for
`.rpc(...).select(...).eq(...).order(...).limit(...)`, against the running service: select (columns, renames,
casts, JSON paths), every horizontal filter, not/or/and, order, limit/offset/range, counts and Content-Range, CSV;
and what PostgREST refuses, refused with its code and status (never ignored, never a 500).

rpc_test.catalogue(n) gives rows whose answers Python can compute: the expected rows below are derived from
CATALOGUE, not written out.
"""

from __future__ import annotations

import csv
import datetime
import io
import uuid

import httpx
import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from postgrest.exceptions import APIError
from supabase import ClientOptions, create_client

from tests.api_support import OWNER, token


def _row(g: int) -> dict:
    return {"id": g, "name": 'item "2", special' if g == 2 else f"item {g}",
            "price": None if g % 3 == 0 else g * 1.5, "tags": [f"t{g % 2}", "all"],
            "details": {"size": g, "colour": "red" if g % 2 == 0 else "blue"},
            "added": (datetime.date(2026, 1, 1) + datetime.timedelta(days=g)).isoformat()}


CATALOGUE = [_row(g) for g in range(1, 7)]
RPC_TEST = {"Content-Profile": "rpc_test", "Accept-Profile": "rpc_test"}


@pytest.fixture(scope="module")
def client(api):
    return create_client(api.url, token(role="anon"), options=ClientOptions(schema="rpc_test"))


def _ids(rows) -> list[int]:
    return [r["id"] for r in rows]


def _post(api, query: str, body: object = None, name: str = "catalogue", **headers) -> httpx.Response:
    return httpx.post(f"{api.url}/rest/v1/rpc/{name}?{query}", json={} if body is None else body,
                      headers={**RPC_TEST, **headers}, timeout=30)


def _get(api, query: str, name: str = "catalogue", **headers) -> httpx.Response:
    return httpx.get(f"{api.url}/rest/v1/rpc/{name}?{query}", headers={**RPC_TEST, **headers}, timeout=30)


# -- through supabase-py ---------------------------------------------------------------------------------------------
def test_select_filter_order_limit_as_supabase_py_sends_them(client):
    got = client.rpc("catalogue", {}).select("id,name").gt("id", 1).order("id", desc=True).limit(2).execute()
    assert got.data == [{"id": 6, "name": "item 6"}, {"id": 5, "name": "item 5"}]


def test_renames_casts_and_json_paths(client):
    got = client.rpc("catalogue", {}).select("ident:id,price::text,colour:details->>colour,size:details->size") \
        .lte("id", 3).order("id").execute().data
    assert got == [{"ident": r["id"], "price": None if r["price"] is None else str(r["price"]),
                    "colour": r["details"]["colour"], "size": r["details"]["size"]} for r in CATALOGUE[:3]]
    assert _ids(client.rpc("catalogue", {}).select("id").eq("details->>colour", "red").execute().data) == [2, 4, 6]


# Each operator supabase-py offers, with the rows it must keep (computed from CATALOGUE).
FILTERS = [
    ("eq", lambda q: q.eq("id", 3), lambda r: r["id"] == 3),
    ("neq", lambda q: q.neq("id", 3), lambda r: r["id"] != 3),
    ("gt", lambda q: q.gt("price", 3), lambda r: r["price"] is not None and r["price"] > 3),
    ("gte", lambda q: q.gte("price", 3), lambda r: r["price"] is not None and r["price"] >= 3),
    ("lt", lambda q: q.lt("added", "2026-01-04"), lambda r: r["added"] < "2026-01-04"),
    ("lte", lambda q: q.lte("added", "2026-01-04"), lambda r: r["added"] <= "2026-01-04"),
    ("like", lambda q: q.like("name", "*special"), lambda r: r["name"].endswith("special")),
    ("ilike", lambda q: q.ilike("name", "ITEM 1%"), lambda r: r["name"].lower().startswith("item 1")),
    ("in", lambda q: q.in_("name", ["item 1", 'item "2", special', "nope"]),
     lambda r: r["name"] in ("item 1", 'item "2", special')),
    ("is null", lambda q: q.is_("price", "null"), lambda r: r["price"] is None),
    ("not is null", lambda q: q.not_.is_("price", "null"), lambda r: r["price"] is not None),
    ("not eq", lambda q: q.not_.eq("id", 1), lambda r: r["id"] != 1),
    ("not in", lambda q: q.not_.in_("id", [1, 2]), lambda r: r["id"] not in (1, 2)),
    ("contains", lambda q: q.contains("tags", ["t0"]), lambda r: "t0" in r["tags"]),
    ("overlaps", lambda q: q.overlaps("tags", ["t1", "x"]), lambda r: "t1" in r["tags"]),
    ("or", lambda q: q.or_("id.eq.1,price.is.null"), lambda r: r["id"] == 1 or r["price"] is None),
    ("or with and inside", lambda q: q.or_("id.lt.2,and(id.gt.4,details->>colour.eq.red)"),
     lambda r: r["id"] < 2 or (r["id"] > 4 and r["details"]["colour"] == "red")),
    ("two filters on one column", lambda q: q.gt("id", 1).lt("id", 5), lambda r: 1 < r["id"] < 5),
    ("like any of", lambda q: q.like_any_of("name", "*1,*3"), lambda r: r["name"] in ("item 1", "item 3")),
    ("like all of", lambda q: q.like_all_of("name", "item*,*special"), lambda r: r["id"] == 2),
    ("ilike any of", lambda q: q.ilike_any_of("name", "ITEM 4,ITEM 5"), lambda r: r["id"] in (4, 5)),
    ("eq any", lambda q: q.filter("id", "eq(any)", "{2,4}"), lambda r: r["id"] in (2, 4)),
    ("gt all", lambda q: q.filter("id", "gt(all)", "{2,4}"), lambda r: r["id"] > 4),
    ("is distinct", lambda q: q.filter("price", "isdistinct", "3.0"), lambda r: r["price"] != 3.0),
    ("is not_null", lambda q: q.filter("price", "is", "not_null"), lambda r: r["price"] is not None),
    ("match", lambda q: q.filter("name", "match", "^item [45]$"), lambda r: r["id"] in (4, 5)),
    ("full-text", lambda q: q.fts("name", "special"), lambda r: r["id"] == 2),
    ("web search", lambda q: q.wfts("name", "item -special"), lambda r: r["id"] != 2),
]


@pytest.mark.parametrize(("label", "apply", "keep"), FILTERS, ids=[f[0] for f in FILTERS])
def test_every_horizontal_filter(client, label, apply, keep):
    rows = apply(client.rpc("catalogue", {}).select("*")).order("id").execute().data
    assert rows == [r for r in CATALOGUE if keep(r)]


def test_and_and_negated_logic_over_http(api):
    assert _ids(_post(api, "and=(id.gte.2,id.lte.4)&not.or=(id.eq.3,price.is.null)&order=id").json()) == [2, 4]
    assert _ids(_post(api, "or=(id.eq.1,not.and(id.gt.1,id.lt.6))&order=id").json()) == [1, 6]


@pytest.mark.parametrize(("order", "expected"), [
    ("price.asc.nullslast,id", [1, 2, 4, 5, 3, 6]),
    ("price.asc.nullsfirst,id", [3, 6, 1, 2, 4, 5]),
    ("price.desc,id.desc", [6, 3, 5, 4, 2, 1]),  # descending puts NULLs first, as PostgreSQL does
    ("price.desc.nullslast,id", [5, 4, 2, 1, 3, 6]),
    ("details->>colour,id.desc", [5, 3, 1, 6, 4, 2]),
])
def test_order_with_directions_and_nulls(api, order, expected):
    assert _ids(_post(api, f"order={order}").json()) == expected


def test_limit_offset_and_range_as_supabase_py_sends_them(client):
    assert _ids(client.rpc("catalogue", {}).select("id").order("id").limit(2).offset(3).execute().data) == [4, 5]
    assert _ids(client.rpc("catalogue", {}).select("id").order("id").range(1, 3).execute().data) == [2, 3, 4]


def test_exact_count_fills_content_range_and_the_client_count(client, api):
    got = client.rpc("catalogue", {}, count="exact").select("id").gt("id", 2).order("id").limit(2).execute()
    assert _ids(got.data) == [3, 4] and got.count == 4
    response = _post(api, "id=gt.2&order=id&limit=2&offset=1", Prefer="count=exact")
    assert response.status_code == 206 and response.headers["content-range"] == "1-2/4"
    assert response.headers["preference-applied"] == "count=exact"
    whole = _post(api, "id=gt.2", Prefer="count=estimated")
    assert whole.status_code == 200 and whole.headers["content-range"] == "0-3/4"
    # PostgREST counts RPC results exactly or not at all: planned gives no total.
    assert _post(api, "id=gt.2", Prefer="count=planned").headers["content-range"] == "0-3/*"
    assert _post(api, "limit=2&offset=1").headers["content-range"] == "1-2/*"
    at_the_end = _post(api, "offset=6", Prefer="count=exact")
    assert (at_the_end.status_code, at_the_end.headers["content-range"], at_the_end.json()) == (206, "*/6", [])
    past = _post(api, "offset=7", Prefer="count=exact")
    assert past.status_code == 416 and past.headers["content-range"] == "*/6"
    assert past.json()["details"] == "An offset of 7 was requested, but there are only 6 rows."


def test_csv(client, api):
    text = client.rpc("catalogue", {"n": 3}).select("id,name,price").order("id").csv().execute().data
    # Each row as PostgreSQL prints a record, which quotes as CSV does (PostgREST's text/csv).
    assert text == 'id,name,price\n1,"item 1",1.5\n2,"item ""2"", special",3.0\n3,"item 3",'
    assert list(csv.reader(io.StringIO(text))) == [["id", "name", "price"]] + [
        [str(r["id"]), r["name"], "" if r["price"] is None else str(r["price"])] for r in CATALOGUE[:3]]
    response = _post(api, "select=id&id=eq.1", Accept="text/csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8" and response.text == "id\n1"


def test_the_issues_examples_on_real_functions(api, venue):
    anon = create_client(api.url, token(role="anon"), options=ClientOptions(schema="api"))
    every = anon.rpc("widget_availability", venue["availability"]).execute().data
    assert {r["remaining"] for r in every} == {0, 1}
    shaped = anon.rpc("widget_availability", venue["availability"]).select("starts_at,remaining") \
        .eq("remaining", 1).limit(2).execute().data
    assert shaped == [{"starts_at": r["starts_at"], "remaining": 1} for r in every if r["remaining"] == 1][:2]
    owner = create_client(api.url, token(role="anon"), options=ClientOptions(schema="api"))
    owner.postgrest.auth(token(sub=OWNER, email="owner@rpc.example"))
    listed = owner.rpc("list_bookings", {"org_id": venue["org_id"]}).execute().data
    assert {b["status"] for b in listed} == {"pending", "confirmed"}
    confirmed = owner.rpc("list_bookings", {"org_id": venue["org_id"]}).eq("status", "confirmed").limit(2) \
        .execute().data
    assert confirmed == [b for b in listed if b["status"] == "confirmed"][:2] and len(confirmed) == 2


def test_get_and_head_as_supabase_py_sends_them(client):
    got = client.rpc("catalogue", {"n": 4}, get=True).select("id").gt("id", 2).order("id").execute()
    assert _ids(got.data) == [3, 4]
    head = client.rpc("catalogue", {"n": 4}, head=True, count="exact").gt("id", 1).execute()
    assert head.count == 3 and not head.data


def test_return_preferences_do_not_apply_to_functions(api):
    # As in PostgREST: a function's result is its answer, whatever Prefer: return= says.
    for prefer in ("return=minimal", "return=representation", "return=headers-only"):
        response = _post(api, "id=eq.1&select=id", Prefer=prefer)
        assert response.status_code == 200 and response.json() == [{"id": 1}]
        assert "preference-applied" not in response.headers


# -- over plain HTTP: GET, the Range header, and every refusal --------------------------------------------------------
def test_get_mixes_arguments_and_filters(api):
    assert _ids(_get(api, "n=4&id=gt.2&select=id").json()) == [3, 4]


def test_the_range_header_on_get(api):
    response = _get(api, "order=id", Range="1-2", **{"Range-Unit": "items"})
    assert _ids(response.json()) == [2, 3] and response.headers["content-range"] == "1-2/*"
    counted = _get(api, "order=id", Range="4-", Prefer="count=exact")
    assert _ids(counted.json()) == [5, 6] and counted.status_code == 206 and counted.headers["content-range"] == "4-5/6"
    # PostgREST reads Range on GET only.
    assert _ids(_post(api, "order=id", Range="1-2").json()) == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize(("call", "status", "code", "message"), [
    (lambda api: _post(api, "id=noop.1"), 400, "PGRST100", '"failed to parse filter (noop.1)" (line 1, column 1)'),
    (lambda api: _post(api, "id=eq"), 400, "PGRST100", None),
    (lambda api: _post(api, "n=3"), 400, "PGRST100", '"failed to parse filter (3)" (line 1, column 1)'),
    (lambda api: _post(api, "id=neq(any).{1}"), 400, "PGRST100", None),
    (lambda api: _post(api, "select=count()"), 400, "PGRST123", "Use of aggregate functions is not allowed"),
    (lambda api: _post(api, "select=price.sum()"), 400, "PGRST123", None),
    (lambda api: _post(api, "select=id,"), 400, "PGRST100", None),
    (lambda api: _post(api, "order=id.sideways"), 400, "PGRST100", None),
    (lambda api: _post(api, "or=(id.eq.1"), 400, "PGRST100", None),
    (lambda api: _post(api, "limit=two"), 400, "PGRST100", None),
    (lambda api: _post(api, "limit=" + "9" * 5000), 400, "PGRST100", None),
    (lambda api: _post(api, "offset=" + "9" * 19), 400, "PGRST100", None),
    (lambda api: _post(api, "select=nope"), 400, "42703", None),
    (lambda api: _post(api, "nope=eq.1"), 400, "42703", None),
    (lambda api: _post(api, "order=nope"), 400, "42703", None),
    (lambda api: _post(api, "id=eq.not-a-number"), 400, "22P02", None),
    (lambda api: _post(api, "select=id,tags::nosuchtype"), 400, "42704", None),
    (lambda api: _post(api, "select=id,...owner(*)"), 400, "PGRST200", None),
    (lambda api: _post(api, "select=id,owner(*)"), 400, "PGRST200",
     "Could not find a relationship between 'catalogue' and 'owner' in the schema cache"),
    (lambda api: _post(api, "owner.id=eq.1"), 400, "PGRST108", "'owner' is not an embedded resource in this request"),
    (lambda api: _post(api, "order=owner(id)"), 400, "PGRST108", None),
    (lambda api: _post(api, "limit=-1"), 416, "PGRST103", "Requested range not satisfiable"),
    (lambda api: _get(api, "order=id", Range="3-1"), 416, "PGRST103", None),
    (lambda api: _post(api, "offset=10", Prefer="count=exact"), 416, "PGRST103", None),
    (lambda api: _post(api, "id=gt.99&offset=1", Prefer="count=exact"), 416, "PGRST103",
     "Requested range not satisfiable"),
    (lambda api: _post(api, "select=x", name="add", body={"a": 1}), 400, "42703", None),
    (lambda api: _post(api, "id=eq.1", name="zzz_no_such_function"), 404, "PGRST202", None),
    (lambda api: _post(api, "id=eq.1", Accept="application/xml"), 406, "PGRST107", None),
    (lambda api: _post(api, "select=%22i%00d%22"), 400, "22021", None),
], ids=["unknown operator", "operator without value", "argument in the query of a POST",
        "quantifier on an operator without one", "count()", "sum()", "bad select",
        "bad order", "unclosed or", "limit not a number", "limit of 5000 digits", "offset beyond a bigint",
        "unknown column in select", "unknown column in filter",
        "unknown column in order", "value of the wrong type", "unknown cast type", "spread", "embedding",
        "filter on an embed",
        "order on an embed", "negative limit", "inverted Range", "offset past the count",
        "offset past an empty count", "select on a scalar",
        "unknown function", "unknown media type", "NUL in a name"])
def test_refusals_are_postgrests(api, call, status, code, message):
    response = call(api)
    body = response.json()
    assert (response.status_code, body["code"]) == (status, code), body
    assert set(body) == {"code", "message", "details", "hint"}
    if message is not None:
        assert body["message"] == message


def test_a_range_header_too_long_to_be_a_row_number_is_not_read(api):
    """As any Range it cannot read: ignored, and never converted (a 5,000-digit one once answered 500)."""
    response = _get(api, "order=id&limit=1", Range="0-" + "9" * 5000)
    assert response.status_code == 200 and _ids(response.json()) == [1], response.text


def test_scalar_and_void_functions_take_shaping_as_postgrest_does(api):
    counted = _post(api, "", name="add", body={"a": 1}, Prefer="count=exact")
    assert counted.json() == 11 and counted.headers["content-range"] == "0-0/1"
    assert _post(api, "limit=0", name="add", body={"a": 1}).json() is None
    assert _ids([{"id": n} for n in _post(api, "order=pgrst_scalar.desc&limit=2", name="numbers",
                                          body={"n": 5}).json()]) == [5, 4]
    assert _post(api, "limit=1", name="nothing").status_code == 204
    assert _post(api, "select=left_side", name="make_pair", body={"n": 2, "label": "x"}).json() == {"left_side": 2}


def test_the_object_media_type_with_shaping(api):
    one = _post(api, "id=eq.4&select=id,name", Accept="application/vnd.pgrst.object+json")
    assert one.json() == {"id": 4, "name": "item 4"}
    many = _post(api, "id=gt.4", Accept="application/vnd.pgrst.object+json")
    assert many.status_code == 406 and many.json()["code"] == "PGRST116"


def test_a_supabase_py_error_for_a_refused_filter(client):
    with pytest.raises(APIError) as raised:
        client.rpc("catalogue", {}).select("id").filter("id", "noop", "1").execute()
    assert raised.value.code == "PGRST100"


# -- where shaping meets the plain-call rules ----------------------------------------------------------------------
# One call per return shape the signature decides (scalar, SETOF scalar, composite, bare record, SETOF record,
# OUT columns, one OUT, one INOUT, one TABLE column, OUT with SETOF, TABLE), with its arguments.
SHAPES = [("add", {"a": 1}), ("numbers", {"n": 3}), ("make_pair", {"n": 1, "label": "x"}), ("bare_record", {"n": 2}),
          ("bare_records", {"n": 3}), ("plpgsql_record", {}), ("out_pair", {"n": 3}), ("single_out", {"num": 5}),
          ("single_inout", {"num": 2}), ("single_column", {"n": 2}), ("out_setof", {"n": 2}), ("catalogue", {"n": 3})]


@pytest.mark.parametrize(("name", "args"), SHAPES, ids=[name for name, _ in SHAPES])
def test_shaping_that_keeps_every_row_keeps_the_plain_answer(api, name, args):
    """Through the shaped statement (a count, a limit past the end) every shape answers as the plain call does."""
    plain = _post(api, "", args, name=name)
    assert plain.status_code == 200, plain.text
    for query, headers in (("", {"Prefer": "count=exact"}), ("limit=100", {})):
        shaped = _post(api, query, args, name=name, **headers)
        assert (shaped.status_code, shaped.json()) == (200, plain.json()), (query, headers, shaped.text)
    rows = len(plain.json()) if isinstance(plain.json(), list) else 1
    counted = _post(api, "", args, name=name, Prefer="count=exact")
    assert counted.headers["content-range"] == f"0-{rows - 1}/{rows}"


def test_a_set_of_bare_records_is_shaped_as_pgrst_scalar(api):
    """A bare record is a scalar to PostgREST: its one column is pgrst_scalar, which orders, pages and counts;
    its fields are the body's, unknown to the catalogue, so selecting one is the database's 42703."""
    page = _post(api, "order=pgrst_scalar.desc&limit=2&offset=1", {"n": 5}, name="bare_records",
                 Prefer="count=exact")
    assert page.status_code == 206 and page.headers["content-range"] == "1-2/5"
    assert page.json() == [{"id": 4, "name": "item 4"}, {"id": 3, "name": "item 3"}]
    got = _get(api, "n=3&n=2&limit=1", name="bare_records")  # the last n, then the limit
    assert got.json() == [{"id": 1, "name": "item 1"}] and got.headers["content-range"] == "0-0/*"
    one = _get(api, "n=9&select=pgrst_scalar", name="bare_record")
    assert one.json() == {"id": 9, "name": "item 9"}
    refused = _post(api, "select=id", {"n": 2}, name="bare_records")
    assert (refused.status_code, refused.json()["code"]) == (400, "42703")


def test_one_out_inout_or_table_column_is_selected_and_filtered_by_its_name(api):
    assert _get(api, "num=5&select=next:num_plus_one", name="single_out").json() == {"next": 6}
    assert _post(api, "select=num", {"num": 2}, name="single_inout").json() == {"num": 3}
    assert _post(api, "a=like.AA*&order=a.desc", {"n": 4}, name="single_column").json() == [
        {"a": "AAAA"}, {"a": "AAA"}, {"a": "AA"}]
    assert _get(api, "n=3&i=gte.2&select=i::text", name="out_setof").json() == [{"i": "2"}, {"i": "3"}]
    pair = _post(api, "select=label", {"n": 4}, name="out_pair", Accept="application/vnd.pgrst.object+json")
    assert pair.json() == {"label": "n=4"}
    # An embed would relate to a composite's type, else to the function (one OUT column is no composite).
    for name, args, parent in (("single_out", {"num": 1}, "single_out"), ("make_pair", {"n": 1, "label": "x"}, "pair")):
        embed = _post(api, "select=*,owner(*)", args, name=name).json()
        assert embed["message"] == f"Could not find a relationship between '{parent}' and 'owner' in the schema cache"


def test_get_arguments_are_decided_per_parameter_once_shaping_is_taken_out(api):
    # A repeated scalar argument counts its last value, beside a filter, an order and a select.
    assert _ids(_get(api, "n=2&id=gt.1&n=5&order=id.desc&select=id").json()) == [5, 4, 3, 2]
    # A VARIADIC parameter takes every value; a value with an operator is a filter, not one of them.
    greeting = _get(api, "name=Ann&v=a&v=b&name=Bob&limit=1", name="greet")
    assert greeting.json() == "Hello, Bob (2)" and greeting.headers["content-range"] == "0-0/*"
    assert _get(api, "v=x&v=y&v=z&pgrst_scalar=cs.{y}", name="variadic_texts").json() == ["x", "y", "z"]
    assert _get(api, "v=x&pgrst_scalar=cs.{y}", name="variadic_texts").json() is None
    # Form values too, with the shaping in the query string of the POST.
    form = httpx.post(f"{api.url}/rest/v1/rpc/catalogue?order=id.desc&limit=2", content="n=9&n=3", timeout=30,
                      headers={**RPC_TEST, "Content-Type": "application/x-www-form-urlencoded"})
    assert _ids(form.json()) == [3, 2]
    # A JSON array body calls with its first object, shaped the same way.
    assert _ids(_post(api, "order=id.desc&limit=1", [{"n": 4}, {"n": 1}]).json()) == [4]


# -- a venue with bookings, for the issue's two examples --------------------------------------------------------------
@pytest.fixture(scope="module")
def venue(api, rpc_db):
    """An organization of OWNER's with one private-session experience, eight starts a day, some booked through
    the widget and some of those confirmed by the owner."""
    key = f"wk_shaping_{uuid.uuid4().hex}"
    day = datetime.date.today() + datetime.timedelta(days=5)
    with psycopg.connect(rpc_db, autocommit=True) as conn:
        org_id = conn.execute("INSERT INTO app.organizations (name, slug) VALUES ('Shaping Rooms', %s) RETURNING id",
                              (f"shaping-{uuid.uuid4().hex[:8]}",)).fetchone()[0]
        conn.execute("INSERT INTO app.memberships (org_id, user_id, role) VALUES (%s, %s, 'owner')", (org_id, OWNER))
        venue_id = conn.execute("INSERT INTO app.venues (org_id, name, timezone, embed_key) VALUES "
                                "(%s, 'Shaping venue', 'Europe/London', %s) RETURNING id", (org_id, key)).fetchone()[0]
        experience_id = conn.execute(
            "INSERT INTO app.experiences (org_id, venue_id, kind, name, duration_minutes, max_party, currency, "
            "requires_payment, active) VALUES (%s, %s, 'private_session', 'Shaping game', 50, 6, 'GBP', true, true) "
            "RETURNING id", (org_id, venue_id)).fetchone()[0]
        conn.execute("INSERT INTO app.price_tiers (org_id, experience_id, min_party, max_party, price_minor) "
                     "VALUES (%s, %s, 1, 6, 2500)", (org_id, experience_id))
        conn.execute("INSERT INTO app.schedules (org_id, experience_id, weekday, start_time, valid_from) "
                     "SELECT %s, %s, d, make_time(h, 0, 0), current_date "
                     "FROM generate_series(1, 7) d, generate_series(9, 16) h", (org_id, experience_id))
    availability = {"embed_key": key, "experience_id": str(experience_id), "from_date": day.isoformat(),
                    "to_date": day.isoformat(), "party_size": 2}
    anon = create_client(api.url, token(role="anon"), options=ClientOptions(schema="api"))
    owner = create_client(api.url, token(role="anon"), options=ClientOptions(schema="api"))
    owner.postgrest.auth(token(sub=OWNER, email="owner@rpc.example"))
    starts = [r["starts_at"] for r in anon.rpc("widget_availability", availability).execute().data]
    for index in (0, 2, 3, 5):
        booked = anon.rpc("widget_create_booking", {
            "embed_key": key, "experience_id": str(experience_id), "starts_at": starts[index],
            "customer_email": f"guest{index}@shaping.example", "party_size": 2}).execute().data
        if index != 2:
            owner.rpc("confirm_booking", {"booking_id": booked["id"]}).execute()
    return {"org_id": str(org_id), "availability": availability}


# -- property: any tree of filters means what SQL means ----------------------------------------------------------------
COMPARE = {"eq": lambda a, b: a == b, "neq": lambda a, b: a != b, "gt": lambda a, b: a > b,
           "gte": lambda a, b: a >= b, "lt": lambda a, b: a < b, "lte": lambda a, b: a <= b}
NUMBERS = {"id": lambda r: r["id"], "price": lambda r: r["price"], "size": lambda r: r["details"]["size"]}
COLUMN = {"id": "id", "price": "price", "size": "details->size"}

conditions = st.one_of(
    st.tuples(st.just("cmp"), st.sampled_from(sorted(NUMBERS)), st.sampled_from(sorted(COMPARE)),
              st.integers(0, 10), st.booleans()),
    st.tuples(st.just("is"), st.sampled_from(sorted(NUMBERS)), st.just("is"), st.none(), st.booleans()),
    st.tuples(st.just("in"), st.sampled_from(sorted(NUMBERS)), st.just("in"),
              st.lists(st.integers(0, 10), min_size=1, max_size=3), st.booleans()))
trees = st.recursive(conditions, lambda children: st.tuples(st.sampled_from(["and", "or"]), st.booleans(),
                                                            st.lists(children, min_size=1, max_size=3)),
                     max_leaves=6)


def _truth(node, row):
    """SQL's three-valued answer for one row: True, False or None (unknown)."""
    if node[0] in ("and", "or"):
        values = [_truth(child, row) for child in node[2]]
        if node[0] == "and":
            value = False if False in values else None if None in values else True
        else:
            value = True if True in values else None if None in values else False
        negated = node[1]
    else:
        kind, column, op, operand, negated = node
        actual = NUMBERS[column](row)
        if kind == "is":
            value = actual is None
        elif actual is None:
            value = None
        elif kind == "in":
            value = actual in operand
        else:
            value = COMPARE[op](actual, operand)
    return value if value is None or not negated else not value


def _leaf(node, inside: bool) -> str:
    kind, column, op, operand, negated = node
    value = f"({','.join(map(str, operand))})" if kind == "in" else "null" if kind == "is" else str(operand)
    expression = f"{'not.' if negated else ''}{op}.{value}"
    return f"{COLUMN[column]}.{expression}" if inside else f"{COLUMN[column]}={expression}"


def _inner(node) -> str:
    if node[0] in ("and", "or"):
        return f"{'not.' if node[1] else ''}{node[0]}({','.join(_inner(child) for child in node[2])})"
    return _leaf(node, inside=True)


def _query(node) -> str:
    if node[0] in ("and", "or"):
        return f"{'not.' if node[1] else ''}{node[0]}=({','.join(_inner(child) for child in node[2])})"
    return _leaf(node, inside=False)


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(filters=st.lists(trees, min_size=1, max_size=3))
def test_any_tree_of_filters_keeps_the_rows_sql_would(api, filters):
    query = "&".join(_query(f) for f in filters)
    # JSON paths compare jsonb with jsonb: a number's JSON is its text.
    response = _post(api, f"{query}&select=id&order=id", {"n": 6})
    assert response.status_code == 200, (query, response.text)
    assert _ids(response.json()) == [r["id"] for r in CATALOGUE if all(_truth(f, r) is True for f in filters)], query


@pytest.mark.parametrize(("nest", "at_limit_status"), [
    (lambda n: "or=" + "(id.eq.1,or" * n + "(id.eq.2)" + ")" * n, 200),
    (lambda n: "or=" + "(not.and" * n + "(id.eq.2)" + ")" * n, 200),
    (lambda n: "select=" + "rel(" * n + "id" + ")" * n, 400),  # read whole, then refused as an embed
], ids=["or", "not.and", "embed"])
def test_parentheses_nested_too_deep_are_400_not_a_recursion_error(api, nest, at_limit_status):
    """Reading parentheses recurses: a deep enough query string (it fits in a 16 KiB request head) once reached
    Python's recursion limit and answered 500, without a token."""
    refused = _post(api, nest(1000))
    body = refused.json()
    assert (refused.status_code, body["code"]) == (400, "PGRST100"), body
    assert body["details"] == "parentheses nested deeper than 100 levels"
    at_limit = _post(api, nest(99))
    assert at_limit.status_code == at_limit_status, at_limit.text
    if at_limit_status == 400:
        assert at_limit.json()["code"] == "PGRST200"
