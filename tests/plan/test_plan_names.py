"""Any plan file name works: discovery, locating, expansion into a folder named like the file, validation."""

from __future__ import annotations

import pytest

from plansmith.plan.layout import find_plans, is_item_name, locate_plan
from plansmith.plan.transforms import collapse_phase, expand_phase
from plansmith.plan.validate import validate_tree

ROOT = "specs/042_search/plans"
PLAN = "# Plan\n\n## Implementation Phases\n\n### Phase 1: A\n- [ ] a\n\n### Phase 2: B\n- [ ] b\n"


@pytest.mark.parametrize(
    "name", ["implementation-001", "test-hybrid-plan", "001-x-plan", "001_feature", "plan"]
)
def test_any_name_is_a_plan_that_expands_into_a_folder_of_its_name(name: str) -> None:
    files = {f"{ROOT}/{name}.md": PLAN}
    (loc,) = find_plans(files, ROOT)
    assert (loc.name, loc.main_path, loc.folder) == (name, f"{ROOT}/{name}.md", None)
    assert locate_plan(files, name, ROOT) == loc
    assert locate_plan(files, f"{ROOT}/{name}.md", ROOT) == loc
    change = expand_phase(files, loc, 1)
    assert change.location.main_path == f"{ROOT}/{name}/{name}.md"
    assert f"{ROOT}/{name}/phase_1_a.md" in change.created
    assert validate_tree(change.files, ROOT) == []
    (found,) = find_plans(change.files, ROOT)
    assert found == change.location
    assert locate_plan(change.files, f"{ROOT}/{name}/phase_1_a.md", ROOT) == found
    assert collapse_phase(change.files, change.location, 1).files == files


def test_files_without_phases_are_skipped_quietly_and_phase_files_are_never_plans() -> None:
    files = {
        f"{ROOT}/README.md": "# About these plans\n\nNotes.\n",
        f"{ROOT}/001-x-plan.md": PLAN,
        f"{ROOT}/phase_3_stray.md": "# Phase 3: Stray\n",
    }
    assert [loc.name for loc in find_plans(files, ROOT)] == ["001-x-plan", "README"]
    assert validate_tree(files, ROOT) == []
    assert is_item_name("phase_2_5_x") and is_item_name("stage_1") and not is_item_name("phases-plan")


def test_orphans_and_folders_without_a_main_plan_are_found_for_any_name() -> None:
    files = {
        f"{ROOT}/my-plan/my-plan.md": PLAN,
        f"{ROOT}/my-plan/phase_5a_extra.md": "# Phase 5a: Extra\n",
        f"{ROOT}/lost/phase_1_a.md": "# Phase 1: A\n",
        f"{ROOT}/archive/notes.md": "# Old notes\n",  # an ordinary folder: not a plan folder
    }
    found = {(p.path, p.code) for p in validate_tree(files, ROOT)}
    assert found == {
        (f"{ROOT}/my-plan/phase_5a_extra.md", "orphan-phase-file"),
        (f"{ROOT}/lost", "folder-without-main-plan"),
    }


def test_a_plan_file_beside_its_own_folder_is_reported() -> None:
    files = {f"{ROOT}/my-plan.md": PLAN, f"{ROOT}/my-plan/my-plan.md": PLAN}
    (loc,) = find_plans(files, ROOT)
    assert loc.folder == f"{ROOT}/my-plan"
    assert {p.code for p in validate_tree(files, ROOT)} == {"plan-file-and-folder"}
