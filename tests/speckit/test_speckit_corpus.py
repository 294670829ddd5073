"""The real spec-kit feature folders of ``../shared/corpus/field/speckit`` (beside the checkout; the
tests skip with the reason when it is absent): every unit found with no configuration, its phases
read, validated as EXPECT.json says, and every inline phase expanded and collapsed back byte for byte.

The corpus is copied into a temporary folder at test time; none of its text is in the repository.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from plansmith.discovery import catalog, read_worktree
from plansmith.plan.layout import build_plan, plan_files
from plansmith.plan.roots import DEFAULT_ROOTS, PlanRef
from plansmith.plan.transforms import collapse_phase, expand_phase
from plansmith.plan.validate import validate_tree

FIELD = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "field"
SPECKIT = FIELD / "speckit"
ABSENT = (
    "the shared field corpus (../shared/corpus/field/speckit and its EXPECT.json) is not beside the checkout"
)


def _units() -> list[str]:
    if not (FIELD / "EXPECT.json").is_file():
        return ["(absent)"]
    phases: dict[str, int] = json.loads((FIELD / "EXPECT.json").read_text(encoding="utf-8"))["phases"]
    return sorted(unit for unit in phases if unit.startswith("speckit/"))


@pytest.fixture(scope="module")
def expect() -> dict[str, object]:
    if not SPECKIT.is_dir() or not (FIELD / "EXPECT.json").is_file():
        pytest.skip(ABSENT)
    doc: dict[str, object] = json.loads((FIELD / "EXPECT.json").read_text(encoding="utf-8"))
    return doc


def _repository(unit: str, tmp_path: Path) -> tuple[Path, str]:
    """A copy of the unit's repository (``speckit/<owner>__<repo>/``) and the unit's path inside it."""
    _, owner_repo, rest = unit.split("/", 2)
    copy = tmp_path / owner_repo
    shutil.copytree(SPECKIT / owner_repo, copy)
    return copy, rest


def _found(copy: Path, main_path: str) -> tuple[PlanRef, dict[str, str]]:
    roots, raw, problems = read_worktree(copy, DEFAULT_ROOTS)
    assert problems == []
    texts = {path: data.decode("utf-8") for path, data in raw.items()}
    refs = catalog(texts, roots)
    found = [r for r in refs if r.location.main_path == main_path]
    assert len(found) == 1, f"{main_path} not found with no configuration; plans: {[r.id for r in refs]}"
    return found[0], texts


@pytest.mark.parametrize("unit", _units())
def test_every_feature_folder_is_found_read_and_validated_as_expected(
    unit: str, expect: dict[str, object], tmp_path: Path
) -> None:
    copy, main_path = _repository(unit, tmp_path)
    ref, texts = _found(copy, main_path)
    assert ref.id == main_path.split("/")[-2]  # the feature folder's name
    # plan.md beside it is the design document: neither a plan of its own nor read
    assert [p for p in texts if p.startswith(f"{ref.location.folder}/")] == [main_path]
    plan = build_plan(plan_files(texts, ref.location), ref.location)
    assert len(plan.phases) == expect["phases"][unit]  # type: ignore[index]
    errors = [p for p in validate_tree(texts, ref.root.path) if p.is_error]
    if unit in expect["must_fail"]:  # type: ignore[operator]
        assert errors and {p.code for p in errors} == {"duplicate-task-id"}
        assert all(f"(first at {main_path}:" in p.message for p in errors)
    else:
        assert unit in expect["must_validate"]  # type: ignore[operator]
        assert errors == [], [p.render() for p in errors]


@pytest.mark.parametrize("unit", _units())
def test_every_inline_phase_round_trips_byte_for_byte(
    unit: str, expect: dict[str, object], tmp_path: Path
) -> None:
    copy, main_path = _repository(unit, tmp_path)
    ref, texts = _found(copy, main_path)
    files = plan_files(texts, ref.location)
    plan = build_plan(files, ref.location)
    seen = set()
    for phase in plan.phases:
        if phase.expanded or phase.number in seen:
            continue  # a duplicate id is the first one's (validation reports it)
        seen.add(phase.number)
        change = expand_phase(files, ref.location, phase.number)
        assert change.location == ref.location and change.deleted == ()
        assert set(change.modified) == {main_path}  # plan.md and the rest stay as they are
        back = collapse_phase(change.files, change.location, phase.number)
        assert back.files == files, f"phase {phase.number} of {unit} did not round-trip"
