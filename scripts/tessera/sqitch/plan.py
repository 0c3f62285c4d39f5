"""Sqitch plan files: parsing, validation, script paths and the change and tag ids Sqitch computes.

The grammar, name rules, id framing and rework rules follow Sqitch 1.x exactly (facts in
shared/reference/sqitch.md), so a plan written by either tool is read the same way by both and every id matches
`sqitch plan --format raw`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tessera.errors import Refusal

SYNTAX_VERSION = "1.0.0"
RESERVED = {"HEAD", "ROOT"}

# Perl's [[:blank:]] on decoded text: tab and every Unicode space separator.
_B = "\t \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
_BLANKS = "\t \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
# Punctuation as Sqitch defines it: POSIX [:punct:] without the underscore.
_P = re.escape("-!\"#$%&'()*+,./:;<=>?@[\\]^`{|}~")
NAME = (
    rf"(?![{_P}])"  # no leading punctuation
    rf"(?:(?![~/=%^][0-9]+(?:$|[{_B}]))[^{_B}:@#\\])+"  # no symbolic-reference look-alikes, no : @ # \ or blanks
    rf"(?<![{_P}])\b"  # no trailing punctuation
)
_NAME_RE = re.compile(rf"\A{NAME}\Z")
_TIMESTAMP = r"(?P<ts>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})Z"
_LINE_RE = re.compile(
    rf"""^[{_B}]*
    (?:@|[{_B}]*(?P<op>[+-])[{_B}]*)?
    (?P<name>{NAME})[{_B}]*
    (?:\[(?P<deps>[^\]]+)\][{_B}]*)?
    (?:{_TIMESTAMP}[{_B}]*)?
    (?:(?P<planner_name>[^<]+)[{_B}]+<(?P<planner_email>[^>]+)>)?
    $""",
    re.X,
)
_TS_ANYWHERE = re.compile(_TIMESTAMP)
_NOTE_RE = re.compile(rf"[{_B}]*(?:#[{_B}]*(?P<note>.*))?$")
_BLANK_RE = re.compile(rf"^[{_B}]*(?:#.*)?$")
_PRAGMA_RE = re.compile(rf"^[{_B}]*%[{_B}]*(?P<name>[^{_B}=]+?)(?:[{_B}]*=[{_B}]*(?P<value>.+))?$")
_DEP_RE = re.compile(
    rf"""\A(?P<bang>!?)
    (?:(?P<project>{NAME}):)?
    (?:(?P<id>[0-9a-f]{{40}})|(?P<change>{NAME})(?:@(?P<ctag>{NAME}))?|@(?P<tag>{NAME}))
    \Z""",
    re.X,
)
_SHA1_LIKE = re.compile(r"^[0-9a-f]{40}")
_UNESCAPE = {"\\\\": "\\", "\\n": "\n", "\\r": "\r"}
_ESCAPE = {"\\": "\\\\", "\n": "\\n", "\r": "\\r"}


def sqitch_id(kind: str, info: str) -> str:
    """Git-style object hash: SHA-1 of '<kind> <byte length>\\0<info>' over UTF-8 bytes."""
    body = info.encode("utf-8")
    return hashlib.sha1(f"{kind} {len(body)}\0".encode() + body).hexdigest()


def valid_name(name: str) -> bool:
    return bool(_NAME_RE.match(name)) and name not in RESERVED and not _SHA1_LIKE.match(name)


def canonical_uri(uri: str) -> str:
    """The parts of Perl's URI->canonical that plans meet: lower-case scheme and host, no default port."""
    parts = urlsplit(uri)
    if not parts.scheme:
        return uri
    host = (parts.hostname or "").lower()
    netloc = parts.netloc
    if parts.hostname is not None:
        userinfo = netloc.rpartition("@")[0] + "@" if "@" in netloc else ""
        default = {"http": 80, "https": 443}.get(parts.scheme.lower())
        port = f":{parts.port}" if parts.port is not None and parts.port != default else ""
        netloc = f"{userinfo}{host}{port}"
    path = parts.path or ("/" if parts.scheme.lower() in ("http", "https") and parts.netloc else "")
    return urlunsplit((parts.scheme.lower(), netloc, path, parts.query, parts.fragment))


