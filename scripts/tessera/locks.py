"""Migration safety: a new change may not take a long lock on a table that already exists without saying so.

`tessera db check` reads the deploy script of every change after CHECKED_AFTER (the changes before it were
deployed before this check existed) and finds the statements that hold an ACCESS EXCLUSIVE (or SHARE) lock on a
table while they scan, rewrite or index all of it, so that reads or writes of a populated table wait that long:

- ALTER TABLE … ADD COLUMN … NOT NULL without a DEFAULT, or with a volatile default, or GENERATED … STORED;
- ALTER TABLE … ALTER COLUMN … TYPE (a rewrite) or … SET NOT NULL (a scan);
- ALTER TABLE … ADD CHECK / FOREIGN KEY without NOT VALID (validated row by row under the lock; add it NOT VALID,
  then VALIDATE CONSTRAINT, which takes a weaker lock);
- ALTER TABLE … ADD PRIMARY KEY / UNIQUE / EXCLUDE without USING INDEX (an index built under ACCESS EXCLUSIVE);
- ALTER TABLE … SET LOGGED / UNLOGGED / TABLESPACE, VACUUM FULL, CLUSTER, REINDEX without CONCURRENTLY (rewrites);
- CREATE INDEX without CONCURRENTLY (writes wait for the whole build).

A table is new, and exempt, when the same script created it before the statement. A statement is accepted when a
comment `-- lock: ok <reason>` stands between it and the statement before (or inside it); the same comment
before the script's first statement (in its header) accepts the whole script. The reason is required.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tessera.project import Project

CHECKED_AFTER = "plpgsql_check_clean"
MARKER = re.compile(r"--\s*lock:\s*ok\b[ \t]*(\S.*)?$", re.IGNORECASE | re.MULTILINE)
_NAME = r'((?:"[^"]+"|[\w$]+)(?:\.(?:"[^"]+"|[\w$]+))?)'
VOLATILE_DEFAULT = re.compile(r"\bDEFAULT\b.*\b(gen_random_uuid|uuid_generate_v\w+|random|clock_timestamp|"
                              r"timeofday|nextval)\s*\(", re.IGNORECASE)


@dataclass(frozen=True)
class Statement:
    line: int          # where it starts, 1-based
    text: str          # without comments, whitespace collapsed
    comments: str      # the comments between the previous statement and the end of this one


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    statement: str
    why: str

    def render(self, root: Path) -> str:
        shown = self.statement if len(self.statement) <= 80 else self.statement[:77] + "..."
        try:
            path = self.path.relative_to(root)
        except ValueError:
            path = self.path
        return f"{path}:{self.line}: `{shown}` {self.why}; mark it `-- lock: ok <reason>` if that is fine"


def statements(sql: str) -> list[Statement]:
    """Split a script into statements as psql would, keeping each one's comments apart from its text."""
    out: list[Statement] = []
    text: list[str] = []
    comments: list[str] = []
    start_line: int | None = None
    i, line, n = 0, 1, len(sql)

    def flush() -> None:
        nonlocal start_line
        body = " ".join("".join(text).split())
        if body:
            out.append(Statement(start_line or line, body, "\n".join(comments)))
            comments.clear()
        text.clear()
        start_line = None

    while i < n:
        ch = sql[i]
        if sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            comments.append(sql[i:end])
            i = end
            continue
        if sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            end = n if end < 0 else end + 2
            comments.append(sql[i:end])
            line += sql.count("\n", i, end)
            text.append(" ")
            i = end
            continue
        if ch in "'\"" or (ch == "$" and (m := re.match(r"\$([A-Za-z_]\w*)?\$", sql[i:]))):
            close = m.group(0) if ch == "$" else ch
            end = sql.find(close, i + len(close))
            end = n if end < 0 else end + len(close)
            if start_line is None:
                start_line = line
            text.append(sql[i:end])
            line += sql.count("\n", i, end)
            i = end
            continue
        if ch == ";":
            flush()
        else:
            if start_line is None and not ch.isspace():
                start_line = line
            text.append(ch)
            if ch == "\n":
                line += 1
        i += 1
    flush()
    return out


def _norm(name: str) -> str:
    return name.replace('"', "").lower()


