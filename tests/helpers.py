"""Plain helpers for the tests (fixtures live in conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESSERA = str(Path(sys.executable).with_name("tessera"))


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_tessera(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120) -> Run:
    """The installed console script in a real process: exit codes and stderr exactly as a user sees them.

    An empty value in `env` removes that variable.
    """
    merged = {**os.environ, **(env or {})}
    merged = {k: v for k, v in merged.items() if v != ""}
    proc = subprocess.run([TESSERA, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=merged)
    return Run(proc.returncode, proc.stdout, proc.stderr)


# Slots whose counter differs from the places their live bookings hold: must always be empty.
COUNTER_DRIFT = """
    SELECT s.id, s.taken, coalesce(sum(b.places) FILTER (WHERE private.booking_is_live(b.status)), 0)
      FROM app.slots s LEFT JOIN app.bookings b ON b.slot_id = s.id
     GROUP BY s.id, s.taken
    HAVING s.taken <> coalesce(sum(b.places) FILTER (WHERE private.booking_is_live(b.status)), 0)"""


def stop(proc: subprocess.Popen, timeout: float = 20) -> None:
    """End a server a test started: politely, then for sure, so a stuck one never outlives the test."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