def escape_note(note: str) -> str:
    return re.sub(r"[\\\n\r]", lambda m: _ESCAPE[m.group(0)], note)


def _unescape_note(note: str) -> str:
    return re.sub(r"\\[\\nr]", lambda m: _UNESCAPE[m.group(0)], note.strip())


@dataclass(frozen=True)
class Dependency:
    conflicts: bool
    project: str | None
    change: str | None
    tag: str | None
    id: str | None

    @property
    def key(self) -> str:
        """`change`, `change@tag`, `@tag` or the id, without project."""
        parts = (self.change or "") + (f"@{self.tag}" if self.tag else "")
        return parts or (self.id or "")

    def as_string(self, own_project: str) -> str:
        """The form Sqitch hashes and logs: project prefix only when it names another project."""
        if self.project and self.project != own_project:
            return f"{self.project}:{self.key}"
        return self.key

    def is_external(self, own_project: str) -> bool:
        return bool(self.project) and self.project != own_project


@dataclass
class Tag:
    name: str
    timestamp: str
    planner_name: str
    planner_email: str
    note: str
    lineno: int
    change: Change
    id: str = ""

    @property
    def format_name(self) -> str:
        return f"@{self.name}"

    def info(self, project: str, uri: str | None) -> str:
        lines = [f"project {project}"]
        if uri:
            lines.append(f"uri {canonical_uri(uri)}")
        lines += [
            f"tag {self.format_name}",
            f"change {self.change.id}",
            f"planner {self.planner_name} <{self.planner_email}>",
            f"date {self.timestamp}Z",
        ]
        if _perl_true(self.note):
            lines += ["", self.note]
        return "\n".join(lines)


@dataclass
class Change:
    name: str
    timestamp: str
    planner_name: str
    planner_email: str
    note: str
    lineno: int
    index: int
    requires: list[Dependency] = field(default_factory=list)
    conflicts: list[Dependency] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)
    rework_tags: list[Tag] = field(default_factory=list)
    parent: Change | None = None
    id: str = ""

    def info(self, project: str, uri: str | None) -> str:
        lines = [f"project {project}"]
        if uri:
            lines.append(f"uri {canonical_uri(uri)}")
        lines.append(f"change {self.name}")
        if self.parent:
            lines.append(f"parent {self.parent.id}")
        lines += [f"planner {self.planner_name} <{self.planner_email}>", f"date {self.timestamp}Z"]
        if self.requires:
            lines.append("requires")
            lines += [f"  + {d.as_string(project)}" for d in self.requires]
        if self.conflicts:
            lines.append("conflicts")
            lines += [f"  - {d.as_string(project)}" for d in self.conflicts]
        if _perl_true(self.note):
            lines += ["", self.note]
        return "\n".join(lines)

    @property
    def planned_at(self) -> datetime:
        return datetime.strptime(self.timestamp, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)

    @property
    def is_reworked(self) -> bool:
        """True for an earlier instance of a change that a later plan line reworks."""
        return bool(self.rework_tags)


@dataclass
class ScriptDirs:
    deploy: Path
    revert: Path
    verify: Path
    extension: str = "sql"
    # Where the scripts of earlier, reworked instances live (Sqitch's reworked_*_dir); default: beside the others.
    reworked: dict[str, Path] = field(default_factory=dict)

    def folder(self, kind: str, reworked: bool) -> Path:
        return self.reworked.get(kind, getattr(self, kind)) if reworked else getattr(self, kind)