def _actions(rest: str) -> list[str]:
    """The comma-separated actions of an ALTER TABLE, commas inside parentheses and quotes kept."""
    parts, depth, current, quote = [], 0, [], ""
    for ch in rest:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def _alter_action(action: str) -> str | None:
    a = action.upper()
    if re.match(r"ADD\s+(COLUMN\s+)?", a) and not re.match(r"ADD\s+(CONSTRAINT|CHECK|FOREIGN|PRIMARY|UNIQUE|EXCLUDE)\b",
                                                          a):
        if re.search(r"\bGENERATED\s+ALWAYS\s+AS\s*\(.*\)\s*STORED\b", a):
            return "adds a stored generated column: the table is rewritten under ACCESS EXCLUSIVE"
        if VOLATILE_DEFAULT.search(action):
            return "adds a column with a volatile default: the table is rewritten under ACCESS EXCLUSIVE"
        if re.search(r"\bNOT\s+NULL\b", a) and not re.search(r"\bDEFAULT\b", a):
            return ("adds a NOT NULL column without a default: it fails on a populated table, or scans it under "
                    "ACCESS EXCLUSIVE")
        return None
    if re.match(r"ADD\s+(CONSTRAINT\s+\S+\s+)?(CHECK|FOREIGN\s+KEY)\b", a) and "NOT VALID" not in a:
        return ("adds a constraint without NOT VALID: every row is checked under the lock (add it NOT VALID, then "
                "VALIDATE CONSTRAINT)")
    if re.match(r"ADD\s+(CONSTRAINT\s+\S+\s+)?(PRIMARY\s+KEY|UNIQUE|EXCLUDE)\b", a) and "USING INDEX" not in a:
        return ("builds an index under ACCESS EXCLUSIVE (build it CONCURRENTLY first, then ADD … USING INDEX)")
    if re.match(r"ALTER\s+(COLUMN\s+)?\S+\s+(SET\s+DATA\s+)?TYPE\b", a):
        return "changes a column's type: the table is rewritten under ACCESS EXCLUSIVE"
    if re.match(r"ALTER\s+(COLUMN\s+)?\S+\s+SET\s+NOT\s+NULL\b", a):
        return ("sets NOT NULL: the table is scanned under ACCESS EXCLUSIVE (add a CHECK (… IS NOT NULL) NOT VALID "
                "and validate it first)")
    if re.match(r"SET\s+(LOGGED|UNLOGGED|TABLESPACE)\b", a):
        return "rewrites the table under ACCESS EXCLUSIVE"
    return None


def script_findings(path: Path) -> list[Finding]:
    """The long-lock statements of one deploy script that no `-- lock: ok <reason>` accepts."""
    found: list[Finding] = []
    created: set[str] = set()
    stmts = statements(path.read_text(encoding="utf-8"))
    whole_script = bool(stmts) and _marked(stmts[0].comments)
    for st in stmts:
        s = st.text
        if m := re.match(r"CREATE\s+(?:UNLOGGED\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?" + _NAME, s, re.IGNORECASE):
            created.add(_norm(m.group(1)))
            continue
        whys: list[tuple[str, str]] = []  # (table, why)
        if m := re.match(r"CREATE\s+(UNIQUE\s+)?INDEX\s+(?!CONCURRENTLY\b)(?:.*?)\bON\s+(?:ONLY\s+)?" + _NAME, s,
                         re.IGNORECASE):
            whys.append((_norm(m.group(2)), "builds an index without CONCURRENTLY: writes to the table wait for the "
                                            "whole build"))
        elif m := re.match(r"ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?" + _NAME + r"\s+(.*)", s, re.IGNORECASE):
            table = _norm(m.group(1))
            whys += [(table, why) for action in _actions(m.group(2)) if (why := _alter_action(action))]
        elif m := re.match(r"(VACUUM\s+(?:\(.*?\bFULL\b.*?\)|FULL\b)|CLUSTER\b|REINDEX\s+(?!.*\bCONCURRENTLY\b))", s,
                           re.IGNORECASE):
            whys.append(("", "rewrites or reindexes under ACCESS EXCLUSIVE"))
        for table, why in whys:
            if table and table in created:
                continue
            if whole_script or _marked(st.comments):
                continue
            where = f" ({table} existed before this change)" if table else ""
            found.append(Finding(path, st.line, s, why + where))
    return found


def _marked(comments: str) -> bool:
    return any(m.group(1) for m in MARKER.finditer(comments))


def findings(project: Project, after: str = CHECKED_AFTER) -> list[Finding]:
    """The findings of every change after `after` in the plan (all of them when it is not in the plan)."""
    plan = project.plan()
    names = [c.name for c in plan.changes]
    start = names.index(after) + 1 if after in names else 0
    out: list[Finding] = []
    for change in plan.changes[start:]:
        out += script_findings(plan.script(change, "deploy"))
    return out
