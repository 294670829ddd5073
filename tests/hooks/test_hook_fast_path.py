"""What the hook imports and reads: nothing heavy ever, no plan code when no plan is touched."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from plansmith.hooks.staged import read_staged_files, staged_paths

from .helpers import HEAVY, NOT_UTF8, PLAN, VALID, git, python_modules, write

RUN_HOOK = "from plansmith.commands.hooks import main_hooks\nrc = main_hooks(['run', 'pre-commit'])"


def heavy_in(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


def test_fast_path_imports_no_plan_code_and_nothing_heavy(make_repo) -> None:
    repo = make_repo({"README.md": "# x\n", PLAN: NOT_UTF8})
    write(repo, "README.md", "# changed\n")
    git(repo, "add", "README.md")
    rc, modules = python_modules(repo, RUN_HOOK)
    assert rc == 0
    assert heavy_in(modules) == []
    # Of the plan package only the pure root matcher (which paths lie in a plan root) may be loaded,
    # with the string rules of spec-kit feature folders it uses.
    plan_modules = {m for m in modules if m.startswith("plansmith.plan")}
    matcher = {"plansmith.plan", "plansmith.plan.roots", "plansmith.plan.speckit_folders"}
    assert plan_modules <= matcher, "plans were parsed on the fast path"
    assert "tomllib" not in modules  # no configuration file mentions plans_dir
    assert "argparse" not in modules  # the hook reads its few arguments itself


def test_validation_path_imports_nothing_heavy(make_repo) -> None:
    repo = make_repo()
    write(repo, PLAN, VALID)
    git(repo, "add", PLAN)
    rc, modules = python_modules(repo, RUN_HOOK)
    assert rc == 0
    assert "plansmith.plan.api" in modules
    assert heavy_in(modules) == []


def test_importtime_of_the_hook_command_as_the_script_runs_it(make_repo) -> None:
    """``python -X importtime -P -m plansmith.hooks run pre-commit``, exactly what the hook starts."""
    repo = make_repo()
    write(repo, PLAN, VALID)
    git(repo, "add", PLAN)
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-P", "-m", "plansmith.hooks", "run", "pre-commit"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    imported = set(re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)$", proc.stderr, re.MULTILINE))
    assert "plansmith.hooks.precommit" in imported
    assert heavy_in(imported) == []


def test_staged_reader_reads_the_index_named_by_git_index_file(
    make_repo, monkeypatch, tmp_path: Path
) -> None:
    repo = make_repo({"README.md": "# x\n", PLAN: VALID, "specs/plans/image.png": b"\x89PNG"})
    write(repo, PLAN, "changed in the worktree only\n")
    assert read_staged_files(repo, "specs/plans") == {PLAN: VALID.encode()}
    assert staged_paths(repo, "specs/plans") == []

    other_index = tmp_path / "other-index"
    env = {"GIT_INDEX_FILE": str(other_index)}
    subprocess.run(["git", "read-tree", "HEAD"], cwd=repo, env={**_environ(), **env}, check=True)
    write(repo, "specs/plans/002_new.md", "new\n")
    subprocess.run(["git", "add", "specs/plans"], cwd=repo, env={**_environ(), **env}, check=True)
    monkeypatch.setenv("GIT_INDEX_FILE", str(other_index))
    staged = read_staged_files(repo, "specs/plans")
    assert staged == {PLAN: b"changed in the worktree only\n", "specs/plans/002_new.md": b"new\n"}
    assert sorted(staged_paths(repo, "specs/plans")) == [PLAN, "specs/plans/002_new.md"]


def test_a_plans_folder_with_glob_characters_is_taken_literally(make_repo) -> None:
    repo = make_repo({"README.md": "# x\n", "plans[1]/001_a.md": VALID, "plans1/001_b.md": VALID})
    assert list(read_staged_files(repo, "plans[1]")) == ["plans[1]/001_a.md"]


def _environ() -> dict[str, str]:
    import os

    return dict(os.environ)
