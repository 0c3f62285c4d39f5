"""Where a Tessera checkout keeps things, read from the same sqitch.conf the real Sqitch CLI reads."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from tessera.errors import Refusal
from tessera.sqitch.plan import Plan, ScriptDirs, read_plan


def read_git_config(path: Path) -> dict[str, str]:
    """Flatten a git-config style file into {'section.sub.key': value}, the way Sqitch reads sqitch.conf."""
    values: dict[str, str] = {}
    section = ""
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if m := re.fullmatch(r'\[\s*([\w.-]+)(?:\s+"([^"]*)")?\s*\]', line):
            section = m.group(1).lower() + (f".{m.group(2)}" if m.group(2) is not None else "")
            continue
        if m := re.fullmatch(r"([\w-]+)\s*(?:=\s*(.*))?", line):
            value = (m.group(2) or "true").split(" #")[0].strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            values[f"{section}.{m.group(1).lower()}"] = value
            continue
        raise Refusal(f"{path.name} line {lineno}: cannot read {raw.strip()!r}; it must be git-config syntax")
    return values


@dataclass
class Project:
    root: Path

    @classmethod
    def find(cls, start: Path | None = None) -> Project:
        here = Path(os.environ.get("TESSERA_PROJECT") or start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / "sqitch.conf").is_file() and (folder / "db").is_dir():
                return cls(folder)
        raise Refusal("not inside a Tessera checkout (no sqitch.conf beside a db/ folder); cd into one")

    @cached_property
    def config(self) -> dict[str, str]:
        return read_git_config(self.root / "sqitch.conf")

    def setting(self, key: str, default: str | None = None) -> str | None:
        """A Sqitch setting as Sqitch looks it up: the pg target's section, then engine.pg, then core."""
        target = self.config.get("engine.pg.target", "")
        sections = ([f"target.{target}"] if target and not target.startswith("db:") else []) + ["engine.pg", "core"]
        for section in sections:
            if f"{section}.{key}" in self.config:
                return self.config[f"{section}.{key}"]
        return default

    def _path(self, key: str, default: str) -> Path:
        return (self.root / (self.setting(key) or default)).resolve()

    @property
    def plan_file(self) -> Path:
        return self._path("plan_file", f"{self.setting('top_dir', '.')}/sqitch.plan")

    @property
    def dirs(self) -> ScriptDirs:
        top = self.setting("top_dir", ".")
        reworked = self.setting("reworked_dir", top)
        kinds = ("deploy", "revert", "verify")
        return ScriptDirs(
            **{kind: self._path(f"{kind}_dir", f"{top}/{kind}") for kind in kinds},
            extension=self.setting("extension", "sql"),
            reworked={kind: self._path(f"reworked_{kind}_dir", f"{reworked}/{kind}") for kind in kinds},
        )

    @property
    def registry(self) -> str:
        return self.setting("registry", "sqitch")

    def plan(self, check_files: bool = True) -> Plan:
        return read_plan(self.plan_file, self.dirs, check_files=check_files)

    @property
    def functions_dir(self) -> Path:
        return self.root / "db" / "functions"

    @property
    def policies_dir(self) -> Path:
        return self.root / "db" / "policies"

    @property
    def schema_file(self) -> Path:
        return self.root / "db" / "schema.sql"

    @property
    def tests_dir(self) -> Path:
        return self.root / "db" / "tests"

    def declarative_files(self) -> list[Path]:
        """Functions before policies (policies may call functions), each folder in name order."""
        return sorted(self.functions_dir.glob("*.sql")) + sorted(self.policies_dir.glob("*.sql"))

    @property
    def state_dir(self) -> Path:
        return self.root / ".tessera"
