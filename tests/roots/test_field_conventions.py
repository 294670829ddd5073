"""Plans kept the field's ways, with no configuration: each convention's root, its plan ids, files
without phases, plan folders kept by other tools (ClaudeKit, PIDEA), and which file is a phase's.

The plans here are written for these tests, one per convention; the real ones are in
``test_field_discovery.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from plansmith.commands.validate import find_problems
from plansmith.plan.layout import PlanLocation, build_plan
from plansmith.plan.roots import DEFAULT_ROOTS, drop_nested, is_sub_pattern, root_at, split_root
from plansmith.plan.validate import validate_plan
from plansmith.workspace import open_workspace

from .helpers import git, run, run_json


def plan_text(title: str, *, front: str = "") -> str:
    return f"{front}# {title}\n\n## Phase 1: Setup\n- [ ] a\n\n## Phase 2: Build\n- [ ] b\n"


CLAUDEKIT_MAIN = """---
status: pending
---
# Search overhaul

## Phases

| # | Phase | Status | File |
|---|-------|--------|------|
| 1 | Index | done | [phase-01-index.md](./phase-01-index.md) |
| 2 | Ranking | todo | [phase-02-ranking.md](./phase-02-ranking.md) |
"""
LINKED_HEADINGS_MAIN = """# Billing cleanup

## Phases

### [Phase 01: Invoices](phase-01-invoices.md)
Short summary.

### [Phase 02: Refunds](phase-02-refunds.md)
Short summary.
"""
PIDEA_INDEX = """# Cache fix - Master Index

