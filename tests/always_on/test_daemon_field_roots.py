"""The real daemon process on plans in the field's roots: a ClaudeKit-style plan folder in ``plans/``
gets its proposal (the new phase file named as the folder names them), and an uncommitted edit of a
plan in an hve-core day folder is analysed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from daemon_process import branches, pending_plans, running_daemon, status, wait_for
from git_helper import run_git as git

SMALL = "# {title}\n\n### Phase 1: Setup\n- [ ] a\n\n### Phase 2: Build\n- [ ] b\n"
GROWTH = "".join(f"- [ ] step {n} in `src/m{n}.py` (migration, security, tests)\n" for n in range(16))


FOLDER = "plans/20260110-0900-export"
PLANS = {
    f"{FOLDER}/plan.md": (
        "# Export\n\n## Phases\n\n### [Phase 01: Formats](phase-01-formats.md)\nDone.\n\n"
        "### Phase 02: Streaming\n- [ ] a\n"
    ),
    f"{FOLDER}/phase-01-formats.md": "# Phase 01: Formats\n\n- [x] csv\n",
    ".copilot-tracking/plans/2026-01-04/import.plan.md": SMALL.format(title="Import"),
    "plans/notes.md": "# Notes\n",
}


def test_the_daemon_proposes_for_a_field_folder_and_watches_day_folders(
    make_repo: Callable[..., Path],
) -> None:
    repo = make_repo(PLANS)
    with running_daemon(repo) as daemon:
        with (repo / f"{FOLDER}/plan.md").open("a") as fh:
            fh.write(GROWTH)
        git(repo, "commit", "-qam", "export plan grows")
        branch = "plansmith/20260110-0900-export"
        new_file = f"{FOLDER}/phase-02-streaming.md"

        def proposed() -> bool:
            return branch in branches(repo) and new_file in git(repo, "ls-tree", "-r", "--name-only", branch)

        assert wait_for(proposed, timeout=60), status(repo)
        day_plan = repo / ".copilot-tracking/plans/2026-01-04/import.plan.md"
        day_plan.write_text(SMALL.format(title="Import") + GROWTH)
        assert wait_for(lambda: "2026-01-04/import.plan" in pending_plans(repo)), status(repo)
        assert git(repo, "status", "--porcelain") == " M .copilot-tracking/plans/2026-01-04/import.plan.md\n"
        assert {"root": "plans", "plans": 1} in status(repo)["roots"]  # type: ignore[operator]
    assert daemon.exit_code == 0
