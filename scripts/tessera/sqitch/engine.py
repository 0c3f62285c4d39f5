"""Deploy, revert, verify and status over a Sqitch plan, without Perl.

Better than Sqitch where it is free: each change's script and its registry rows commit in one transaction (a
failure leaves no half-deployed change and no registry row that lies), `--verify` runs the verify script inside that
same transaction and rolls the change back when it raises, and the same advisory lock as Sqitch keeps the two tools
from running at once.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import socket
import subprocess
from collections.abc import Callable
from dataclasses import dataclass

import psycopg

from tessera.errors import Failed, Refusal
from tessera.sqitch import script as scripts
from tessera.sqitch.plan import Change, Plan
from tessera.sqitch.registry import ADVISORY_LOCK_KEY, Deployed, Identity, Registry

LOCK_WAIT_SECONDS = 60


def identity() -> Identity:
    """Who is deploying: SQITCH_FULLNAME/SQITCH_EMAIL, else git's user, else the OS user."""

    def git(key: str) -> str | None:
        try:
            out = subprocess.run(["git", "config", key], capture_output=True, text=True, timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return out.stdout.strip() or None

    user = getpass.getuser()
    name = os.environ.get("SQITCH_FULLNAME") or git("user.name") or user
    email = os.environ.get("SQITCH_EMAIL") or git("user.email") or f"{user}@{socket.gethostname()}"
    return Identity(name, email)


def sha1_file(path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()


class _RolledBack(Exception):
    pass


@dataclass
class State:
    plan: Plan
    deployed: list[Deployed]

    @property
    def count(self) -> int:
        return len(self.deployed)

    @property
    def pending(self) -> list[Change]:
        return self.plan.changes[self.count :]


class Engine:
    def __init__(self, plan: Plan, conn: psycopg.Connection, registry_schema: str = "sqitch",
                 say: Callable[[str], None] = print, who: Identity | None = None):
        if not conn.autocommit:
            raise ValueError("the engine manages its own transactions: pass an autocommit connection")
        self.plan, self.conn, self.say = plan, conn, say
        self.registry = Registry(conn, registry_schema, plan, who or identity())
        self._locked = False

    # --- reading the state ---------------------------------------------------------------------------------
    def state(self) -> State:
        """Registry against plan; refuses a registry that the plan cannot explain."""
        deployed = self.registry.deployed()
        by_id = self.plan.by_id()
        for i, row in enumerate(deployed):
            if row.change_id not in by_id:
                raise Refusal(
                    f"the registry holds change {row.change!r} ({row.change_id[:12]}) that is not in "
                    f"{self.plan.path.name}; restore that plan line or revert with the plan that deployed it"
                )
            planned = self.plan.changes[i] if i < len(self.plan.changes) else None
            if planned is None or planned.id != row.change_id:
                raise Refusal(
                    f"deployed change {row.change!r} is not at its place in {self.plan.path.name} "
                    "(the plan was reordered after deploying); restore the plan's order"
                )
            if row.script_hash:
                path = self.plan.script(planned, "deploy")
                if sha1_file(path) != row.script_hash:
                    raise Refusal(
                        f"deploy script {path.name} of deployed change {row.change!r} changed since it was "
                        "deployed; restore it and make the change in a new migration (or rework it)"
                    )
        return State(self.plan, deployed)

    # --- locking -------------------------------------------------------------------------------------------
    def lock(self) -> None:
        if self._locked:
            return
        got = self.conn.execute("SELECT pg_try_advisory_lock(%s)", (ADVISORY_LOCK_KEY,)).fetchone()[0]
        if not got:
            self.say(f"waiting up to {LOCK_WAIT_SECONDS}s for another deploy (sqitch or tessera) to finish...")
            try:
                self.conn.execute(f"SET lock_timeout = '{LOCK_WAIT_SECONDS}s'")
                self.conn.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
            except psycopg.errors.LockNotAvailable:
                raise Refusal("another deploy holds the registry lock; wait for it to finish and retry") from None
            finally:
                self.conn.execute("RESET lock_timeout")
        self._locked = True

    def unlock(self) -> None:
        if self._locked and not self.conn.closed:
            self.conn.execute("SELECT pg_advisory_unlock(%s)", (ADVISORY_LOCK_KEY,))
        self._locked = False

    # --- running scripts -----------------------------------------------------------------------------------
    def _run_script(self, change: Change, kind: str) -> None:
        path = self.plan.script(change, kind)
        text = path.read_text(encoding="utf-8")
        body = scripts.prepare(text, kind, path)
        if not body.strip():
            return
        try:
            self.conn.execute(body)
        except psycopg.Error as exc:
            line = scripts.line_of(body, _position(exc))
            where = os.path.relpath(path, self.plan.path.parent.parent) + (f" line {line}" if line else "")
            message = (exc.diag.message_primary or str(exc)).strip().splitlines()[0]
            raise ScriptError(change, kind, f"{kind} of {change.name!r} failed at {where}: {message}") from exc
        finally:
            # A script's plain SET would outlive its change on this shared connection; psql would have exited.
            if self.conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS:
                self.conn.execute("RESET ALL; RESET ROLE")

    # --- commands ------------------------------------------------------------------------------------------
    def deploy(self, to: str | None = None, verify: bool = False) -> list[Change]:
        self.lock()
        self.registry.ensure()
        state = self.state()
        target = self._target_index(to, default=len(self.plan.changes) - 1)
        if target < state.count - 1:
            raise Refusal(f"the database is already past {to!r}; use `tessera db revert --to {to}` to go back")
        todo = self.plan.changes[state.count : target + 1]
        with self.conn.transaction():
            self.registry.lock()
            for done in self.plan.changes[: state.count]:
                self.registry.log_tags(done, only_new=True)
        if not todo:
            self.say("Nothing to deploy (up to date)")
            return []
        requirements = {c.id: self._requirements(c, todo) for c in todo}
        self.say(f"Deploying {len(todo)} change(s) to {self.conn.info.dbname}:")
        for change in todo:
            script_hash = sha1_file(self.plan.script(change, "deploy"))
            try:
                with self.conn.transaction():
                    self.registry.lock()
                    self._run_script(change, "deploy")
                    if verify:
                        self._verify_in_savepoint(change)
                    self.registry.log_deploy(change, script_hash, requirements[change.id])
            except ScriptError as exc:
                with self.conn.transaction():
                    self.registry.log_event("fail", change)
                self.say(f"  - {change.name} .. not ok")
                raise Refusal(f"{exc}; nothing of it was applied, fix the script and deploy again") from None
            self.say(f"  + {change.name} .. ok")
        self.conn.execute("NOTIFY pgrst, 'reload schema'")
        return todo

    def _verify_in_savepoint(self, change: Change) -> None:
        try:
            with self.conn.transaction():
                self._run_script(change, "verify")
                raise _RolledBack
        except _RolledBack:
            pass

    def _requirements(self, change: Change, todo: list[Change]) -> dict[str, str]:
        """Each requirement's change id, from the plan or (for other projects) the registry; conflicts refuse."""
        project = self.plan.project
        ids: dict[str, str] = {}
        for dep in change.requires:
            if dep.is_external(project):
                found = self.registry.find_change(dep.project, dep.change, dep.tag, dep.id)
            else:
                planned = self.plan.resolve_requirement(change, dep)
                found = planned.id if planned else self.registry.find_change(project, None, None, dep.id)
            if not found:
                raise Refusal(f"{change.name!r} requires {dep.as_string(project)!r}, which is not deployed; "
                              "deploy that project's change first")
            ids[dep.as_string(project)] = found
        planned_names = {c.name for c in self.plan.changes[: change.index]}
        for dep in change.conflicts:
            target_project = dep.project or project
            deployed = self.registry.find_change(target_project, dep.change, dep.tag, dep.id)
            if deployed or (target_project == project and dep.change in planned_names):
                raise Refusal(f"{change.name!r} conflicts with {dep.as_string(project)!r}, which is deployed; "
                              "revert that change first")
        return ids

    def revert(self, to: str | None = None) -> list[Change]:
        self.lock()
        if not self.registry.exists():
            self.say("Nothing to revert (nothing deployed)")
            return []
        state = self.state()
        keep = self._target_index(to, default=-1) + 1 if to is not None else 0
        if keep > state.count:
            raise Refusal(f"{to!r} is not deployed yet; nothing to revert back to it")
        todo = list(reversed(self.plan.changes[keep : state.count]))
        if not todo:
            self.say("Nothing to revert")
            return []
        reverting = {c.id for c in todo}
        for change in todo:
            if others := self.registry.dependents(change.id, reverting):
                raise Refusal(f"cannot revert {change.name!r}: {', '.join(others)} require(s) it; revert those first")
        self.say(f"Reverting {len(todo)} change(s) from {self.conn.info.dbname}:")
        for change in todo:
            try:
                with self.conn.transaction():
                    self.registry.lock()
                    self._run_script(change, "revert")
                    self.registry.log_revert(change)
            except ScriptError as exc:
                with self.conn.transaction():
                    self.registry.log_event("fail", change)
                self.say(f"  - {change.name} .. not ok")
                raise Refusal(f"{exc}; the change stays deployed, fix the revert script and try again") from None
            self.say(f"  - {change.name} .. ok")
        self.conn.execute("NOTIFY pgrst, 'reload schema'")
        return todo

    def verify(self) -> None:
        state = self.state()
        if not state.deployed:
            raise Failed("nothing is deployed; run `tessera db deploy` first")
        failures = []
        self.say(f"Verifying {self.conn.info.dbname}:")
        for change in self.plan.changes[: state.count]:
            try:
                with self.conn.transaction():
                    self._run_script(change, "verify")
                    raise _RolledBack
            except _RolledBack:
                self.say(f"  * {change.name} .. ok")
            except ScriptError as exc:
                self.say(f"  * {change.name} .. not ok: {exc}")
                failures.append(change.name)
        if state.pending:
            self.say(f"  ({len(state.pending)} change(s) not deployed, not verified)")
        if failures:
            raise Failed(f"verify failed for {', '.join(failures)}; the database does not match those changes")

    def _target_index(self, spec: str | None, default: int) -> int:
        if spec is None:  # an empty name is a name, and names no change: never "everything"
            return default
        idx = self.plan.index_of(spec)
        if idx is None:
            raise Refusal(f"unknown change {spec!r}; name a change or @tag from {self.plan.path.name}")
        return idx


class ScriptError(Exception):
    def __init__(self, change: Change, kind: str, message: str):
        super().__init__(message)
        self.change, self.kind = change, kind


def _position(exc: psycopg.Error) -> int | None:
    pos = exc.diag.statement_position
    return int(pos) if pos else None