## Phase Breakdown
| Phase | File | Status |
|-------|------|--------|
| 1 | [Phase 1](./cache-fix-phase-1.md) | Done |
| 2 | [Phase 2](./cache-fix-phase-2.md) | Planned |
"""

# One plan in each new default root, and the id it gets.
FIELD_PLANS: dict[str, tuple[str, str]] = {
    ".claude/plans/quiet-river.md": (plan_text("Quiet river"), "quiet-river"),
    "thoughts/shared/plans/2026-01-02-auth-plan.md": (plan_text("Auth"), "2026-01-02-auth-plan"),
    ".copilot-tracking/plans/20260103-export-plan.instructions.md": (
        plan_text("Export", front="---\napplyTo: '.copilot-tracking/changes/x.md'\n---\n"),
        "20260103-export-plan.instructions",
    ),
    ".copilot-tracking/plans/2026-01-04/import.plan.md": (plan_text("Import"), "2026-01-04/import.plan"),
    "docs/plans/storage-migration.md": (plan_text("Storage"), "storage-migration"),
    "plans/milestone-07.md": (plan_text("Milestone 7"), "milestone-07"),
}
FOLDERS: dict[str, str] = {
    "plans/20260105-1200-search/plan.md": CLAUDEKIT_MAIN,
    "plans/20260105-1200-search/phase-01-index.md": "# Phase 1: Index\n\n- [x] build it\n",
    "plans/20260105-1200-search/phase-02-ranking.md": "# Phase 2: Ranking\n\n- [ ] rank it\n",
    "plans/260106-billing/plan.md": LINKED_HEADINGS_MAIN,
    "plans/260106-billing/phase-01-invoices.md": "# Phase 01: Invoices\n\n- [ ] x\n",
    "plans/260106-billing/phase-02-refunds.md": "# Phase 02: Refunds\n\n- [ ] y\n",
    "docs/09_roadmap/pending/high/backend/cache-fix/cache-fix-index.md": PIDEA_INDEX,
    "docs/09_roadmap/pending/high/backend/cache-fix/cache-fix-implementation.md": "# Implementation\n",
    "docs/09_roadmap/pending/high/backend/cache-fix/cache-fix-phase-1.md": "# Cache fix – Phase 1: A\n",
    "docs/09_roadmap/pending/high/backend/cache-fix/cache-fix-phase-2.md": "# Cache fix – Phase 2: B\n",
}
FOLDER_IDS = {
    "20260105-1200-search": "plans/20260105-1200-search/plan.md",
    "260106-billing": "plans/260106-billing/plan.md",
    "pending/high/backend/cache-fix": "docs/09_roadmap/pending/high/backend/cache-fix/cache-fix-index.md",
}
NOTES = {
    "plans/notes.md": "# Notes\n\nNothing planned here.\n",
    "docs/plans/README.md": "# Plans\n\nSee the files beside this one.\n",
    "thoughts/shared/plans/ideas.md": "# Ideas\n\n## Later\n- [ ] maybe\n",
}


@pytest.fixture
def field_repo(make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    files = {path: text for path, (text, _) in FIELD_PLANS.items()} | FOLDERS | NOTES
    repo = make_repo(files)
    monkeypatch.chdir(repo)
    return repo


def test_every_convention_is_found_with_no_configuration(field_repo: Path) -> None:
    refs = {r.id: r.location.main_path for r in open_workspace(str(field_repo)).plans()}
    expected = {pid: path for path, (_, pid) in FIELD_PLANS.items()} | FOLDER_IDS
    assert refs == expected  # notes and READMEs are no plans


def test_they_validate_and_each_root_says_how_many_plans_it_holds(
    field_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert find_problems(open_workspace(str(field_repo))) == []
    code, out, _ = run(capsys, "validate")
    assert code == 0
    assert "3 in plans" in out and "1 in .copilot-tracking/plans/2026-01-04" in out
    assert "1 in docs/09_roadmap/pending/high/backend" in out


@pytest.mark.parametrize("command", ["validate", "waves", "analyze"])
def test_naming_a_file_without_phases_is_not_a_plan(
    field_repo: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    code, _, err = run(capsys, command, "plans/notes.md")
    assert code == 1 and "Traceback" not in err
    assert "plans/notes.md: not a plan: it has no phase headings" in err
    assert "## Phase 1: Title" in err  # which headings plansmith reads
    code, doc = run_json(capsys, command, "plans/notes.md")
    assert code == 1 and doc["error"]["type"] == "not-a-plan"  # type: ignore[index]


def test_a_file_without_phases_outside_the_roots_is_not_a_plan_either(
    field_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (field_repo / "notes.md").write_text("# Notes\n")
    code, _, err = run(capsys, "waves", "notes.md")
    assert code == 1 and "not a plan" in err


def test_the_unknown_plan_hint_lists_plans_only(field_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "analyze", "nothing-here")
    assert code == 1 and "known plans:" in err
    assert "quiet-river" in err and "notes" not in err and "README" not in err and "ideas" not in err


def test_a_plan_id_of_a_day_folder_names_the_plan(
    field_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "analyze", "2026-01-04/import.plan")
    assert code == 0 and "phase_2" in out


# --- the roots themselves ----------------------------------------------------------------------------


def test_day_folders_are_roots_of_their_own() -> None:
    hit = split_root(".copilot-tracking/plans/2026-01-04/import.plan.md", DEFAULT_ROOTS)
    assert (
        hit is not None
        and hit[0].path == ".copilot-tracking/plans/2026-01-04"
        and hit[1] == ["import.plan.md"]
    )
    flat = split_root(".copilot-tracking/plans/20260103-x.md", DEFAULT_ROOTS)
    assert flat is not None and flat[0].path == ".copilot-tracking/plans"
    assert is_sub_pattern(".copilot-tracking/plans/*", ".copilot-tracking/plans")
    assert not is_sub_pattern("specs/*/plans", "specs/plans")
    assert not is_sub_pattern("specs/*/plans", "specs/*")  # spec-kit's feature folders keep theirs
    assert not is_sub_pattern(".copilot-tracking/plans/*/x", ".copilot-tracking/plans")
    outer = root_at(".copilot-tracking/plans", DEFAULT_ROOTS)
    inner = root_at(".copilot-tracking/plans/2026-01-04", DEFAULT_ROOTS)
    assert outer is not None and inner is not None
    assert drop_nested([outer, inner]) == [outer, inner]
    # ... while a folder that only happens to match another pattern stays part of its root
    nested = split_root("specs/plans/plans/001_x.md", DEFAULT_ROOTS)
    assert nested is not None and nested[0].path == "specs/plans"


# --- plan folders kept by other tools ----------------------------------------------------------------


def _folder_plan(files: dict[str, str], folder: str, main: str) -> list[str]:
    loc = PlanLocation(folder.rsplit("/", 1)[-1], f"{folder}/{main}", folder)
    return sorted(f"{p.code}:{p.message}" for p in validate_plan(build_plan(files, loc)) if p.is_error)


def test_a_missing_linked_phase_file_is_a_broken_link() -> None:
    folder = "plans/20260105-1200-search"
    files = {f"{folder}/plan.md": CLAUDEKIT_MAIN, f"{folder}/phase-01-index.md": "# Phase 1: Index\n"}
    assert _folder_plan(files, folder, "plan.md") == [
        "broken-link:links to phase-02-ranking.md, which does not exist; fix the link or restore the file"
    ]


def test_a_phase_file_the_main_file_does_not_link_is_an_orphan() -> None:
    folder = "plans/20260105-1200-search"
    files = {path: text for path, text in FOLDERS.items() if path.startswith(folder)}
    files[f"{folder}/phase-03-extra.md"] = "# Phase 3: Extra\n"
    problems = _folder_plan(files, folder, "plan.md")
    assert [p.split(":")[0] for p in problems] == ["orphan-phase-file"]


def test_linked_headings_are_expanded_phases_in_their_files() -> None:
    folder = "plans/260106-billing"
    files = {path: text for path, text in FOLDERS.items() if path.startswith(folder)}
    plan = build_plan(files, PlanLocation("260106-billing", f"{folder}/plan.md", folder))
    assert [(str(p.number), p.file) for p in plan.phases] == [
        ("1", f"{folder}/phase-01-invoices.md"),
        ("2", f"{folder}/phase-02-refunds.md"),
    ]
    assert plan.level == 1 and validate_plan(plan) == []


def test_a_folder_without_main_file_or_phases_is_no_plan(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({"plans/assets/diagram.md": "# Diagram\n", "plans/ref/README.md": "# Reference\n"})
    ws = open_workspace(str(repo))
    assert ws.plans() == [] and find_problems(ws) == []


# --- which file is a phase's -------------------------------------------------------------------------

AMBIGUOUS_MAIN = """# Orchestration