@dataclass
class Plan:
    path: Path
    project: str
    uri: str | None
    pragmas: dict[str, str]
    changes: list[Change]
    dirs: ScriptDirs

    def by_id(self) -> dict[str, Change]:
        return {c.id: c for c in self.changes}

    def script(self, change: Change, kind: str) -> Path:
        """deploy/revert/verify script of a change; an earlier, reworked instance uses `<name>@<tag>.sql`."""
        base = self.dirs.folder(kind, change.is_reworked)
        *folders, leaf = change.name.split("/")
        ext = f".{self.dirs.extension}"
        if change.rework_tags:
            candidates = [f"{leaf}{t.format_name}{ext}" for t in change.rework_tags]
            found = next((c for c in candidates if base.joinpath(*folders, c).exists()), candidates[0])
            return base.joinpath(*folders, found)
        return base.joinpath(*folders, leaf + ext)

    def index_of(self, spec: str) -> int | None:
        """Resolve a change spec as Sqitch does: name, name@tag, @tag, @HEAD, @ROOT, an id, with ^/~ offsets."""
        offset = 0
        m = re.search(r"(?<![" + _P + r"])([~^])(?:(\1)|([0-9]+))?\Z", spec)
        if m:
            offset = int(m.group(3)) if m.group(3) else (2 if m.group(2) else 1)
            if m.group(1) == "^":
                offset = -offset
            spec = spec[: m.start()]
        idx = self._index_of(spec)
        if idx is None:
            return None
        idx += offset
        return idx if 0 <= idx < len(self.changes) else None

    def _index_of(self, spec: str) -> int | None:
        if not self.changes:
            return None
        for c in self.changes:
            if c.id == spec or any(t.id == spec for t in c.tags):
                return c.index
        change, _, tag = spec.partition("@")
        if spec.startswith("@") or (not tag and change in RESERVED):
            tag = tag or change
            if tag == "HEAD":
                return len(self.changes) - 1
            if tag == "ROOT":
                return 0
            return next((c.index for c in self.changes if any(t.name == tag for t in c.tags)), None)
        instances = [c.index for c in self.changes if c.name == change]
        if not instances:
            return None
        if tag:
            if tag == "HEAD":
                return instances[-1]
            tag_at = self._index_of("@" + tag)
            if tag_at is None:
                raise Refusal(f"unknown tag @{tag} in {spec!r}: see `tessera db status` for the plan's tags")
            return next((i for i in reversed(instances) if i <= tag_at), None)
        if len(instances) > 1:
            options = ", ".join(
                f"{change}@{c.rework_tags[0].name}" if c.rework_tags else f"{change}@HEAD"
                for c in (self.changes[i] for i in instances)
            )
            raise Refusal(f"change {change!r} is reworked and so ambiguous: name one instance ({options})")
        return instances[0]

    def resolve_requirement(self, change: Change, dep: Dependency) -> Change | None:
        """The plan change an in-project requirement points at, as seen from `change`."""
        if dep.id:
            return self.by_id().get(dep.id)
        if dep.change and not dep.tag:
            # As Sqitch does: a bare name means the first instance of a reworked change.
            return next((c for c in self.changes[: change.index] if c.name == dep.change), None)
        idx = self.index_of(dep.key)
        return self.changes[idx] if idx is not None else None


