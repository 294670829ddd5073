"""Expand into, and collapse out of, plan folders kept the field's ways: new phase files follow the
naming the folder already uses, the main file stays where it is, and collapse is the exact inverse.
Plans written for these tests (ClaudeKit-style ``plan.md`` + ``phase-01-x.md``, PIDEA-style
``NAME-index.md`` + ``NAME-phase-1.md``); today's ``NNN_x/NNN_x.md`` layout is unchanged.
"""

from __future__ import annotations

import pytest

from plansmith.plan.layout import PlanLocation, build_plan, find_plans
from plansmith.plan.transforms import collapse_phase, expand_phase
from plansmith.plan.validate import validate_plan

TASKS = "".join(f"- [ ] step {n} in `src/m{n}.py`\n" for n in range(6))

CLAUDEKIT = {
    "plans/20260110-0900-export/plan.md": (
        "---\ntitle: Export\nstatus: in-progress\n---\n\n# Export\n\n## Phases\n\n"
        "### [Phase 01: Formats](phase-01-formats.md)\nDone.\n\n"
        f"### Phase 02: Streaming\n{TASKS}\n## Risks\n- none\n"
    ),
    "plans/20260110-0900-export/phase-01-formats.md": "# Phase 01: Formats\n\n- [x] csv\n",
}
PIDEA = {
    "docs/09_roadmap/pending/high/backend/cache-fix/cache-fix-index.md": (
        "# Cache fix\r\n\r\n## Phase 1: Keys\r\nFor details, see [Phase 1](cache-fix-phase-1.md)\r\n\r\n"
        f"## Phase 2: Eviction\r\n{TASKS.replace(chr(10), chr(13) + chr(10))}"
    ),
    "docs/09_roadmap/pending/high/backend/cache-fix/cache-fix-phase-1.md": "# Phase 1: Keys\r\n",
}
OWN = {
    "specs/plans/004_sync/004_sync.md": (
        "# Sync\n\n## Metadata\n- **Structure Level**: 1\n- **Expanded Phases**: [1]\n\n"
        "### Phase 1: Pull\nFor detailed tasks, see [Phase 1 Details](phase_1_pull.md)\n\n"
        f"### Phase 2: Push\n{TASKS}"
    ),
    "specs/plans/004_sync/phase_1_pull.md": "# Phase 1: Pull\n\n- [ ] pull\n",
}


def _loc(files: dict[str, str], root: str) -> PlanLocation:
    (loc,) = find_plans(files, root)
    return loc


@pytest.mark.parametrize(
    ("files", "root", "new_file"),
    [
        (CLAUDEKIT, "plans", "plans/20260110-0900-export/phase-02-streaming.md"),
        (
            PIDEA,
            "docs/09_roadmap/pending/high/backend",
            "docs/09_roadmap/pending/high/backend/cache-fix/cache-fix-phase-2.md",
        ),
        (OWN, "specs/plans", "specs/plans/004_sync/phase_2_push.md"),
    ],
    ids=["claudekit", "pidea", "own-layout"],
)
def test_expand_follows_the_folder_naming_and_collapse_is_the_exact_inverse(
    files: dict[str, str], root: str, new_file: str
) -> None:
    loc = _loc(files, root)
    expanded = expand_phase(files, loc, 2)
    assert new_file in expanded.files
    assert expanded.location.main_path == loc.main_path  # the main file stays where it is
    assert set(files) <= set(expanded.files)
    plan = build_plan(expanded.files, expanded.location)
    assert [p.file for p in plan.phases][1] == new_file
    assert [p for p in validate_plan(plan) if p.is_error] == []
    if "\r\n" in files[loc.main_path]:
        assert "\r\n" in expanded.files[loc.main_path]
    collapsed = collapse_phase(expanded.files, expanded.location, 2)
    assert collapsed.files == files  # byte for byte
    assert collapsed.location == loc


def test_collapsing_every_phase_of_a_field_folder_keeps_the_folder() -> None:
    loc = _loc(CLAUDEKIT, "plans")
    collapsed = collapse_phase(CLAUDEKIT, loc, 1)
    assert collapsed.location.main_path == "plans/20260110-0900-export/plan.md"
    assert "plans/20260110-0900-export/phase-01-formats.md" not in collapsed.files