## Metadata
- **Structure Level**: 1
- **Expanded Phases**: [2]

## Implementation Phases

### Phase 1: Prepare
- [ ] a

### Phase 2: Orchestrate other phases
{link}

### Phase 3: Ship
- [ ] c
"""
PHASE_2 = "# Phase 2: Orchestrate other phases\n\n## Metadata\n- **Phase Number**: 2\n\n- [ ] run\n"
PHASE_2_5 = "# Phase 2.5: Subagent prompts\n\n## Metadata\n- **Phase Number**: 2.5\n\n- [ ] write\n"


@pytest.mark.parametrize(
    "link",
    [
        "For details, see [Phase 2](phase_2_orchestrate_other_phases.md)",
        "**File**: [phase 2](phase_2_orchestrate_other_phases.md)",
        "Objective: run the others.",  # no link: the files' own Phase Number settles it
    ],
)
def test_phase_2_is_never_matched_to_the_phase_2_5_file(link: str) -> None:
    folder = "specs/plans/070_orchestration"
    files = {
        f"{folder}/070_orchestration.md": AMBIGUOUS_MAIN.format(link=link),
        f"{folder}/phase_2_5_subagent_prompts.md": PHASE_2_5,  # sorts before phase_2_orchestrate...
        f"{folder}/phase_2_orchestrate_other_phases.md": PHASE_2,
    }
    plan = build_plan(files, PlanLocation("070_orchestration", f"{folder}/070_orchestration.md", folder))
    assert plan.phases[1].file == f"{folder}/phase_2_orchestrate_other_phases.md"
    assert f"{folder}/phase_2_5_subagent_prompts.md" in plan.stray_files


def test_a_dated_research_folder_is_nothing_but_phase_files_without_main_file_are_reported(
    make_repo: Callable[..., Path],
) -> None:
    repo = make_repo(
        {
            "plans/20260107-0800-research/researcher-01-report.md": "# Report\n",
            "plans/reports/weekly.md": "# Weekly\n",
            "plans/260108-1000-upload/phase-01-parse.md": "# Phase 1: Parse\n",
        }
    )
    ws = open_workspace(str(repo))
    assert ws.plans() == []
    problems = find_problems(ws)
    assert [(p.path, p.code) for p in problems] == [("plans/260108-1000-upload", "folder-without-main-plan")]
    assert "plan.md" in problems[0].message


def test_phases_listed_in_a_table_are_read_and_scored_but_never_moved(
    field_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = open_workspace(str(field_repo))
    plan = ws.plan("20260105-1200-search")
    assert [(str(p.number), p.file) for p in plan.phases] == [
        ("1", "plans/20260105-1200-search/phase-01-index.md"),
        ("2", "plans/20260105-1200-search/phase-02-ranking.md"),
    ]
    pidea = ws.plan("pending/high/backend/cache-fix")  # titles 'Cache fix – Phase N: ...': ids from the names
    assert [str(p.number) for p in pidea.phases] == ["1", "2"] and pidea.level == 1
    code, doc = run_json(capsys, "analyze", "20260105-1200-search")
    assert code == 0
    assert {item["recommendation"] for item in doc["items"]} == {"keep"}  # type: ignore[attr-defined]
    code, _, err = run(capsys, "collapse", "20260105-1200-search", "phase", "1", "--yes")
    assert code == 1 and "listed in the main file's table" in err and "Traceback" not in err
    assert git(field_repo, "branch", "--list", "plansmith/*") == ""
    assert git(field_repo, "status", "--porcelain") == ""
