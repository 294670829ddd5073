"""``plansmith verify``: ticks checked against a real history (backed, flagged, renames both ways), the
JSON contract, --strict, and the git process count of one run (one walk, not one process per task)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from bench_support import load as bench_support
from git_helper import run_git

from plansmith.cli import main

PLAN = "specs/plans/001_feature.md"
WRITTEN = """# Feature

## Implementation Phases

### Phase 1: Build
- [ ] implement `src/a.py`
- [ ] implement `src/b.py`
- [ ] finish `src/new.py`
- [ ] port `src/legacy.py`
- [ ] talk to the team
"""


def commit(repo: Path, files: dict[str, str], message: str) -> None:
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    run_git(repo, "add", "-A")
    run_git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def history(make_repo, monkeypatch: pytest.MonkeyPatch) -> Path:  # type: ignore[no-untyped-def]
    """The task list is written; some named files change afterwards, one never does; two are renamed."""
    repo: Path = make_repo(
        {"src/a.py": "a\n", "src/b.py": "b\n", "src/old.py": "o\n", "src/legacy.py": "l\n"}
    )
    commit(repo, {PLAN: WRITTEN}, "plan")
    commit(repo, {"src/a.py": "a2\n", "src/old.py": "o2\n"}, "work on a and old")
    run_git(repo, "mv", "src/old.py", "src/new.py")  # the task names the new name: followed backwards
    run_git(repo, "mv", "src/legacy.py", "src/modern.py")  # the task names the old name: followed forwards
    run_git(repo, "commit", "-q", "-m", "renames only")
    commit(repo, {"src/modern.py": "m2\n"}, "work on modern")
    commit(repo, {PLAN: WRITTEN.replace("- [ ]", "- [x]")}, "tick everything")
    monkeypatch.chdir(repo)
    return repo


def verify(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    code = main(["verify", *args, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_backed_ticks_are_clean_and_a_file_never_changed_is_flagged(history: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, doc = verify(capsys)
    assert code == 0
    assert doc == {
        "unbacked": [{"path": PLAN, "line": 7, "task": "implement `src/b.py`", "files": ["src/b.py"]}],
        "backed": 3,  # src/a.py; src/new.py (changed as src/old.py); src/legacy.py (changed as src/modern.py)
        "unjudged": 1,
    }


def test_strict_fails_and_the_text_names_line_and_files(history: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["verify", PLAN]) == 0
    err = capsys.readouterr().err
    assert f"{PLAN}:7: warning: ticked, but no commit after the task was written changed src/b.py" in err
    assert main(["verify", "--strict"]) == 1
    assert "1 unbacked, 3 backed" in capsys.readouterr().err
    assert verify(capsys, "--strict")[0] == 1


def test_a_commit_before_the_task_does_not_back_it(history: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    commit(
        history,
        {PLAN: WRITTEN.replace("- [ ]", "- [x]") + "- [x] tune `src/a.py` again\n"},
        "new task, ticked",
    )
    _, doc = verify(capsys)
    assert [u["task"] for u in doc["unbacked"]] == ["implement `src/b.py`", "tune `src/a.py` again"]  # type: ignore[attr-defined]


def test_one_run_starts_two_git_processes_whatever_the_number_of_tasks(history: Path, tmp_path: Path) -> None:
    many = "".join(f"- [x] touch `src/f{n}.py`\n" for n in range(100))
    commit(history, {PLAN: WRITTEN + many}, "a hundred ticked tasks")
    support = bench_support()
    counter = support.GitCounter(tmp_path / "counter")
    counter.reset()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLANSMITH_", "GIT_"))}
    result = subprocess.run(
        [sys.executable, "-m", "plansmith", "verify", "--json"],
        cwd=history,
        env=counter.env(env),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["unbacked"]) == 100  # the five tasks above are open here
    assert counter.by_command() == {"log": 2}, counter.calls()
