"""CSV answers (`Accept: text/csv`), over HTTP against the running service, on functions made for it in a scratch
schema: PostgREST's text/csv (a header row of the result's column names, each row as PostgreSQL prints a record,
lines joined by LF, `text/csv; charset=utf-8`), RFC 4180 quoting where PostgREST's own falls short (a backslash is
one backslash, a header name is quoted like a field), a result without rows is its header alone; the shaping
(select, order, limit/offset, Range, Prefer: count) as for JSON; and content negotiation with q-values, as
PostgREST ranks an Accept header, 406 PGRST107 for a type not produced.

Every expected body is written out by hand, byte for byte; each is also read back with Python's csv module into
the values the function returns, so quoting that a CSV reader would misread fails either way.
"""

from __future__ import annotations

import csv
import io

import httpx
import psycopg
import pytest
from supabase import ClientOptions, create_client

from tests.api_support import token

SCHEMA = "rpc_csv"
PROFILE = {"Content-Profile": SCHEMA, "Accept-Profile": SCHEMA}
CSV_TYPE = "text/csv; charset=utf-8"

FUNCTIONS = rf'''
CREATE SCHEMA {SCHEMA};
GRANT USAGE ON SCHEMA {SCHEMA} TO anon;
-- Every kind of field a report has, and every character CSV must quote: commas, quotes, CR/LF, an empty string
-- beside NULL, unicode, backslashes (in text, in JSON, in an array), json and jsonb, arrays, booleans.
CREATE FUNCTION {SCHEMA}.awkward(n integer DEFAULT 4)
RETURNS TABLE (id integer, label text, note text, flag boolean, doc jsonb, raw json, tags text[], amount numeric,
               day date)
LANGUAGE sql STABLE SET search_path = '' AS $$
  SELECT * FROM (VALUES
    (1, 'comma, inside', '', true, '{{"a": "x \"q\""}}'::jsonb, '[1, "two"]'::json, ARRAY['a b', 'c,d', NULL],
     12.50, DATE '2026-03-01'),
    (2, 'say "hi"', NULL, false, NULL, NULL, '{{}}'::text[], NULL, NULL),
    (3, E'two\r\nlines\n', 'plain', NULL, '[]', '{{"k":1}}', ARRAY['x'], 0, DATE '2026-03-03'),
    (4, 'Zoë — 東京 🎟', E'C:\\temp\\new', true, '{{"path": "C:\\temp"}}', '"\u00e9"', ARRAY[E'back\\slash'],
     -3.25, DATE '2026-03-04')
  ) AS v(id, label, note, flag, doc, raw, tags, amount, day)
  ORDER BY id LIMIT n
$$;
CREATE FUNCTION {SCHEMA}.odd_names() RETURNS TABLE ("a,b" integer, "say ""x""" text, plain text)
LANGUAGE sql STABLE SET search_path = '' AS $$ SELECT 1, 'y', 'z' $$;
CREATE TYPE {SCHEMA}.pair AS (x integer, y text);
CREATE FUNCTION {SCHEMA}.one_pair() RETURNS {SCHEMA}.pair
LANGUAGE sql STABLE SET search_path = '' AS $$ SELECT ROW(1, 'a b')::{SCHEMA}.pair $$;
CREATE FUNCTION {SCHEMA}.answer() RETURNS integer LANGUAGE sql STABLE SET search_path = '' AS $$ SELECT 42 $$;
CREATE FUNCTION {SCHEMA}.greeting(name text) RETURNS text
LANGUAGE sql STABLE SET search_path = '' AS $$ SELECT 'hello, ' || name $$;
CREATE FUNCTION {SCHEMA}.nothing() RETURNS text LANGUAGE sql STABLE SET search_path = '' AS $$ SELECT NULL $$;
CREATE FUNCTION {SCHEMA}.counting(n integer) RETURNS SETOF integer
LANGUAGE sql STABLE SET search_path = '' AS $$ SELECT pg_catalog.generate_series(1, n) $$;
CREATE FUNCTION {SCHEMA}.noop() RETURNS void LANGUAGE sql VOLATILE SET search_path = '' AS $$ SELECT $$;
CREATE FUNCTION {SCHEMA}.refuse() RETURNS SETOF integer LANGUAGE plpgsql STABLE SET search_path = '' AS $$
BEGIN RAISE EXCEPTION 'not today' USING ERRCODE = 'PT409', DETAIL = 'closed', HINT = 'come back tomorrow'; END $$;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {SCHEMA} TO anon;
'''

