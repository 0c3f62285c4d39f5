"""Sqitch's PostgreSQL registry, release 1.1, written so that the real Sqitch CLI and Tessera share one history.

Table and column shapes match Sqitch's own registry (shared/reference/sqitch.md §5); every write happens on the
caller's connection, inside the caller's transaction, so a change and its registry rows commit together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg import sql

from tessera.errors import Refusal
from tessera.sqitch.plan import Change, Plan

RELEASE = 1.1
# Sqitch serialises whole runs on this session advisory lock; taking the same key keeps the two tools apart.
ADVISORY_LOCK_KEY = 75474063

_DDL = """
CREATE SCHEMA IF NOT EXISTS {s};
COMMENT ON SCHEMA {s} IS 'Sqitch database deployment metadata v1.1.';

CREATE TABLE {s}.releases (
    version         REAL        PRIMARY KEY,
    installed_at    TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    installer_name  TEXT        NOT NULL,
    installer_email TEXT        NOT NULL
);
COMMENT ON TABLE {s}.releases IS 'Registry releases installed in this database.';

CREATE TABLE {s}.projects (
    project         TEXT        PRIMARY KEY,
    uri             TEXT        NULL UNIQUE,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    creator_name    TEXT        NOT NULL,
    creator_email   TEXT        NOT NULL
);
COMMENT ON TABLE {s}.projects IS 'Projects whose changes are deployed here.';

CREATE TABLE {s}.changes (
    change_id       TEXT        PRIMARY KEY,
    script_hash     TEXT        NULL,
    change          TEXT        NOT NULL,
    project         TEXT        NOT NULL REFERENCES {s}.projects(project) ON UPDATE CASCADE,
    note            TEXT        NOT NULL DEFAULT '',
    committed_at    TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    committer_name  TEXT        NOT NULL,
    committer_email TEXT        NOT NULL,
    planned_at      TIMESTAMPTZ NOT NULL,
    planner_name    TEXT        NOT NULL,
    planner_email   TEXT        NOT NULL,
    UNIQUE (project, script_hash)
);
COMMENT ON TABLE {s}.changes IS 'Changes currently deployed, one row each.';

CREATE TABLE {s}.tags (
    tag_id          TEXT        PRIMARY KEY,
    tag             TEXT        NOT NULL,
    project         TEXT        NOT NULL REFERENCES {s}.projects(project) ON UPDATE CASCADE,
    change_id       TEXT        NOT NULL REFERENCES {s}.changes(change_id) ON UPDATE CASCADE,
    note            TEXT        NOT NULL DEFAULT '',
    committed_at    TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    committer_name  TEXT        NOT NULL,
    committer_email TEXT        NOT NULL,
    planned_at      TIMESTAMPTZ NOT NULL,
    planner_name    TEXT        NOT NULL,
    planner_email   TEXT        NOT NULL,
    UNIQUE (project, tag)
);
COMMENT ON TABLE {s}.tags IS 'Tags on deployed changes.';

CREATE TABLE {s}.dependencies (
    change_id       TEXT        NOT NULL REFERENCES {s}.changes(change_id) ON UPDATE CASCADE ON DELETE CASCADE,
    type            TEXT        NOT NULL,
    dependency      TEXT        NOT NULL,
    dependency_id   TEXT        NULL REFERENCES {s}.changes(change_id) ON UPDATE CASCADE
                    CONSTRAINT dependencies_check CHECK (
                           (type = 'require'  AND dependency_id IS NOT NULL)
                        OR (type = 'conflict' AND dependency_id IS NULL)),
    PRIMARY KEY (change_id, dependency)
);
COMMENT ON TABLE {s}.dependencies IS 'What each deployed change requires or conflicts with.';

