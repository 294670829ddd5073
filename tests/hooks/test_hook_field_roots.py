"""The installed pre-commit hook on plans in the field's roots, through real ``git commit`` runs."""

from __future__ import annotations

from .helpers import commit, git, head_count, install_hooks, python_modules, write
from .test_hook_fast_path import RUN_HOOK, heavy_in

CLAUDEKIT_MAIN = (
    "# Export\n\n## Phases\n\n| # | File |\n|---|------|\n"
    "| 1 | [phase-01-formats.md](phase-01-formats.md) |\n"
    "| 2 | [phase-02-streaming.md](phase-02-streaming.md) |\n"
)
DUPLICATE = "# Import\n\n## Phase 1: Read\n- [x] a\n\n## Phase 1: Again\n- [ ] b\n\n## Phase 1: Once more\n"


def test_a_field_folder_linking_a_missing_phase_file_is_refused(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo()
    install_hooks(repo)
    write(repo, "plans/20260110-0900-export/plan.md", CLAUDEKIT_MAIN)
    write(repo, "plans/20260110-0900-export/phase-01-formats.md", "# Phase 1: Formats\n- [ ] csv\n")
    git(repo, "add", "-A")
    result = commit(repo)
    assert result.returncode == 1
    assert "plans/20260110-0900-export/plan.md:8:" in result.stderr
    assert "phase-02-streaming.md, which does not exist" in result.stderr and "[broken-link]" in result.stderr
    assert head_count(repo) == 1
    write(repo, "plans/20260110-0900-export/phase-02-streaming.md", "# Phase 2: Streaming\n- [ ] s\n")
    git(repo, "add", "-A")
    assert commit(repo).returncode == 0 and head_count(repo) == 2


def test_a_day_folder_plan_with_a_duplicate_phase_is_refused(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo()
    install_hooks(repo)
    write(repo, ".copilot-tracking/plans/2026-01-04/import.plan.md", DUPLICATE)
    git(repo, "add", "-A")
    result = commit(repo)
    assert result.returncode == 1 and "[duplicate-phase]" in result.stderr
    assert ".copilot-tracking/plans/2026-01-04/import.plan.md:" in result.stderr


def test_notes_and_valid_plans_in_the_new_roots_pass(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo()
    install_hooks(repo)
    write(repo, "plans/notes.md", "# Notes\n\nNo phases here.\n")
    write(repo, "thoughts/shared/plans/2026-01-02-auth.md", "# Auth\n\n## Phase 1: Tokens\n- [ ] t\n")
    write(repo, ".claude/plans/quiet-river.md", "# Quiet\n\n## Phase 1 - Start\n")
    git(repo, "add", "-A")
    result = commit(repo)
    assert result.returncode == 0, result.stderr
    assert head_count(repo) == 2


def test_files_that_are_not_markdown_in_a_root_take_the_fast_path(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo({"plans/broken.md": "# B\n\n## Phase 1: A\n\n## Phase 1: A\n"})
    write(repo, "plans/diagram.svg", "<svg/>\n")
    git(repo, "add", "-A")
    rc, modules = python_modules(repo, RUN_HOOK)
    assert rc == 0 and heavy_in(modules) == []
    assert {m for m in modules if m.startswith("plansmith.plan")} <= {
        "plansmith.plan",
        "plansmith.plan.roots",
        "plansmith.plan.speckit_folders",  # string rules only, as test_hook_fast_path.py allows
    }