HEADER = "id,label,note,flag,doc,raw,tags,amount,day"
LINES = [
    r'1,"comma, inside","",t,"{""a"": ""x \""q\""""}","[1, ""two""]","{""a b"",""c,d"",NULL}",12.50,2026-03-01',
    '2,"say ""hi""",,f,,,{},,',
    '3,"two\r\nlines\n",plain,,[],"{""k"":1}",{x},0,2026-03-03',
    r'4,"Zoë — 東京 🎟","C:\temp\new",t,"{""path"": ""C:\\temp""}","""\u00e9""","{""back\\slash""}",-3.25,2026-03-04',
]
# The same rows as the values PostgreSQL prints for each column (NULL and the empty string both read as "").
VALUES = [
    ["1", "comma, inside", "", "t", r'{"a": "x \"q\""}', '[1, "two"]', '{"a b","c,d",NULL}', "12.50", "2026-03-01"],
    ["2", 'say "hi"', "", "f", "", "", "{}", "", ""],
    ["3", "two\r\nlines\n", "plain", "", "[]", '{"k":1}', "{x}", "0", "2026-03-03"],
    ["4", "Zoë — 東京 🎟", r"C:\temp\new", "t", r'{"path": "C:\\temp"}', r'"\u00e9"', r'{"back\\slash"}', "-3.25",
     "2026-03-04"],
]


def _read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.fixture(scope="module")
def url(rpc_db, tmp_path_factory):
    from tests.api_support import login_conninfo, serve

    with psycopg.connect(rpc_db, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        conn.execute(FUNCTIONS)
    with serve(login_conninfo(rpc_db), tmp_path_factory.mktemp("csv"), schemas=f"api,rpc_test,{SCHEMA}") as api:
        yield f"{api.url}/rest/v1/rpc"


def _post(url: str, name: str, body: object = None, query: str = "", accept: str = "text/csv", **headers):
    return httpx.post(f"{url}/{name}?{query}", json={} if body is None else body, timeout=30,
                      headers={**PROFILE, "Accept": accept, **headers})


def _get(url: str, name: str, query: str = "", accept: str = "text/csv", **headers):
    return httpx.get(f"{url}/{name}?{query}", timeout=30, headers={**PROFILE, "Accept": accept, **headers})


def _csv(response: httpx.Response, status: int = 200) -> str:
    assert (response.status_code, response.headers["content-type"]) == (status, CSV_TYPE), response.text
    return response.text


# -- the body --------------------------------------------------------------------------------------------------------
def test_every_awkward_field_is_quoted_as_rfc_4180_reads_it(url):
    text = _csv(_post(url, "awkward"))
    assert text == "\n".join([HEADER, *LINES])
    assert _read(text) == [HEADER.split(","), *VALUES]


def test_get_answers_the_same_csv_as_post(url):
    assert _csv(_get(url, "awkward", "n=2")) == "\n".join([HEADER, *LINES[:2]])


def test_a_result_without_rows_is_its_header_alone(url):
    assert _csv(_post(url, "awkward", {"n": 0})) == HEADER
    assert _csv(_post(url, "awkward", query="id=eq.99")) == HEADER
    assert _csv(_post(url, "awkward", {"n": 0}, "select=id,label")) == "id,label"
    nothing = _post(url, "awkward", {"n": 0}, Prefer="count=exact")
    assert (_csv(nothing), nothing.headers["content-range"]) == (HEADER, "*/0")


def test_header_names_are_quoted_like_fields(url):
    text = _csv(_post(url, "odd_names"))
    assert text == '"a,b","say ""x""",plain\n1,y,z'
    assert _read(text) == [["a,b", 'say "x"', "plain"], ["1", "y", "z"]]


def test_scalars_are_one_pgrst_scalar_column_and_void_is_204(url):
    assert _csv(_post(url, "answer")) == "pgrst_scalar\n42"
    assert _csv(_post(url, "greeting", {"name": "Ada"})) == 'pgrst_scalar\n"hello, Ada"'
    assert _csv(_post(url, "nothing")) == "pgrst_scalar\n"  # one row, NULL
    assert _csv(_post(url, "counting", {"n": 3})) == "pgrst_scalar\n1\n2\n3"
    assert _csv(_post(url, "counting", {"n": 0})) == "pgrst_scalar"
    assert _csv(_post(url, "one_pair")) == 'x,y\n1,"a b"'
    void = _post(url, "noop")
    assert (void.status_code, void.content, "content-type" in void.headers) == (204, b"", False)


def test_an_error_is_still_json(url):
    refused = _post(url, "refuse")
    assert refused.status_code == 409 and refused.headers["content-type"].startswith("application/json")
    assert refused.json() == {"code": "PT409", "message": "not today", "details": "closed",
                              "hint": "come back tomorrow"}


# -- shaping, as for JSON --------------------------------------------------------------------------------------------
def test_select_order_limit_and_offset_shape_the_csv(url):
    assert _csv(_post(url, "awkward", query="select=id,label&order=id.desc&limit=2")) == \
        'id,label\n4,"Zoë — 東京 🎟"\n3,"two\r\nlines\n"'
    assert _csv(_post(url, "awkward", query="select=flag,id&flag=is.true&offset=1")) == "flag,id\nt,4"
    assert _csv(_post(url, "awkward", query="select=ident:id,note&note=not.is.null&order=id")) == \
        'ident,note\n1,""\n3,plain\n4,"C:\\temp\\new"'


def test_counts_and_ranges_give_content_range_and_206(url):
    counted = _post(url, "awkward", query="select=id&limit=2&offset=1", Prefer="count=exact")
    assert (_csv(counted, 206), counted.headers["content-range"]) == ("id\n2\n3", "1-2/4")
    ranged = _get(url, "awkward", "select=id", Range="2-3", Prefer="count=exact")
    assert (_csv(ranged, 206), ranged.headers["content-range"]) == ("id\n3\n4", "2-3/4")
    whole = _post(url, "awkward", query="select=id")
    assert (_csv(whole), whole.headers["content-range"]) == ("id\n1\n2\n3\n4", "0-3/*")


def test_head_answers_the_headers_without_the_body(url):
    head = httpx.head(f"{url}/awkward", params={"n": "2"}, headers={**PROFILE, "Accept": "text/csv"}, timeout=30)
    assert (head.status_code, head.headers["content-type"], head.content) == (200, CSV_TYPE, b"")


# -- negotiation -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("accept", "kind"), [
    ("text/csv, application/json;q=0.5", "csv"),
    ("application/json;q=0.5, text/csv", "csv"),  # the q-value ranks, not the order
    ("application/json, text/csv", "json"),  # equal: the first given
    ("text/csv;q=0.8, application/json", "json"),
    ("*/*", "json"),
    ("*/*, text/csv", "csv"),  # equal q: the specific type before the wildcard, as PostgREST ranks them
    ("text/csv;q=0, */*;q=0.1", "json"),  # q=0: not acceptable
    ("TEXT/CSV", "csv"),
    ("text/html;q=0.9, text/csv;q=0.2", "csv"),  # the best type produced, past one that is not
])
def test_accept_is_negotiated_by_q_value_then_specificity(url, accept, kind):
    response = _post(url, "awkward", {"n": 1}, query="select=id", accept=accept)
    assert response.status_code == 200, response.text
    if kind == "csv":
        assert (response.headers["content-type"], response.text) == (CSV_TYPE, "id\n1")
    else:
        assert (response.headers["content-type"], response.json()) == ("application/json; charset=utf-8",
                                                                        [{"id": 1}])