CREATE TABLE {s}.events (
    event           TEXT        NOT NULL
                    CONSTRAINT events_event_check CHECK (event IN ('deploy', 'revert', 'fail', 'merge')),
    change_id       TEXT        NOT NULL,
    change          TEXT        NOT NULL,
    project         TEXT        NOT NULL REFERENCES {s}.projects(project) ON UPDATE CASCADE,
    note            TEXT        NOT NULL DEFAULT '',
    requires        TEXT[]      NOT NULL DEFAULT '{{}}',
    conflicts       TEXT[]      NOT NULL DEFAULT '{{}}',
    tags            TEXT[]      NOT NULL DEFAULT '{{}}',
    committed_at    TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    committer_name  TEXT        NOT NULL,
    committer_email TEXT        NOT NULL,
    planned_at      TIMESTAMPTZ NOT NULL,
    planner_name    TEXT        NOT NULL,
    planner_email   TEXT        NOT NULL,
    PRIMARY KEY (change_id, committed_at)
);
COMMENT ON TABLE {s}.events IS 'Every deploy, revert and failure, in order: the history of this database.';
"""


@dataclass
class Deployed:
    change_id: str
    change: str
    script_hash: str | None
    committed_at: datetime
    committer_name: str


@dataclass
class Identity:
    name: str
    email: str


class Registry:
    def __init__(self, conn: psycopg.Connection, schema: str, plan: Plan, who: Identity):
        self.conn, self.plan, self.who = conn, plan, who
        self.s = sql.Identifier(schema)
        self.schema = schema

    def q(self, text: str) -> sql.Composed:
        return sql.SQL(text).format(s=self.s)

    def exists(self) -> bool:
        row = self.conn.execute("SELECT to_regclass(%s)", (f'"{self.schema}".changes',)).fetchone()
        return row is not None and row[0] is not None

    def ensure(self) -> None:
        """Create the registry on first use, and record the project; refuse a registry of another release."""
        with self.conn.transaction():
            if not self.exists():
                self.conn.execute(self.q(_DDL))
                self.conn.execute(
                    self.q("INSERT INTO {s}.releases (version, installer_name, installer_email) VALUES (%s, %s, %s)"),
                    (RELEASE, self.who.name, self.who.email),
                )
            release = self.conn.execute(self.q("SELECT max(version) FROM {s}.releases")).fetchone()[0]
            if release is None or round(float(release), 1) != RELEASE:
                raise Refusal(f"the {self.schema} registry is release {release}, not {RELEASE}; "
                              "upgrade it with `sqitch upgrade` first")
            row = self.conn.execute(self.q("SELECT uri FROM {s}.projects WHERE project = %s"),
                                    (self.plan.project,)).fetchone()
            if row is None:
                self.conn.execute(
                    self.q("INSERT INTO {s}.projects (project, uri, creator_name, creator_email) "
                           "VALUES (%s, %s, %s, %s)"),
                    (self.plan.project, self.plan.uri, self.who.name, self.who.email),
                )
            elif (row[0] or None) != (self.plan.uri or None):
                raise Refusal(f"the registry knows project {self.plan.project!r} with URI {row[0]!r}, "
                              f"the plan says {self.plan.uri!r}; make the plan's %uri match")

    def deployed(self) -> list[Deployed]:
        if not self.exists():
            return []
        rows = self.conn.execute(
            self.q("SELECT change_id, change, script_hash, committed_at, committer_name FROM {s}.changes "
                   "WHERE project = %s ORDER BY committed_at, change_id"),
            (self.plan.project,),
        ).fetchall()
        return [Deployed(*r) for r in rows]

    def deployed_tags(self) -> set[str]:
        rows = self.conn.execute(self.q("SELECT tag_id FROM {s}.tags WHERE project = %s"),
                                 (self.plan.project,)).fetchall()
        return {r[0] for r in rows}

    def find_change(self, project: str, change: str | None, tag: str | None, change_id: str | None) -> str | None:
        """A deployed change of any project, resolved as Sqitch resolves a dependency (a bare name is the first
        instance; @HEAD the latest, @ROOT the earliest; change@tag the instance deployed by that tag)."""
        if change_id:
            query, params = "SELECT change_id FROM {s}.changes WHERE change_id = %s", (change_id,)
        elif change and tag == "HEAD":
            query = "SELECT change_id FROM {s}.changes WHERE project = %s AND change = %s ORDER BY committed_at DESC"
            params = (project, change)
        elif change and tag:
            query = ("SELECT c.change_id FROM {s}.changes c JOIN {s}.tags t ON c.committed_at <= t.committed_at"
                     " AND c.project = t.project WHERE c.project = %s AND c.change = %s AND t.tag = %s"
                     " ORDER BY c.committed_at DESC")
            params = (project, change, f"@{tag}")
        elif change:
            query = "SELECT change_id FROM {s}.changes WHERE project = %s AND change = %s ORDER BY committed_at"
            params = (project, change)
        elif tag in ("HEAD", "ROOT"):
            order = "DESC" if tag == "HEAD" else "ASC"
            query, params = f"SELECT change_id FROM {{s}}.changes WHERE project = %s ORDER BY committed_at {order}", (
                project,)
        else:
            query, params = "SELECT change_id FROM {s}.tags WHERE project = %s AND tag = %s", (project, f"@{tag}")
        row = self.conn.execute(self.q(query + " LIMIT 1"), params).fetchone()
        return row[0] if row else None

    def dependents(self, change_id: str, excluding: set[str]) -> list[str]:
        rows = self.conn.execute(
            self.q("SELECT d.change_id, c.project, c.change FROM {s}.dependencies d "
                   "JOIN {s}.changes c USING (change_id) WHERE d.dependency_id = %s"),
            (change_id,),
        ).fetchall()
        return [f"{p}:{c}" for cid, p, c in rows if cid not in excluding]

    # --- writes, inside the caller's transaction -------------------------------------------------------------
    def lock(self) -> None:
        self.conn.execute(self.q("LOCK TABLE {s}.changes IN EXCLUSIVE MODE"))

    def _planner(self, c: Change) -> tuple:
        return (c.planned_at, c.planner_name, c.planner_email)

    def log_tags(self, change: Change, only_new: bool = False) -> None:
        known = self.deployed_tags() if only_new else set()
        for tag in change.tags:
            if tag.id in known:
                continue
            self.conn.execute(
                self.q("INSERT INTO {s}.tags (tag_id, tag, project, change_id, note, committer_name, committer_email,"
                       " planned_at, planner_name, planner_email, committed_at)"
                       " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, clock_timestamp())"),
                (tag.id, tag.format_name, self.plan.project, change.id, tag.note, self.who.name, self.who.email,
                 datetime.strptime(tag.timestamp + "+0000", "%Y-%m-%dT%H:%M:%S%z"), tag.planner_name,
                 tag.planner_email),
            )

    def log_deploy(self, change: Change, script_hash: str, requirement_ids: dict[str, str]) -> None:
        project = self.plan.project
        self.conn.execute(
            self.q("INSERT INTO {s}.changes (change_id, script_hash, change, project, note, committer_name,"
                   " committer_email, planned_at, planner_name, planner_email, committed_at)"
                   " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, clock_timestamp())"),
            (change.id, script_hash, change.name, project, change.note, self.who.name, self.who.email,
             *self._planner(change)),
        )
        for dep in change.requires:
            self.conn.execute(
                self.q("INSERT INTO {s}.dependencies (change_id, type, dependency, dependency_id)"
                       " VALUES (%s, 'require', %s, %s)"),
                (change.id, dep.as_string(project), requirement_ids[dep.as_string(project)]),
            )
        for dep in change.conflicts:
            self.conn.execute(
                self.q("INSERT INTO {s}.dependencies (change_id, type, dependency, dependency_id)"
                       " VALUES (%s, 'conflict', %s, NULL)"),
                (change.id, dep.as_string(project)),
            )
        self.log_tags(change)
        self.log_event("deploy", change)

    def log_revert(self, change: Change) -> None:
        self.conn.execute(self.q("DELETE FROM {s}.tags WHERE change_id = %s"), (change.id,))
        self.conn.execute(self.q("DELETE FROM {s}.dependencies WHERE change_id = %s"), (change.id,))
        self.conn.execute(self.q("DELETE FROM {s}.changes WHERE change_id = %s"), (change.id,))
        self.log_event("revert", change)

    def log_event(self, event: str, change: Change) -> None:
        project = self.plan.project
        self.conn.execute(
            self.q("INSERT INTO {s}.events (event, change_id, change, project, note, tags, requires, conflicts,"
                   " committer_name, committer_email, planned_at, planner_name, planner_email, committed_at)"
                   " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, clock_timestamp())"),
            (event, change.id, change.name, project, change.note, [t.format_name for t in change.tags],
             [d.as_string(project) for d in change.requires], [d.as_string(project) for d in change.conflicts],
             self.who.name, self.who.email, *self._planner(change)),
        )
