"""Result shaping as PostgREST reads it from the query string and headers (its QueryParams, RangeQuery and
Preferences): `select` (columns, renames, casts, JSON paths), horizontal filters (`col=op.value`, `not.`,
`or=(…)`/`and=(…)` nested), `order`, `limit`/`offset`, the Range header, `Prefer: count=…` and `Accept: text/csv`,
parsed into a tree that `api.rpc.statement` renders as SQL with every value a parameter.

A malformed parameter is refused as PostgREST refuses it: 400 PGRST100 with its message
(`"failed to parse filter (x)" (line 1, column n)`) and the reason in `details`; an impossible range is 416 PGRST103.
Embedding other resources is not offered by the exposed schema (it holds functions only), so an embed is refused as
PostgREST refuses one it cannot resolve (PGRST200), and a filter or order on an embed as PGRST108.
"""

from __future__ import annotations

import re

import msgspec

from api.errors import ApiError

# Keys that are never arguments nor filters, and the last dotted words that make a key a shaping of its own.
RESERVED = frozenset(("select", "columns", "on_conflict"))
RESERVED_LAST_WORDS = frozenset(("order", "limit", "offset", "and", "or"))
OPERATORS = {"eq": "=", "neq": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "like": "LIKE",
             "ilike": "ILIKE", "match": "~", "imatch": "~*", "cs": "@>", "cd": "<@", "ov": "&&", "sl": "<<",
             "sr": ">>", "nxr": "&<", "nxl": "&>", "adj": "-|-", "isdistinct": "IS DISTINCT FROM"}
# The operators that take (any) or (all) over an array value: eq(any).{1,2}, like(all).{a*,*b}.
QUANTIFIABLE = frozenset(("eq", "gt", "gte", "lt", "lte", "like", "ilike", "match", "imatch"))
FTS = {"fts": "to_tsquery", "plfts": "plainto_tsquery", "phfts": "phraseto_tsquery", "wfts": "websearch_to_tsquery"}
IS_VALUES = ("null", "not_null", "true", "false", "unknown")
_WORDS = (*OPERATORS, *FTS, "in", "is")
COUNTS = frozenset(("exact", "planned", "estimated"))
# At most 18 digits: any row count fits, every value stays a bigint, and Python never converts a huge one.
_RANGE = re.compile(r"^([0-9]{1,18})-([0-9]{0,18})$")
_INTEGER = re.compile(r"^\s*(-?[0-9]{1,18})\s*$")
_INDEX = re.compile(r"-?[0-9]+(?=->|::|\.|,|$)")
_OPERATOR = re.compile(r"([A-Za-z]+)(?:\(([A-Za-z0-9_ $]*)\))?\.")
_AGGREGATE = re.compile(r"\.(sum|avg|count|max|min)\(\)")


class JsonStep(msgspec.Struct, frozen=True):
    arrow: str  # -> or ->>
    key: str
    index: bool  # ->0 rather than ->key


class Field(msgspec.Struct, frozen=True):
    name: str
    path: tuple[JsonStep, ...] = ()


class Column(msgspec.Struct, frozen=True):
    """One item of `select`; field None is `*`."""
    field: Field | None
    alias: str | None = None
    cast: str | None = None  # letters, digits, _, $ and spaces only (the grammar allows no more)


class Condition(msgspec.Struct, frozen=True):
    field: Field
    negated: bool
    operator: str  # a key of OPERATORS or FTS, or "in", "is"
    value: str | tuple[str, ...]  # a tuple for in; for is one of IS_VALUES
    language: str | None = None  # full-text search configuration
    quantifier: str | None = None  # ANY or ALL, the value then an array


class Logic(msgspec.Struct, frozen=True):
    negated: bool
    operator: str  # AND or OR
    children: tuple[Condition | Logic, ...]


class Order(msgspec.Struct, frozen=True):
    field: Field
    descending: bool | None
    nulls: str | None  # FIRST or LAST


class Shaping(msgspec.Struct, frozen=True):
    select: tuple[Column, ...] | None  # None: every column
    embeds: tuple[str, ...]  # resources select= embeds: planning refuses them, after finding the function
    aggregates: bool  # select= asks for count(), sum() and the like, which PostgREST leaves off by default
    not_embedded: tuple[str, ...]  # resources a filter, order or limit names without embedding them
    where: tuple[Condition | Logic, ...]
    order: tuple[Order, ...]
    limit: int | None
    offset: int
    count: str | None  # exact, planned or estimated
    csv: bool