@pytest.mark.parametrize(("accept", "listed"), [
    ("text/xml", "text/xml"),
    ("text/html;q=0.5, application/xml", "application/xml, text/html"),
    ("text/csv;q=0", "text/csv"),
])
def test_a_type_not_produced_is_406_pgrst107(url, accept, listed):
    response = _post(url, "awkward", accept=accept)
    assert response.status_code == 406 and response.headers["content-type"].startswith("application/json")
    assert response.json() == {"code": "PGRST107", "message": f"None of these media types are available: {listed}",
                               "details": None, "hint": None}


# -- through a real client -------------------------------------------------------------------------------------------
def test_supabase_py_csv_reads_the_same_body(url):
    client = create_client(url.removesuffix("/rest/v1/rpc"), token(role="anon"),
                           options=ClientOptions(schema=SCHEMA))
    assert client.rpc("awkward", {}).csv().execute().data == "\n".join([HEADER, *LINES])
    shaped = client.rpc("awkward", {"n": 3}).select("id,flag").order("id", desc=True).csv().execute().data
    assert shaped == "id,flag\n3,\n2,f\n1,t"


def test_a_real_api_function_downloads_as_csv(url):
    response = httpx.get(f"{url}/list_currencies", params={"select": "code,minor_digits", "code": "in.(GBP,JPY,KWD)",
                                                           "order": "code"},
                         headers={"Accept": "text/csv", "Authorization": f"Bearer {token(role='anon')}"}, timeout=30)
    assert _csv(response) == "code,minor_digits\nGBP,2\nJPY,0\nKWD,3"
