"""supabase/ is generated from the plan and db/tests, and CI notices when it is stale."""

from __future__ import annotations

import re

from tessera.project import Project
from tessera.sqitch.script import statements


def test_the_committed_export_is_current(cli):
    from tests.helpers import ROOT

    run = cli(Project(ROOT), "supabase", "export", "--check")
    assert run.code == 0, run.err


def test_export_writes_one_migration_per_change_in_plan_order(project_copy: Project, cli):
    assert cli(project_copy, "supabase", "export").code == 0
    folder = project_copy.root / "supabase"
    files = sorted((folder / "migrations").iterdir())
    names = [re.fullmatch(r"(\d{14})_(.+)\.sql", f.name).group(2) for f in files]
    assert names == [c.name for c in project_copy.plan().changes]
    for path in files:
        words = [s.words for s in statements(path.read_text())]
        assert "begin" not in words and "commit" not in words, f"{path.name} keeps no transaction wrapper"
    assert 'schemas = ["api"]' in (folder / "config.toml").read_text()
    assert (folder / "tests" / "setup.psql").exists()
    assert cli(project_copy, "supabase", "export", "--check").code == 0


def test_a_stale_export_fails_the_check_until_exported_again(project_copy: Project, cli):
    deploy = project_copy.root / "db/migrations/deploy/whoami.sql"
    deploy.write_text(deploy.read_text().replace("'role'", "'role_name'"))
    (project_copy.root / "supabase/migrations/20990101000000_leftover.sql").write_text("SELECT 1;\n")
    run = cli(project_copy, "supabase", "export", "--check")
    assert run.code == 1
    assert "whoami.sql" in run.err and "extra migrations/20990101000000_leftover.sql" in run.err
    assert cli(project_copy, "supabase", "export").code == 0
    assert not (project_copy.root / "supabase/migrations/20990101000000_leftover.sql").exists()
    assert cli(project_copy, "supabase", "export", "--check").code == 0