# -- which parameters are what ---------------------------------------------------------------------------------------
def is_shaping_key(key: str) -> bool:
    return key in RESERVED or key.rsplit(".", 1)[-1] in RESERVED_LAST_WORDS


def is_filter(key: str, value: str, method: str) -> bool:
    """On GET and HEAD, PostgREST's rule: a key with a dot (an embed's column) or a value that starts with an
    operator is a filter, anything else an argument. On POST the arguments are the body's, so every other key is a
    filter, and one without an operator is refused as PostgREST refuses it ("failed to parse filter"), never
    ignored."""
    if method == "POST" or "." in key:
        return True
    parts = value.split(".")
    head = parts[0].split("(", 1)[0]
    return (parts[0] == "not" and len(parts) > 1) or head in ("is", "in") or head in OPERATORS or head in FTS


def requested(call_query: list[tuple[str, str]], method: str, headers: dict[str, str], csv: bool) -> bool:
    """Whether the request asks for any shaping at all: when not, nothing here runs."""
    if csv or ("prefer" in headers and "count=" in headers["prefer"]):
        return True
    if method == "GET" and "range" in headers:
        return True
    for key, value in call_query:
        if is_shaping_key(key):
            if key != "select" or value.strip() != "*":
                return True
        elif is_filter(key, value, method):
            return True
    return False


def parse(query: list[tuple[str, str]], method: str, headers: dict[str, str], csv: bool) -> Shaping:
    select: tuple[Column, ...] | None = None
    where: list[Condition | Logic] = []
    order: tuple[Order, ...] = ()
    limit_text = offset_text = None
    embeds: list[str] = []
    aggregates = selected = False
    not_embedded: list[str] = []
    for key, value in query:
        last = key.rsplit(".", 1)[-1]
        if key == "select":
            if not selected:  # PostgREST reads the first
                select, embeds, aggregates = _Parser(value, f"failed to parse select parameter ({value})").select()
                selected = True
        elif key in ("columns", "on_conflict"):
            raise ApiError(400, "PGRST100", f"'{key}' is not supported on RPC calls here", None,
                           "call the function with its arguments only")
        elif last in ("and", "or"):
            path, operator = _Parser(key, f"failed to parse logic path ({key})").logic_path()
            # Read as PostgREST reads it: the operator and the value together, "or(a.eq.1,…)".
            tree = _Parser(operator.removeprefix("not.") + value,
                           f"failed to parse logic tree ({value})").logic(operator.startswith("not."))
            if path:
                not_embedded.append(path[0])
            where.append(tree)
        elif last == "order":
            path = _embed_path(key)
            terms = _Parser(value, f"failed to parse order ({value})").order()
            if path:
                not_embedded.append(path[0])
            else:
                order = terms
        elif last in ("limit", "offset"):
            if _embed_path(key):
                not_embedded.append(_embed_path(key)[0])
            elif last == "limit":
                limit_text = value
            else:
                offset_text = value
        elif is_filter(key, value, method):
            path, field = _Parser(key, f"failed to parse tree path ({key})").tree_path()
            condition = _Parser(value, f"failed to parse filter ({value})").condition(field)
            if path:
                not_embedded.append(path[0])
            where.append(condition)
    limit, offset = _range(limit_text, offset_text, headers.get("range") if method == "GET" else None)
    return Shaping(select, tuple(embeds), aggregates, tuple(not_embedded), tuple(where), order, limit, offset,
                   _count(headers.get("prefer")), csv)


def _embed_path(key: str) -> list[str]:
    return key.split(".")[:-1]


def _count(prefer: str | None) -> str | None:
    """The count preference, as PostgREST reads Prefer (comma-separated; an unknown value is not a preference)."""
    if not prefer:
        return None
    found = None
    for item in prefer.split(","):
        name, _, value = item.strip().partition("=")
        if name.strip() == "count" and value.strip() in COUNTS:
            found = value.strip()
    return found


def _integer(text: str | None, name: str) -> int | None:
    if text is None:
        return None
    match = _INTEGER.match(text)
    if match is None:
        # PostgREST ignores a limit it cannot read and returns every row: refused here, so that a typo never
        # passes for a complete answer.
        raise ApiError(400, "PGRST100", f'"failed to parse {name} parameter ({text})"',
                       f"{name} must be a whole number of at most 18 digits")
    return int(match.group(1))