def read_plan(path: Path, dirs: ScriptDirs, check_files: bool = True) -> Plan:
    """Parse and validate a plan file; any problem is a one-line Refusal naming file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise Refusal(f"{path} is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except FileNotFoundError:
        raise Refusal(f"no plan at {path}: write one (%project=… then a blank line) or point sqitch.conf's "
                      "plan_file at it") from None
    plan = parse_plan(text, path, dirs)
    if check_files:
        for change in plan.changes:
            for kind in ("deploy", "revert", "verify"):
                script = plan.script(change, kind)
                if not script.is_file():
                    raise Refusal(
                        f"{path.name} line {change.lineno}: change {change.name!r} has no {kind} script "
                        f"({script}); add the file or remove the change from the plan"
                    )
    return plan


def _perl_true(text: str) -> bool:
    """Sqitch leaves a note out of the hashed info when Perl deems it false: empty or exactly '0'."""
    return text not in ("", "0")


def parse_plan(text: str, path: Path, dirs: ScriptDirs) -> Plan:
    def fail(lineno: int, msg: str) -> Refusal:
        return Refusal(f"{path.name} line {lineno}: {msg}")

    # Sqitch reads line by line on "\n" only, dropping one trailing "\r".
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    pragmas: dict[str, str] = {}
    lineno = 0
    # Pragmas run until the first blank line.
    while lineno < len(lines):
        line = lines[lineno]
        lineno += 1
        if _BLANK_RE.match(line):
            if not line.strip(_BLANKS):
                break
            continue
        body = _NOTE_RE.sub("", line, count=1) if "#" in line else line
        m = _PRAGMA_RE.match(body)
        if not m:
            raise fail(lineno, "invalid pragma; pragmas start with % and a blank line separates them from changes")
        pragmas[m.group("name")] = (m.group("value") or "1").strip(_BLANKS)
    project = pragmas.get("project")
    if not project:
        raise Refusal(f"{path.name}: missing %project pragma; add '%project=<name>' at the top of the plan")
    if not _NAME_RE.match(project):
        raise Refusal(f"{path.name}: invalid project name {project!r}")
    uri = pragmas.get("uri")

    changes: list[Change] = []
    seen: dict[str, int] = {}  # names and @tags declared before the latest tag -> line (Sqitch's line_no_for)
    since_tag: dict[str, int] = {}  # change name -> line, for changes after the latest tag
    group: list[Change] = []  # the changes since the latest tag, checked together when the group closes
    last_by_name: dict[str, Change] = {}
    for raw in lines[lineno:]:
        lineno += 1
        line = raw
        if _BLANK_RE.match(line):
            continue
        note_match = _NOTE_RE.search(line)
        note = _unescape_note(note_match.group("note") or "") if note_match else ""
        body = line[: note_match.start()] if note_match else line
        is_tag = body.lstrip(_BLANKS).startswith("@")
        m = _LINE_RE.match(body)
        # A timestamp that the grammar could not reach means the name before it is malformed.
        if not m or not m.group("name") or (not m.group("ts") and _TS_ANYWHERE.search(body)):
            raise fail(
                lineno,
                "invalid name; names must not begin with punctuation, contain '@', ':', '#', '\\' or blanks, "
                "or end in punctuation or digits following punctuation",
            )
        name = m.group("name")
        if not m.group("ts") and not m.group("planner_name"):
            raise fail(lineno, "missing timestamp and planner name and email")
        if not m.group("ts"):
            raise fail(lineno, "missing timestamp (YYYY-MM-DDTHH:MM:SSZ)")
        if not m.group("planner_name"):
            raise fail(lineno, "missing planner name and email ('Name <email>')")
        if name in RESERVED:
            raise fail(lineno, f"{'@' if is_tag else ''}{name!r} is a reserved name")
        if _SHA1_LIKE.match(name):
            raise fail(lineno, f"{name!r} could be confused with a SHA1 id; rename it")
        try:
            datetime.strptime(m.group("ts"), "%Y-%m-%dT%H:%M:%S")
        except ValueError:
            raise fail(lineno, f"{m.group('ts')}Z is not a real date and time") from None
        common = dict(
            timestamp=m.group("ts"),
            planner_name=m.group("planner_name"),
            planner_email=m.group("planner_email"),
            note=note,
            lineno=lineno,
        )
        if is_tag:
            if "/" in name:
                raise fail(lineno, f"tag {name!r} contains '/', which tags may not")
            if not changes:
                raise fail(lineno, f"tag {name!r} declared without a preceding change")
            if f"@{name}" in seen:
                raise fail(lineno, f"tag {name!r} duplicates the declaration on line {seen['@' + name]}")
            if m.group("deps"):
                raise fail(lineno, "tags may not specify dependencies")
            _check_group(group, seen, project, lines, fail)
            group = []
            changes[-1].tags.append(Tag(name=name, change=changes[-1], **common))
            seen.update(since_tag)
            seen[f"@{name}"] = lineno
            since_tag.clear()
            continue
        if m.group("op") == "-":
            raise fail(lineno, f"'-{name}' is a revert line from an obsolete plan syntax; remove it")
        if name in since_tag:
            raise fail(
                lineno,
                f"change {name!r} duplicates the declaration on line {since_tag[name]}; "
                "to rework a change, tag the plan first",
            )
        change = Change(name=name, index=len(changes), parent=changes[-1] if changes else None, **common)
        seen_deps: set[str] = set()
        for spec in re.split(f"[{_B}]+", m.group("deps") or ""):
            if not spec:
                continue
            dm = _DEP_RE.match(spec)
            if not dm:
                raise fail(lineno, f"{spec!r} is not a valid dependency specification")
            if spec in seen_deps:
                raise fail(lineno, f"duplicate dependency {spec!r}")
            seen_deps.add(spec)
            dep = Dependency(
                conflicts=bool(dm.group("bang")),
                project=dm.group("project"),
                change=dm.group("change"),
                tag=dm.group("ctag") or dm.group("tag"),
                id=dm.group("id"),
            )
            (change.conflicts if dep.conflicts else change.requires).append(dep)
        if name in last_by_name:
            reworked = last_by_name[name]
            between = [t for c in reversed(changes[reworked.index + 1 :]) for t in c.tags]
            reworked.rework_tags.extend(between + reworked.tags)
        changes.append(change)
        group.append(change)
        since_tag[name] = lineno
        last_by_name[name] = change
    _check_group(group, seen, project, lines, fail)

    for change in changes:
        change.id = sqitch_id("change", change.info(project, uri))
        for tag in change.tags:
            tag.id = sqitch_id("tag", tag.info(project, uri))
    return Plan(path=path, project=project, uri=uri, pragmas=pragmas, changes=changes, dirs=dirs)


def _check_group(group: list[Change], seen: dict[str, int], project: str, lines: list[str], fail) -> None:
    """Sqitch's rule: a requirement is declared before the latest tag, or earlier in the same tag group
    (`change@tag` before that tag). Requiring a later change is refused, which also makes cycles impossible."""
    position: dict[str, int] = {}
    bad: list[tuple[Change, Dependency]] = []
    for i, change in enumerate(group, 1):
        for dep in change.requires:
            if dep.is_external(project) or dep.id:
                continue
            key = dep.key
            if re.search(r".@", key):
                name, _, tag = key.partition("@")
                ok = f"@{tag}" in seen and name in seen and seen[name] < seen[f"@{tag}"]
            else:
                ok = key in seen or key in position
            if not ok:
                bad.append((change, dep))
        position[change.name] = i
    for change, dep in bad:
        if dep.key == change.name:
            raise fail(change.lineno, f"change {change.name!r} cannot require itself")
        later = any(
            (m := _LINE_RE.match(_NOTE_RE.sub("", ln, count=1))) and m.group("name") == (dep.change or dep.tag)
            for ln in lines[change.lineno :]
        )
        if later:
            raise fail(
                change.lineno,
                f"change {change.name!r} is planned before its requirement {dep.key!r} "
                "(a dependency cycle or misordered plan); move it after that change",
            )
        raise fail(change.lineno, f"change {change.name!r} requires unknown change {dep.key!r}; fix the name or add it")


def format_change_line(
    name: str, requires: list[str], conflicts: list[str], planner_name: str, planner_email: str, note: str,
    when: datetime | None = None,
) -> str:
    when = (when or datetime.now(UTC)).astimezone(UTC)
    deps = requires + [f"!{c}" for c in conflicts]
    dep_part = f"[{' '.join(deps)}] " if deps else ""
    note_part = f" # {escape_note(note)}" if note else ""
    return f"{name} {dep_part}{when:%Y-%m-%dT%H:%M:%SZ} {planner_name} <{planner_email}>{note_part}"
