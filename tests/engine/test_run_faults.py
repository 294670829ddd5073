"""Whole runs under faults: SIGKILL in the middle, a user committing in a loop, random sequences."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from git_backend.helpers import make_user_dirty, snapshot_user_state
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

TASKS = "\n".join(f"- [ ] step {n} in `src/m{n}.py`, migration and security" for n in range(16))
PLAN = "# Plan\n\n" + "".join(f"### Phase {n}: Part {n}\n{TASKS}\n\n" for n in range(1, 5))
PATH = "specs/plans/001_feature.md"


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=check)


def plansmith(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "plansmith", *args], cwd=repo, capture_output=True, text=True, timeout=120
    )


def assert_healthy(repo: Path) -> None:
    assert git(repo, "fsck", "--no-progress", "--no-dangling").stdout == ""
    state = repo / ".git" / "plansmith"
    locks = [p for p in state.rglob("*.lock") if p.name not in ("worktree.lock", "daemon.lock")]
    locks += list((repo / ".git").glob("worktrees/*/index.lock")) + list((repo / ".git").glob("*.lock"))
    assert locks == []


@pytest.mark.slow
def test_sigkill_in_the_middle_of_runs_leaves_a_recoverable_repository(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo: Path = make_repo({PATH: PLAN})
    for delay in (0.05, 0.15, 0.3, 0.5):
        proc = subprocess.Popen(
            [sys.executable, "-m", "plansmith", "expand", PATH, "--auto-analysis", "--yes"],
            cwd=repo,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        git(repo, "branch", "-D", "plansmith/001_feature", check=False)
        # the next run repairs what the killed one left and succeeds
        done = plansmith(repo, "expand", PATH, "--auto-analysis", "--yes", "--json")
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["proposal"] is not None
        assert_healthy(repo)
        assert plansmith(repo, "checkpoints", "validate").returncode == 0
        git(repo, "branch", "-D", "plansmith/001_feature")


@pytest.mark.slow
def test_user_committing_in_a_loop_sees_no_git_failures(make_repo, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from plansmith.cli import main

    repo: Path = make_repo({PATH: PLAN, "notes.txt": "0\n"})
    monkeypatch.chdir(repo)
    failures: list[str] = []
    stop = threading.Event()

    def user() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            (repo / "notes.txt").write_text(f"{n}\n")
            for args in (("add", "notes.txt"), ("commit", "-qm", f"note {n}")):
                r = git(repo, *args, check=False)
                if r.returncode != 0:
                    failures.append(r.stderr)

    thread = threading.Thread(target=user)
    thread.start()
    try:
        operations = 0
        while operations < 50:
            for n in range(1, 5):
                assert main(["expand", PATH, "phase", str(n), "--yes", "--json"]) == 0
                git(repo, "branch", "-D", "plansmith/001_feature")
                operations += 1
    finally:
        stop.set()
        thread.join()
    assert failures == []
    assert_healthy(repo)


ACTIONS = st.lists(
    st.sampled_from(["expand-auto", "expand-1", "dry-run", "reject", "collapse-auto", "rerun"]),
    min_size=2,
    max_size=6,
)


@pytest.mark.slow
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS)
def test_random_sequences_of_runs_never_touch_the_users_state(make_repo, actions: list[str]) -> None:  # type: ignore[no-untyped-def]
    repo: Path = make_repo({PATH: PLAN, "src/app.py": "x = 1\n", "specs/plans/001_feature/.keep": ""})
    (repo / "specs/plans/001_feature/.keep").unlink()
    make_user_dirty(repo)
    before = snapshot_user_state(repo)
    for action in actions:
        if action == "expand-auto" or action == "rerun":
            plansmith(repo, "expand", PATH, "--auto-analysis", "--yes")
        elif action == "expand-1":
            plansmith(repo, "expand", PATH, "phase", "1", "--yes")
        elif action == "dry-run":
            plansmith(repo, "expand", PATH, "--auto-analysis", "--dry-run")
        elif action == "reject":
            plansmith(repo, "proposals", "reject", "001_feature")
        elif action == "collapse-auto":
            plansmith(repo, "collapse", PATH, "--auto-analysis", "--yes")
        assert snapshot_user_state(repo) == before, action
    assert_healthy(repo)