def _range(limit_text: str | None, offset_text: str | None, header: str | None) -> tuple[int | None, int]:
    """limit and offset intersected with the Range header (GET only), as PostgREST combines them: a negative
    offset reads from the start, limit=0 always means no rows, an empty range otherwise is 416."""
    limit, offset = _integer(limit_text, "limit"), _integer(offset_text, "offset")
    lower = offset if offset is not None else 0
    upper = lower + limit - 1 if limit is not None else None
    lower = max(lower, 0)
    if limit == 0:
        return 0, 0
    header_empty = False
    if header is not None and (match := _RANGE.match(header.strip())):
        first, last = int(match.group(1)), int(match.group(2)) if match.group(2) else None
        header_empty = last is not None and last < first
        lower = max(lower, first)
        if last is not None:
            upper = last if upper is None else min(upper, last)
    if upper is not None and upper < lower:
        raise ApiError(416, "PGRST103", "Requested range not satisfiable",
                       "The lower boundary must be lower than or equal to the upper boundary in the Range header."
                       if header_empty else "Limit should be greater than or equal to zero.")
    return (None if upper is None else upper - lower + 1), lower


# -- the grammar -----------------------------------------------------------------------------------------------------
# How deep parentheses may nest in one parameter; far beyond any real filter or select.
MAX_NESTING = 100


