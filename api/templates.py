"""Organizations' message templates: Jinja2's sandbox, checked when saved, rendered when sent.

A template is written by staff and runs in the service, so it is rendered in Jinja2's SandboxedEnvironment (no
attribute of Python internals, bounded `range`), with StrictUndefined: a name the message's data does not carry is an
error, found by `check` against the kind's sample data when the template is saved, never by a customer reading a
blank. The HTML part autoescapes; subject and text parts do not (they are not HTML). Money and dates are formatted
by Babel in the message's locale, dates in the venue's zone: `{{ amount_minor | money }}`,
`{{ starts_at | datetime }}`, `{{ starts_at | date('full') }}`, `{{ starts_at | time }}`.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec
from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

PARTS = ("subject", "html", "body")


class Formatting(msgspec.Struct, frozen=True):
    """How a message's money and dates read: its locale, the venue's IANA zone, the organization's currency."""

    locale: str = "en"
    tz: str = "UTC"
    currency: str | None = None


class Parts(msgspec.Struct, frozen=True):
    """A template's parts: subject and HTML for e-mail (a title for in-app), the text body for every channel."""

    body: str
    subject: str | None = None
    html: str | None = None


class Rendered(msgspec.Struct, frozen=True):
    body: str
    subject: str | None = None
    html: str | None = None


class Problem(msgspec.Struct, frozen=True):
    """Why a template part was refused: which part, the line of the template (when known), in words."""

    part: str
    message: str
    line: int | None = None


class TemplateRefused(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.part} line {p.line}: {p.message}" for p in problems))
        self.problems = problems


_DEFAULT = Formatting()
_formatting: contextvars.ContextVar[Formatting] = contextvars.ContextVar("formatting", default=_DEFAULT)


def _locale(tag: str) -> Locale:
    try:
        return Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def _moment(value: Any) -> dt.datetime:
    """A timestamp from the data (an ISO 8601 string, as JSON carries it), in the venue's zone."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        raise TemplateError(f"not a timestamp: {value!r}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    fmt = _formatting.get()
    try:
        return value.astimezone(ZoneInfo(fmt.tz))
    except ZoneInfoNotFoundError:
        return value.astimezone(dt.UTC)


def money(minor: Any, currency: str | None = None) -> str:
    """Integer minor units as money in the locale: 1250 EUR is "€12.50" in English, "12,50 €" in German."""
    fmt = _formatting.get()
    code = currency or fmt.currency
    if not isinstance(minor, int) or isinstance(minor, bool) or not code:
        raise TemplateError(f"money needs integer minor units and a currency, not {minor!r}")
    digits = babel_numbers.get_currency_precision(code)
    return babel_numbers.format_currency(Decimal(minor).scaleb(-digits), code, locale=_locale(fmt.locale))


def datetime(value: Any, format: str = "medium") -> str:
    fmt = _formatting.get()
    moment = _moment(value)
    return babel_dates.format_datetime(moment, format, tzinfo=moment.tzinfo, locale=_locale(fmt.locale))


def date(value: Any, format: str = "medium") -> str:
    return babel_dates.format_date(_moment(value), format, locale=_locale(_formatting.get().locale))


def time(value: Any, format: str = "short") -> str:
    moment = _moment(value)
    return babel_dates.format_time(moment, format, tzinfo=moment.tzinfo, locale=_locale(_formatting.get().locale))


def _environment(autoescape: bool) -> SandboxedEnvironment:
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=autoescape, keep_trailing_newline=True)
    env.filters.update(money=money, datetime=datetime, date=date, time=time)
    return env


_ENVIRONMENTS = {True: _environment(True), False: _environment(False)}


@contextmanager
def formatted(fmt: Formatting) -> Iterator[None]:
    token = _formatting.set(fmt)
    try:
        yield
    finally:
        _formatting.reset(token)


def _template_line() -> int | None:
    """The template line an exception raised while rendering was at: Jinja rewrites its traceback so that the
    template's own frames carry template line numbers."""
    tb = sys.exc_info()[2]
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


@functools.lru_cache(maxsize=1024)
def _compiled(html: bool, source: str) -> Template:
    """A template's part compiled once: the delivery worker renders the same few templates thousands of times, and
    compiling is most of the cost (a syntax error is not cached: it raises again)."""
    return _ENVIRONMENTS[html].from_string(source)


def _render_part(part: str, source: str, data: Mapping[str, Any]) -> str:
    try:
        return _compiled(part == "html", source).render(data)
    except TemplateSyntaxError as exc:
        raise TemplateRefused([Problem(part, exc.message or str(exc), exc.lineno)]) from None
    except TemplateError as exc:
        raise TemplateRefused([Problem(part, exc.message or str(exc), _template_line())]) from None
    except (ArithmeticError, LookupError, TypeError, ValueError) as exc:
        raise TemplateRefused([Problem(part, str(exc), _template_line())]) from None


def render(parts: Parts, data: Mapping[str, Any], fmt: Formatting) -> Rendered:
    """Renders every part of a template with a message's data; TemplateRefused lists what failed."""
    problems: list[Problem] = []
    out: dict[str, str | None] = {}
    with formatted(fmt):
        for part in PARTS:
            source = getattr(parts, part)
            if source is None:
                out[part] = None
                continue
            try:
                out[part] = _render_part(part, source, data)
            except TemplateRefused as refused:
                problems.extend(refused.problems)
    if problems:
        raise TemplateRefused(problems)
    return Rendered(body=out["body"] or "", subject=out["subject"], html=out["html"])


def check(parts: Parts, sample: Mapping[str, Any], fmt: Formatting) -> list[Problem]:
    """What is wrong with a template, judged by rendering it with its kind's sample data: syntax errors and names
    the data does not carry, each with its part and line. An empty list means it may be saved."""
    try:
        render(parts, sample, fmt)
    except TemplateRefused as refused:
        return refused.problems
    return []
