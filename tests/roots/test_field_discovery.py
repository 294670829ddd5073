"""The field corpus (``../shared/corpus/field``) laid out as its repositories keep it: found with no
configuration, and its expanded folders validated as EXPECT.json judges them.

Each unit (a plan file, or an expanded plan's folder) is copied into a fresh git repository at its
repository path (the unit's path without its first folder, ``owner__repo``). Nothing is configured:
the default plan roots must find it. Other people's text is read from beside the checkout, never
copied into the repository; the tests skip when the corpus is absent. The spec-kit units
(``speckit/``) belong to the spec-kit layout and are left to its tests; heading forms and the
single-file verdicts are the field-corpus parse test's (``tests/plan/test_field_corpus.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from plansmith.commands.validate import find_problems
from plansmith.discovery import catalog
from plansmith.errors import NotAPlanError
from plansmith.plan.roots import DEFAULT_ROOTS, split_root
from plansmith.workspace import open_workspace

FIELD = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "field"
EXPECT_FILE = FIELD / "EXPECT.json"
needs_field = pytest.mark.skipif(
    not EXPECT_FILE.is_file(), reason="the field corpus is not beside the checkout"
)

# Units that lie in no default root, and why (they are counted as not found in docs/benchmarks.md).
OUTSIDE_EVERY_ROOT = {
    # docs/specs/ is no convention of the field's: configure it (plans_dirs) to have it read
    "maslennikov-ig__MC-2/docs/specs/self-review-implementation-plan.md",
}
NO_PHASE = "dwebxr__aegis/.claude/plans/purring-popping-dawn.md"  # R1..R9 work items, no Phase heading
# Not read before letter ids and phase words: "Phase A" .. "Phase E", and "阶段 1" .. "阶段 3".
LETTERS_AND_WORDS = (
    "EdwardSalkeld__chatting/plans/milestone-02-telegram-integration.md",
    "Lcc622__BU2Ama/docs/plans/implementation-plan.md",
)


def _expect() -> dict[str, list[str]]:
    data: dict[str, list[str]] = json.loads(EXPECT_FILE.read_text(encoding="utf-8"))
    return data


def _units() -> list[str]:
    if not EXPECT_FILE.is_file():
        return []
    expect = _expect()
    every = expect["must_validate"] + expect["must_fail"] + expect["not_in_expect"]
    return [unit for unit in every if not unit.startswith("speckit/")]


def _lay_out(unit: str, make_repo: Callable[..., Path]) -> tuple[Path, str]:
    """A git repository holding the unit at its repository path; the repository and that path."""
    source = FIELD / unit
    rel = unit.split("/", 1)[1].rstrip("/")
    if source.is_dir():
        files = {f"{rel}/{p.name}": p.read_bytes() for p in sorted(source.iterdir()) if p.is_file()}
    else:
        files = {rel: source.read_bytes()}
    return make_repo(files), rel


def _found(repo: Path, rel: str) -> list[str]:
    ws = open_workspace(str(repo))
    return [r.id for r in ws.plans() if rel in (r.location.main_path, r.location.folder)]


@needs_field
def test_the_corpus_has_forty_units_outside_spec_kit() -> None:
    assert len(_units()) == 40


@needs_field
@pytest.mark.parametrize("unit", _units())
def test_each_unit_lies_in_a_default_root(unit: str, make_repo: Callable[..., Path]) -> None:
    repo, rel = _lay_out(unit, make_repo)
    main = next(p for p in (repo / rel).rglob("*.md")) if (repo / rel).is_dir() else repo / rel
    in_root = split_root(main.relative_to(repo).as_posix(), DEFAULT_ROOTS) is not None
    assert in_root == (unit not in OUTSIDE_EVERY_ROOT)
    if unit in OUTSIDE_EVERY_ROOT:
        return
    # A candidate by its place alone (whether it holds phases is the parser's question).
    listing = [p.relative_to(repo).as_posix() for p in repo.rglob("*.md") if ".git" not in p.parts]
    candidates = catalog(listing, patterns=DEFAULT_ROOTS)
    assert [r for r in candidates if rel in (r.location.main_path, r.location.folder)], unit


@needs_field
@pytest.mark.parametrize("unit", [u for u in _units() if (FIELD / u).is_dir()])
def test_expanded_folders_are_plans_and_validate_as_expected(
    unit: str, make_repo: Callable[..., Path]
) -> None:
    repo, rel = _lay_out(unit, make_repo)
    assert len(_found(repo, rel)) == 1, "a folder is one plan, its id the folder"
    errors = [p for p in find_problems(open_workspace(str(repo))) if p.is_error]
    expect = _expect()
    if unit in expect["must_validate"]:
        assert errors == [], [p.render() for p in errors]
    elif unit in expect["must_fail"]:
        assert errors, "a folder whose main file links phase files that do not exist must fail"
        assert all(p.code == "broken-link" and "which does not exist" in p.message for p in errors)


@needs_field
def test_the_file_without_phases_is_skipped_and_naming_it_is_not_a_plan(
    make_repo: Callable[..., Path],
) -> None:
    repo, rel = _lay_out(NO_PHASE, make_repo)
    ws = open_workspace(str(repo))
    assert ws.plans() == [] and find_problems(ws) == []
    with pytest.raises(NotAPlanError, match="no phase headings"):
        ws.locate(str(repo / rel))


@needs_field
def test_found_with_no_configuration_count(make_repo: Callable[..., Path]) -> None:
    """How many units the default roots find as plans today (docs/benchmarks.md): every folder, and
    every file whose phase headings the parser reads: all but the file without phases and the one
    outside every root (38 of 40; with the 15 spec-kit folders, 53 of 55: 51 before letter ids and
    phase words)."""
    found = []
    for unit in _units():
        repo, rel = _lay_out(unit, make_repo)
        if _found(repo, rel):
            found.append(unit)
    assert NO_PHASE not in found and not OUTSIDE_EVERY_ROOT & set(found)
    # Letter ids and the Chinese phase word (issue 16's closing note) made the last two found.
    assert set(LETTERS_AND_WORDS) <= set(found)
    assert len(found) == len(_units()) - 1 - len(OUTSIDE_EVERY_ROOT), sorted(set(_units()) - set(found))