class _Parser:
    """A recursive-descent reading of one parameter, failing as PostgREST's parser reports: the parameter and the
    column where reading stopped, and what was expected there."""

    def __init__(self, text: str, context: str):
        self.text, self.context, self.pos, self.depth = text, context, 0, 0

    def enter(self) -> None:
        """One level down into parentheses (a logic tree, an embed): bounded, since reading them recurses and a
        client could otherwise nest its way to a RecursionError."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.fail("", f"parentheses nested deeper than {MAX_NESTING} levels")

    def leave(self) -> None:
        self.depth -= 1

    # primitives
    def peek(self, n: int = 1) -> str:
        return self.text[self.pos:self.pos + n]

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def take(self, s: str) -> bool:
        if self.text.startswith(s, self.pos):
            self.pos += len(s)
            return True
        return False

    def spaces(self) -> None:
        while self.peek() in (" ", "\t") and not self.at_end():
            self.pos += 1

    def fail(self, expecting: str, reason: str | None = None) -> ApiError:
        if reason is None:
            found = "end of input" if self.at_end() else repr(self.peek())
            reason = f"unexpected {found} expecting {expecting}"
        return ApiError(400, "PGRST100", f'"{self.context}" (line 1, column {self.pos + 1})', reason)

    def expect(self, s: str, what: str | None = None) -> None:
        if not self.take(s):
            raise self.fail(what or f'"{s}"')

    def done(self) -> None:
        if not self.at_end():
            raise self.fail('"," or end of input')

    # names
    def identifier(self) -> str:
        start = self.pos
        while not self.at_end() and (self.peek().isalnum() or self.peek() in "_ $"):
            self.pos += 1
        if self.pos == start:
            raise self.fail("field name (* or [a..z0..9_$])")
        return self.text[start:self.pos].strip()

    def quoted(self) -> str:
        self.expect('"')
        out = []
        while True:
            if self.at_end():
                raise self.fail('"\\"" (the closing quote)')
            char = self.text[self.pos]
            self.pos += 1
            if char == '"':
                return "".join(out)
            if char == "\\" and not self.at_end():
                char = self.text[self.pos]
                self.pos += 1
            out.append(char)

    def field_name(self) -> str:
        if self.peek() == '"':
            return self.quoted()
        parts = [self.identifier()]
        while self.peek() == "-" and self.peek(2) != "->":
            self.pos += 1
            parts.append(self.identifier())
        return "-".join(parts)

    def json_path(self) -> tuple[JsonStep, ...]:
        steps = []
        while True:
            arrow = "->>" if self.take("->>") else "->" if self.take("->") else None
            if arrow is None:
                return tuple(steps)
            match = _INDEX.match(self.text, self.pos)
            if match:
                self.pos = match.end()
                steps.append(JsonStep(arrow, match.group(0), True))
            else:
                steps.append(JsonStep(arrow, self.json_key(), False))

    def json_key(self) -> str:
        """A JSON key: quoted, or any characters but ( - : . , > ) (a dash not before >, as in names)."""
        if self.peek() == '"':
            return self.quoted()
        parts = []
        while True:
            start = self.pos
            while not self.at_end() and self.peek() not in "(-:.,>)":
                self.pos += 1
            if self.pos == start:
                raise self.fail("any non reserved character different from: .,>()")
            parts.append(self.text[start:self.pos].strip())
            if not (self.peek() == "-" and self.peek(2) != "->"):
                return "-".join(parts)
            self.pos += 1

    def field(self) -> Field:
        self.spaces()
        name = self.field_name()
        path = self.json_path()
        self.spaces()
        return Field(name, path)

    # select
    def select(self) -> tuple[tuple[Column, ...] | None, list[str], bool]:
        """(the columns, None for all of them; the embeds named; whether an aggregate is asked for)."""
        embeds: list[str] = []
        aggregates: list[bool] = []
        self.spaces()
        columns = () if self.at_end() else self.forest(embeds, aggregates)
        self.done()
        if columns in ((), (Column(None),)):
            return None, embeds, any(aggregates)
        return columns, embeds, any(aggregates)

    def forest(self, embeds: list[str], aggregates: list[bool]) -> tuple[Column, ...]:
        items = [self.item(embeds, aggregates)]
        while True:
            self.spaces()
            if not self.take(","):
                return tuple(i for i in items if i is not None)
            self.spaces()
            items.append(self.item(embeds, aggregates))

    def item(self, embeds: list[str], aggregates: list[bool]) -> Column | None:
        self.spaces()
        start = self.pos
        relation = self.relation()
        if relation is not None:
            embeds.append(relation)
            self.expect("(")
            self.enter()
            self.spaces()
            if self.peek() != ")":
                self.forest(embeds, aggregates)
            self.expect(")", '")"')
            self.leave()
            return None
        self.pos = start
        if self.take("*"):
            self.spaces()
            self.end_of_item()
            return Column(None)
        alias = self.alias()
        if self.take("count()"):
            aggregates.append(True)
            if self.take("::"):
                self.cast()
            self.spaces()
            self.end_of_item()
            return None
        field = self.field()
        cast = None
        if self.take("::"):
            cast = self.cast()
        if match := _AGGREGATE.match(self.text, self.pos):
            self.pos = match.end()
            aggregates.append(True)
            if self.take("::"):
                self.cast()
        self.spaces()
        self.end_of_item()
        return Column(field, alias, cast)

    def end_of_item(self) -> None:
        if not (self.at_end() or self.peek() in (",", ")")):
            raise self.fail('"->>", "->", "::", ")", "," or end of input')

    def alias(self) -> str | None:
        start = self.pos
        try:
            name = self.field_name()
        except ApiError:
            self.pos = start
            return None
        if self.peek() == ":" and self.peek(2) != "::":
            self.pos += 1
            return name
        self.pos = start
        return None

    def cast(self) -> str:
        start = self.pos
        while not self.at_end() and (self.peek().isalnum() or self.peek() in "_ $"):
            self.pos += 1
        words = self.text[start:self.pos].split()
        if not words:
            raise self.fail("letter or digit")
        for word in words:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_$]*", word):
                raise self.fail("a type name", f"{word!r} is not a type name")
        return " ".join(words)

    def relation(self) -> str | None:
        """An embed (`name(…)`, `alias:name!hint(…)`, `..name(…)`): its name, or None when this is a column."""
        start = self.pos
        try:
            if not (self.take("...") or self.take("..")):
                self.alias()
            name = self.field_name()
            while self.take("!"):
                self.field_name()
        except ApiError:
            self.pos = start
            return None
        if self.peek() == "(" and name != "count":
            return name
        self.pos = start
        return None

    # filters
    def tree_path(self) -> tuple[list[str], Field]:
        names = [self.field_name()]
        while self.take("."):
            names.append(self.field_name())
        path = self.json_path()
        if not self.at_end():
            raise self.fail('"->>", "->", delimiter (.) or end of input')
        return names[:-1], Field(names[-1], path)

    def condition(self, field: Field, in_logic: bool = False) -> Condition:
        negated = self.take("not.")
        if self.take("in."):
            return Condition(field, negated, "in", self.list_value())
        if self.take("is."):
            for word in IS_VALUES:
                if self.peek(len(word)).lower() == word:
                    self.pos += len(word)
                    return Condition(field, negated, "is", word)
            raise self.fail("isVal: (null, not_null, true, false, unknown)")
        start = self.pos
        match = _OPERATOR.match(self.text, self.pos)
        name, argument = (match.group(1), match.group(2)) if match else (None, None)
        if name in FTS:
            self.pos = match.end()
            language = argument.strip() if argument and argument.strip() else None
            return Condition(field, negated, name, self.single_value(in_logic), language)
        if name in OPERATORS and (argument is None or (argument in ("any", "all") and name in QUANTIFIABLE)):
            self.pos = match.end()
            return Condition(field, negated, name, self.single_value(in_logic), None,
                             argument.upper() if argument else None)
        # PostgREST's parser reports where the text leaves every operator's spelling, from the operator's start.
        rest = self.text[start:]
        words = _WORDS if negated else (*_WORDS, "not")
        known = max((_common(rest, w) for w in words), default=0)
        if name in OPERATORS or name in FTS:  # a known name, then something else than its dot
            self.pos = start + len(name)
            raise self.fail('"(" or delimiter (.)')
        self.pos = start
        found = "end of input" if known >= len(rest) else f'"{rest[known]}"'
        raise self.fail("", f"unexpected {found} expecting {'' if negated else chr(34) + 'not' + chr(34) + ' or '}"
                        "operator (eq, gt, ...)")

    def single_value(self, in_logic: bool) -> str:
        if not in_logic:
            value, self.pos = self.text[self.pos:], len(self.text)
            return value
        start = self.pos
        if self.peek() == '"':
            value = self.quoted()
            if self.at_end() or self.peek() in ",)":
                return value
            self.pos = start
        if self.peek() == "{":
            close = self.text.find("}", self.pos)
            if close > 0 and "{" not in self.text[self.pos + 1:close]:
                value, self.pos = self.text[self.pos:close + 1], close + 1
                return value
        while not self.at_end() and self.peek() not in ",)":
            self.pos += 1
        return self.text[start:self.pos]

    def list_value(self) -> tuple[str, ...]:
        self.spaces()
        self.expect("(")
        self.spaces()
        items = []
        while True:
            start = self.pos
            if self.peek() == '"':
                value = self.quoted()
                if not (self.at_end() or self.peek() in ",)"):
                    self.pos = start
                    value = None
            else:
                value = None
            if value is None:
                while not self.at_end() and self.peek() not in ",)":
                    self.pos += 1
                value = self.text[start:self.pos]
            items.append(value)
            if not self.take(","):
                break
        self.spaces()
        self.expect(")", '"," or ")"')
        self.spaces()
        return tuple(items)

    # and / or
    def logic_path(self) -> tuple[list[str], str]:
        names = [self.field_name()]
        while self.take("."):
            names.append(self.field_name())
        negated = "not" in names[:-1]
        return [n for n in names[:-1] if n != "not"], ("not." if negated else "") + names[-1]

    def logic(self, negated: bool) -> Logic:
        tree = self.logic_tree()
        if isinstance(tree, Condition):  # `or=` without parentheses reads as a filter on a column "or…"
            tree = Logic(False, "AND", (tree,))
        return Logic(negated != tree.negated, tree.operator, tree.children) if negated else tree

    def logic_tree(self) -> Condition | Logic:
        start = self.pos
        try:
            field = self.field()
            self.expect(".")
            return self.condition(field, in_logic=True)
        except ApiError:
            self.pos = start
        negated = self.take("not.")
        if self.take("and"):
            operator = "AND"
        elif self.take("or"):
            operator = "OR"
        else:
            raise self.fail("logic operator (and, or)")
        self.spaces()
        self.expect("(")
        self.enter()
        children = [self.logic_tree()]
        while True:
            self.spaces()
            if not self.take(","):
                break
            self.spaces()
            children.append(self.logic_tree())
        self.spaces()
        self.expect(")", '"," or ")"')
        self.leave()
        self.spaces()
        return Logic(negated, operator, tuple(children))

    # order
    def order(self) -> tuple[Order, ...]:
        terms = [self.order_term()]
        while self.take(","):
            terms.append(self.order_term())
        return tuple(terms)

    def order_term(self) -> Order:
        self.spaces()
        start = self.pos
        try:
            self.field_name()
            relation = self.peek() == "("
        except ApiError:
            relation = False
        self.pos = start
        if relation:
            raise ApiError(400, "PGRST108", f"'{self.field_name()}' is not an embedded resource in this request",
                           None, f"Verify that '{self.text[start:self.pos]}' is included in the 'select' query "
                           "parameter.")
        field = self.field()
        descending = True if self.take(".desc") else False if self.take(".asc") else None
        nulls = "FIRST" if self.take(".nullsfirst") else "LAST" if self.take(".nullslast") else None
        self.spaces()
        if not (self.at_end() or self.peek() == ","):
            raise self.fail('"asc", "desc", "nullsfirst", "nullslast", "," or end of input')
        return Order(field, descending, nulls)


def _common(text: str, word: str) -> int:
    n = 0
    while n < len(text) and n < len(word) and text[n] == word[n]:
        n += 1
    return n
