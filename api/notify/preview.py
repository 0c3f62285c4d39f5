"""POST /templates/preview: staff see a template rendered before they save it, and only what rendered is saved.

    {org_id, kind, channel, body, subject?, html?, locale?, data?}
    → api.template_sample(org_id, kind) AS THE CALLER: the database decides who may edit the organization's
      templates (managers and up; others 403, non-members 404) and answers the kind's sample data, the
      organization's locale and currency
    → api/templates.py checks the parts with the sample data (Jinja2's sandbox, StrictUndefined): a syntax error or
      a name the kind's data does not carry is a problem, with its part and line
    → no problem: api.record_template_check(org_id, fingerprint) as service_role, so api.save_template accepts
      exactly these parts for a day; the parts rendered with `data` when given (else the sample) are the answer
    → 200 {subject, html, body}, or 400 PostgREST-shaped: code PT400, details the problems as a JSON array of
      {part, line, message}, message the same in words.

The fingerprint is private.template_fingerprint's: hex SHA-256 of "kind|channel|S(subject)|S(html)|S(body)", S the
hex SHA-256 of a part's UTF-8 text or "-" when the part is absent.
"""

from __future__ import annotations

import hashlib

import msgspec

from api.auth import Caller
from api.errors import ApiError
from api.rpc import Pipeline
from api.rpc.internal import Database
from api.templates import Formatting, Parts, Problem, check, render

CHANNELS = ("email", "sms", "in_app")


class PreviewRequest(msgspec.Struct, forbid_unknown_fields=True):
    org_id: str
    kind: str
    channel: str
    body: str
    subject: str | None = None
    html: str | None = None
    locale: str | None = None
    data: dict | None = None


class Preview(msgspec.Struct):
    subject: str | None
    html: str | None
    body: str


def parse(body: bytes) -> PreviewRequest:
    try:
        return msgspec.json.decode(body or b"{}", type=PreviewRequest)
    except msgspec.ValidationError as exc:
        raise ApiError(400, "PT400", f"invalid preview request: {exc}", "invalid",
                       "send {org_id, kind, channel, body} and, as the channel needs, subject and html; "
                       "optionally locale and data") from None
    except msgspec.DecodeError:
        raise ApiError(400, "PGRST102", "Empty or invalid json") from None


def fingerprint(kind: str, channel: str, subject: str | None, html: str | None, body: str | None) -> str:
    def part(text: str | None) -> str:
        return "-" if text is None else hashlib.sha256(text.encode()).hexdigest()

    joined = "|".join([kind, channel, part(subject), part(html), part(body)])
    return hashlib.sha256(joined.encode()).hexdigest()


def _channel_problems(asked: PreviewRequest) -> list[Problem]:
    """The parts each channel has (the database's rule, said here first so the preview names the part)."""
    if asked.channel not in CHANNELS:
        return [Problem("channel", "channel must be email, sms or in_app")]
    problems = []
    if asked.channel == "email":
        problems += [Problem(p, f"an e-mail needs a {p}") for p in ("subject", "html") if getattr(asked, p) is None]
    if asked.channel == "sms":
        problems += [Problem(p, f"an SMS has no {p}") for p in ("subject", "html") if getattr(asked, p) is not None]
    if asked.channel == "in_app" and asked.html is not None:
        problems.append(Problem("html", "an in-app message has no html"))
    return problems


def refused(problems: list[Problem]) -> ApiError:
    words = "; ".join(f"{p.part}{'' if p.line is None else f' line {p.line}'}: {p.message}" for p in problems)
    return ApiError(400, "PT400", f"the template was refused: {words}",
                    msgspec.json.encode(problems).decode(), "fix the parts named and preview again")


async def preview(pipeline: Pipeline, caller: Caller, body: bytes, client: str) -> Preview:
    asked = parse(body)
    db = Database(pipeline, client="tessera-templates")
    sample = await db.call("template_sample", {"org_id": asked.org_id, "kind": asked.kind}, caller, client=client)
    if not isinstance(sample, dict) or not isinstance(sample.get("sample_data"), dict):
        raise ApiError(500, "PT500", "template_sample answered no sample")
    if problems := _channel_problems(asked):
        raise refused(problems)
    data = sample["sample_data"]
    parts = Parts(body=asked.body, subject=asked.subject, html=asked.html)

    def formatting(d: dict) -> Formatting:
        tz = d.get("timezone") if isinstance(d.get("timezone"), str) else "UTC"
        currency = d.get("currency") if isinstance(d.get("currency"), str) else sample.get("currency")
        return Formatting(locale=asked.locale or sample.get("locale") or "en", tz=tz, currency=currency)

    if problems := check(parts, data, formatting(data)):
        raise refused(problems)
    await db.call("record_template_check", {
        "org_id": asked.org_id, "checked_by": caller.subject,
        "fingerprint": fingerprint(asked.kind, asked.channel, asked.subject, asked.html, asked.body)})
    shown_with = asked.data if asked.data is not None else data
    if problems := check(parts, shown_with, formatting(shown_with)):
        raise refused(problems)  # the caller's own data lacks what the kind's messages carry
    out = render(parts, shown_with, formatting(shown_with))
    return Preview(subject=out.subject, html=out.html, body=out.body)
