"""The daemon respects a person's structure decision: a phase they collapsed (here by approving a
collapse they asked for) is not proposed for expansion again until its own content changes, and
``status`` and ``proposals`` say why it is left alone. The real daemon (``daemon --once``) and the real
command line as subprocesses on a temporary repository."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from git_helper import run_git as git

PLAN = "specs/plans/001_feature.md"
FOLDER = "specs/plans/001_feature"
GROWTH = "".join(f"- [ ] step {n} in `src/m{n}.py` (migration, security, tests)\n" for n in range(16))
TEXT = f"# Feature\n\n### Phase 1: Setup\n- [ ] a\n\n### Phase 2: Build\n{GROWTH}"
BRANCH = "plansmith/001_feature"


def plansmith(repo: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "plansmith", *args], cwd=repo, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def has_proposal(repo: Path) -> bool:
    return BRANCH in git(repo, "branch", "--list")


def last_result(repo: Path) -> str:
    runs = json.loads(plansmith(repo, "status", "--json"))["last_runs"]
    return str(runs[-1]["result"]) if runs else ""


def test_a_phase_collapsed_by_approval_stays_collapsed_until_its_content_changes(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo: Path = make_repo({PLAN: TEXT})
    plansmith(repo, "daemon", "--once")
    assert has_proposal(repo)  # phase 2 is heavy: expanding it is proposed
    plansmith(repo, "proposals", "approve", "001_feature")

    plansmith(repo, "daemon", "--once")  # sees phase 2 expanded (the user approved that)
    plansmith(repo, "collapse", FOLDER, "phase", "2", "--yes")  # the user wants it inline after all
    plansmith(repo, "proposals", "approve", "001_feature")
    assert (repo / PLAN).read_text() == TEXT and not has_proposal(repo)

    plansmith(repo, "daemon", "--once")
    assert not has_proposal(repo), "the daemon proposed to undo the user's collapse"
    assert last_result(repo).startswith("skipped: left alone: phase 2 scores ")
    assert "but you collapsed it; it is not expanded again until its content changes" in last_result(repo)
    listing = plansmith(repo, "proposals")
    assert "left alone (you changed their structure; proposed again when their content changes):\n" in listing
    assert f"  {FOLDER}: phase 2 collapsed by you (" in listing

    (repo / "README.md").write_text("# app\n\nunrelated work\n")
    git(repo, "add", "README.md")
    git(repo, "commit", "-qm", "unrelated work")
    plansmith(repo, "daemon", "--once")
    assert not has_proposal(repo)

    (repo / PLAN).write_text(TEXT + "- [ ] one more step in `src/extra.py`\n")  # phase 2's content changes
    git(repo, "commit", "-qam", "phase 2 grows")
    plansmith(repo, "daemon", "--once")
    assert has_proposal(repo), "changed content must be proposed again"
    assert "phase_2" in git(repo, "log", "-1", "--format=%B", BRANCH)
    assert "left alone" not in plansmith(repo, "proposals")  # the decision is void: its content changed


def test_the_daemon_logs_what_it_watches_once_and_no_missing_roots(make_repo) -> None:  # type: ignore[no-untyped-def]
    import os
    import signal
    import time

    repo: Path = make_repo({PLAN: TEXT})  # specs/plans only: no .claude/, no topic folders
    proc = subprocess.Popen(
        [sys.executable, "-m", "plansmith", "daemon"],
        cwd=repo,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while (
            time.monotonic() < deadline
            and json.loads(plansmith(repo, "status", "--json")).get("phase") != "watching"
        ):
            time.sleep(0.1)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert "does not exist yet" not in err
    watching = [line for line in err.splitlines() if "plansmith daemon watching " in line]
    assert len(watching) == 1, err
    assert ".claude/specs/plans" in watching[0] and "specs/plans" in watching[0]


def test_a_phase_collapsed_by_hand_is_left_alone_by_auto_analysis_too(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo: Path = make_repo({PLAN: TEXT})
    plansmith(repo, "expand", PLAN, "phase", "2", "--yes", "--merge")
    assert (repo / FOLDER / "phase_2_build.md").is_file()
    plansmith(repo, "expand", FOLDER, "--auto-analysis", "--json")  # looks at the plan: phase 2 expanded
    git(repo, "rm", "-rq", FOLDER)  # the user puts the phase back inline by hand
    (repo / PLAN).parent.mkdir(parents=True, exist_ok=True)
    (repo / PLAN).write_text(TEXT)
    git(repo, "add", PLAN)
    git(repo, "commit", "-qm", "keep phase 2 inline")

    doc = json.loads(plansmith(repo, "expand", PLAN, "--auto-analysis", "--json"))
    assert doc["proposal"] is None and doc["operations"] == []
    [reason] = doc["left_alone"]
    assert reason.startswith("phase 2 scores ") and reason.endswith(
        "but you collapsed it; it is not expanded again until its content changes"
    )
    assert not has_proposal(repo)
    # Naming the item is the user asking for it: the decision does not apply.
    named = json.loads(plansmith(repo, "expand", PLAN, "phase", "2", "--yes", "--json"))
    assert named["proposal"] is not None
