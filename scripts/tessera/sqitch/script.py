"""Preparing a Sqitch script to run inside Tessera's own transaction.

Sqitch scripts wrap their body in BEGIN; … COMMIT; (ROLLBACK; for verify) because Sqitch runs them through psql on a
connection of their own. Tessera runs the body and the registry rows in ONE transaction, so it blanks out that outer
wrapper (keeping every offset, so an error still points at the right line) and refuses anything it cannot run
faithfully: transaction control inside the body, or psql meta-commands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tessera.errors import Refusal

_OPENERS = {"begin", "begin work", "begin transaction", "start transaction"}
_CLOSERS = {"deploy": {"commit", "commit work", "commit transaction", "end", "end work", "end transaction"},
            "revert": {"commit", "commit work", "commit transaction", "end", "end work", "end transaction"},
            "verify": {"rollback", "rollback work", "rollback transaction", "abort"}}
_TX_CONTROL = re.compile(r"^(begin|start\s+transaction|commit|end|rollback|abort)\b(?!\s+(?:to|prepared)\b)")


@dataclass
class Statement:
    start: int
    end: int  # exclusive, includes the semicolon when present
    text: str  # comments removed, blanks collapsed, lower-cased

    @property
    def words(self) -> str:
        return self.text.rstrip(";").strip()


def statements(sql: str, path: Path | None = None) -> list[Statement]:
    """Top-level statements, aware of quotes, dollar quotes and comments; psql meta-commands are refused."""
    out: list[Statement] = []
    i, n = 0, len(sql)
    start = None
    plain: list[str] = []
    # As psql does: inside CREATE [OR REPLACE] FUNCTION|PROCEDURE, a BEGIN ATOMIC … END body (and CASE … END in
    # it) holds semicolons that do not end the statement.
    words: list[str] = []
    parens = depth = 0

    def flush(end: int) -> None:
        nonlocal start, plain, words, parens, depth
        text = re.sub(r"\s+", " ", "".join(plain)).strip().lower()
        if start is not None and text and text != ";":
            out.append(Statement(start, end, text))
        start, plain, words, parens, depth = None, [], [], 0, 0

    def routine_header() -> bool:
        head = words[:4]
        return head[:1] == ["create"] and (
            head[1:2] in (["function"], ["procedure"]) or (head[1:3] == ["or", "replace"] and
                                                          head[3:4] in (["function"], ["procedure"])))

    while i < n:
        c = sql[i]
        if c == "-" and sql.startswith("--", i):
            j = sql.find("\n", i)
            i = n if j < 0 else j
            plain.append(" ")
            continue
        if c == "/" and sql.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if sql.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif sql.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            i = j
            plain.append(" ")
            continue
        if c == "\\" and (i == 0 or sql[i - 1] == "\n" or sql[:i].rsplit("\n", 1)[-1].strip() == ""):
            line = sql.count("\n", 0, i) + 1
            where = f"{path.name} line {line}" if path else f"line {line}"
            raise Refusal(f"{where}: psql meta-command {sql[i:].split()[0]!r}; tessera sends scripts to the "
                          "server directly, so write it in plain SQL")
        if start is None and not c.isspace():
            start = i
        if c == "'":
            escaped = i > 0 and sql[i - 1] in "eE" and (i < 2 or not (sql[i - 2].isalnum() or sql[i - 2] == "_"))
            j = i + 1
            while j < n:
                if escaped and sql[j] == "\\":
                    j += 2
                    continue
                if sql[j] == "'":
                    if j + 1 < n and sql[j + 1] == "'":
                        j += 2
                        continue
                    break
                j += 1
            plain.append("''")
            i = j + 1
            continue
        if c == '"':
            j = sql.find('"', i + 1)
            while j >= 0 and j + 1 < n and sql[j + 1] == '"':
                j = sql.find('"', j + 2)
            j = n if j < 0 else j
            plain.append(sql[i : j + 1])
            i = j + 1
            continue
        if c == "$":
            m = re.match(r"\$([A-Za-z_\x80-\uffff][\w\x80-\uffff]*)?\$", sql[i:])
            if m and not (i > 0 and (sql[i - 1].isalnum() or sql[i - 1] == "_")):
                tag = m.group(0)
                j = sql.find(tag, i + len(tag))
                j = n if j < 0 else j + len(tag)
                plain.append(" $$ ")
                i = j
                continue
        if c == ";" and depth == 0 and parens == 0:
            plain.append(";")
            flush(i + 1)
            i += 1
            continue
        if c.isalpha() or c == "_":
            word = re.match(r"[A-Za-z_\x80-\uffff][\w$\x80-\uffff]*", sql[i:]).group(0)
            words.append(word.lower())
            if routine_header() and parens == 0:
                if words[-1] == "begin" or (words[-1] == "case" and depth >= 1):
                    depth += 1
                elif words[-1] == "end" and depth > 0:
                    depth -= 1
            plain.append(word)
            i += len(word)
            continue
        parens += (c == "(") - (c == ")")
        plain.append(c)
        i += 1
    flush(n)
    return out


def prepare(sql: str, kind: str, path: Path | None = None) -> str:
    """The script body with its outer BEGIN/COMMIT (or BEGIN/ROLLBACK for verify) blanked out."""
    stmts = statements(sql, path)
    body = list(sql)

    def blank(st: Statement) -> None:
        for k in range(st.start, st.end):
            if body[k] != "\n":
                body[k] = " "

    if stmts and stmts[0].words in _OPENERS:
        blank(stmts.pop(0))
        if stmts and stmts[-1].words in _CLOSERS[kind]:
            blank(stmts.pop())
    for st in stmts:
        if _TX_CONTROL.match(st.words):
            line = sql.count("\n", 0, st.start) + 1
            where = f"{path.name} line {line}" if path else f"line {line}"
            raise Refusal(f"{where}: {st.words.split()[0].upper()} inside the script; tessera runs each change "
                          "in one transaction, so keep transaction control to the outer BEGIN/COMMIT only")
    return "".join(body)


def line_of(sql: str, position: int | None) -> int | None:
    """1-based line of a 1-based character position reported by the server."""
    if not position:
        return None
    return sql.count("\n", 0, position - 1) + 1
