"""spec-kit feature folders read by the pure core: which file is the plan, its id, the phases and
their dependencies (waves), task ids, and expand/collapse beside tasks.md."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plansmith.discovery import catalog
from plansmith.plan.ids import ItemId
from plansmith.plan.layout import build_plan, find_plans
from plansmith.plan.roots import DEFAULT_ROOTS, could_hold_root, roots_in, split_root
from plansmith.plan.transforms import collapse_phase, collapse_stage, expand_phase, expand_stage
from plansmith.plan.validate import validate_tree
from plansmith.plan.waves import compute_waves

from .plans import FEATURE, OLDER_TASKS, SPECKIT_FILES, TASKS, TEMPLATE_TASKS, feature_files


def _plan(files: dict[str, str], folder: str = FEATURE):  # type: ignore[no-untyped-def]
    (loc,) = find_plans(files, folder)
    return build_plan(files, loc)


def _waves(files: dict[str, str]) -> list[list[str]]:
    plan = _plan(files)
    waves = compute_waves({p.number: list(p.dependencies) for p in plan.phases}).waves
    assert waves is not None
    return [[str(n) for n in wave] for wave in waves]


# --- which file is the plan, and its id ---------------------------------------------------------------


def test_tasks_md_is_the_one_plan_of_a_feature_folder() -> None:
    (loc,) = find_plans(feature_files(), FEATURE)
    assert (loc.name, loc.main_path, loc.folder) == ("001-photo-albums", TASKS, FEATURE)
    assert find_plans(SPECKIT_FILES, FEATURE) == []  # no tasks.md yet (only spec.md, plan.md): no plan


def test_feature_folders_are_found_with_no_configuration_beside_the_claude_specs_roots() -> None:
    listing = {
        **feature_files(),
        ".specify/specs/002-link-checker/tasks.md": OLDER_TASKS,
        ".specify/specs/002-link-checker/plan.md": "# Plan\n\n## Phase 0: Research\n",
        "specs/plans/001_feature.md": "# F\n\n### Phase 1: A\n- [ ] a\n",
        "specs/042_search/plans/001-ranking.md": "# R\n\n### Phase 1: A\n- [ ] a\n",
        "specs/042_search/notes.md": "# Notes\n\n## Phase 1: not a plan\n",
        "specs/notes.md": "# Notes\n",
        "specs/drafts/tasks.md": "# not numbered: not a feature folder\n\n## Phase 1: A\n",
    }
    refs = catalog(listing, roots_in(listing, DEFAULT_ROOTS))
    assert {r.id: r.location.main_path for r in refs} == {
        "001_feature": "specs/plans/001_feature.md",
        "042_search/001-ranking": "specs/042_search/plans/001-ranking.md",
        "001-photo-albums": TASKS,
        "002-link-checker": ".specify/specs/002-link-checker/tasks.md",
    }


def test_a_feature_folder_holds_only_its_own_files_and_never_swallows_a_topic_root() -> None:
    assert split_root(f"{FEATURE}/contracts/albums.md", DEFAULT_ROOTS) is None
    hit = split_root(f"{FEATURE}/phase_3_x.md", DEFAULT_ROOTS)
    assert hit is not None and (hit[0].path, hit[1]) == (FEATURE, ["phase_3_x.md"])
    for name in SPECKIT_FILES:  # spec.md, plan.md, ...: spec-kit's, neither read nor watched
        assert split_root(name, DEFAULT_ROOTS) is None
    # a numbered topic folder of specs/*/plans keeps its plans, even with a tasks.md of its own
    listing = {
        "specs/042-search/plans/001-ranking.md": "# R\n\n### Phase 1: A\n- [ ] a\n",
        "specs/042-search/tasks.md": TEMPLATE_TASKS,
    }
    refs = catalog(listing, roots_in(listing, DEFAULT_ROOTS))
    assert sorted(r.id for r in refs) == ["042-search", "042-search/001-ranking"]
    for path in ("specs/plans/x.md", "specs/042_search/plans/x.md"):
        hit = split_root(path, DEFAULT_ROOTS)
        assert hit is not None and hit[0].pattern in ("specs/plans", "specs/*/plans")
    assert could_hold_root("specs/042_new", DEFAULT_ROOTS) and could_hold_root("specs/003-new", DEFAULT_ROOTS)


# --- phases and dependencies -------------------------------------------------------------------------


def test_template_phases_and_their_waves() -> None:
    plan = _plan(feature_files())
    assert [(str(p.number), p.title) for p in plan.phases] == [
        ("1", "Setup (Shared Infrastructure)"),
        ("2", "Foundational (Blocking Prerequisites)"),
        ("3", "User Story 1 - Create an album (Priority: P1) 🎯 MVP"),
        ("4", "User Story 2 - Share an album (Priority: P2)"),
        ("5", "User Story 3 - Sort photos (Priority: P3)"),
        ("6", "Polish & Cross-Cutting Concerns"),
    ]
    # Setup -> Foundational -> the stories side by side -> Polish
    assert _waves(feature_files()) == [["1"], ["2"], ["3", "4", "5"], ["6"]]
    assert [t.checked for t in plan.phases[0].section.tasks] == [True, False]  # [X] is ticked
    assert validate_tree(feature_files(), FEATURE) == []


def test_the_older_template_with_decimal_phase_ids() -> None:
    files = feature_files(OLDER_TASKS)
    plan = _plan(files)
    assert [str(p.number) for p in plan.phases] == ["3.1", "3.2", "3.3", "3.4", "3.5"]
    assert plan.phases[1].title.startswith("Tests First (TDD)")
    assert validate_tree(files, FEATURE) == []  # starting at 3.1 is spec-kit's numbering, not a gap
    assert _waves(files) == [["3.1"], ["3.2"], ["3.3"], ["3.4"], ["3.5"]]  # in order: no phase bullets
    gap = OLDER_TASKS.replace("## Phase 3.1: Setup", "## Phase 1: Setup")
    assert [p.code for p in validate_tree(feature_files(gap), FEATURE)] == ["phase-gap"]
    late = "# Tasks\n\n## Phase 2: Build\n- [ ] T001 a\n\n## Phase 3: Ship\n- [ ] T002 b\n"  # phase 1 gone
    assert [p.code for p in validate_tree(feature_files(late), FEATURE)] == ["phase-gap"]


@pytest.mark.parametrize(
    ("bullets", "waves"),
    [
        # a range of story phases, and a Polish bullet that names its phase
        (
            "- **Setup (Phase 1)**: No dependencies\n- **Foundational (Phase 2)**: Depends on Setup\n"
            "- **User Stories (Phases 3-5)**: All depend on Foundational phase completion\n"
            "- **Polish (Phase 6)**: Depends on all user stories being complete\n",
            [["1"], ["2"], ["3", "4", "5"], ["6"]],
        ),
        # one bullet per story, one story waiting for another by name
        (
            "- **Setup (Phase 1)**: No dependencies\n- **Foundational (Phase 2)**: Depends on Setup\n"
            "- **User Story 1 (Phase 3)**: Depends on Foundational phase completion\n"
            "- **User Story 2 (Phase 4)**: Depends on User Story 1 - shares its service\n"
            "- **User Story 3 (Phase 5)**: Depends on Phase 2\n"
            "- **Polish (Final Phase)**: Depends on all desired user stories being complete\n",
            [["1"], ["2"], ["3", "5"], ["4"], ["6"]],
        ),
        # no Phase Dependencies section: the phases run in order, as spec-kit's /implement runs them
        ("", [["1"], ["2"], ["3"], ["4"], ["5"], ["6"]]),
    ],
)
def test_phase_dependency_bullets_as_people_write_them(bullets: str, waves: list[list[str]]) -> None:
    head, _, _ = TEMPLATE_TASKS.partition("### Phase Dependencies\n")
    text = head + ("### Phase Dependencies\n\n" + bullets if bullets else "")
    assert _waves(feature_files(text)) == waves


def test_a_phase_s_own_dependency_line_wins_and_is_read_by_name() -> None:
    own = "**Purpose**: The package skeleton\n**Dependencies**: [5]\n"
    text = TEMPLATE_TASKS.replace("**Purpose**: The package skeleton\n", own)
    plan = _plan(feature_files(text))
    assert plan.phases[0].dependencies == (ItemId(5),)
    by_name = TEMPLATE_TASKS.replace(
        "**Goal**: The owner shares an album by link\n",
        "**Goal**: The owner shares an album by link\n**Dependencies**: User Story 1 must be done first\n",
    )
    plan = _plan(feature_files(by_name))
    assert plan.phases[3].dependencies == (ItemId(3),)
    assert [
        p for p in validate_tree(feature_files(by_name), FEATURE) if p.code == "unreadable-dependencies"
    ] == []


def test_a_dependency_on_a_phase_that_does_not_exist_points_at_the_bullet() -> None:
    text = TEMPLATE_TASKS.replace("Depends on Setup completion", "Depends on Phase 9")
    problems = validate_tree(feature_files(text), FEATURE)
    line = text.splitlines().index(next(x for x in text.splitlines() if "Phase 9" in x)) + 1
    assert [(p.path, p.line, p.code) for p in problems] == [(TASKS, line, "unknown-dependency")]


# --- task ids ----------------------------------------------------------------------------------------


def test_a_task_id_used_twice_is_an_error_naming_both_lines() -> None:
    text = TEMPLATE_TASKS.replace("- [ ] T010 [US3]", "- [ ] T008 [US3]")
    problems = validate_tree(feature_files(text), FEATURE)
    lines = text.splitlines()
    first = lines.index(next(x for x in lines if x.startswith("- [ ] T008"))) + 1
    second = lines.index(next(x for x in lines if x.startswith("- [ ] T008 [US3]"))) + 1
    assert [p.render() for p in problems] == [
        f"{TASKS}:{second}: task T008 is used again (first at {TASKS}:{first}); give each task its own id "
        "[duplicate-task-id]"
    ]


@pytest.mark.parametrize(
    "extra",
    [
        "- [x] **T012** Bold ids are ids too\n",
        "### T012: A task written as a heading\n",
        "1. [X] T012 A numbered task line\n",
    ],
)
def test_every_way_of_opening_a_task_counts(extra: str) -> None:
    text = TEMPLATE_TASKS.replace("- [ ] T012 Walk through quickstart.md\n", "- [ ] T012 Walk\n" + extra)
    assert [p.code for p in validate_tree(feature_files(text), FEATURE)] == ["duplicate-task-id"]


def test_ids_cited_in_prose_or_fences_are_not_tasks() -> None:
    text = TEMPLATE_TASKS + "\nT003 blocks T004; see T005.\n- T006 before T007\n"
    assert validate_tree(feature_files(text), FEATURE) == []  # the fence repeats T005 too


def test_a_duplicate_across_an_expanded_phase_file_is_found() -> None:
    (loc,) = find_plans(feature_files(), FEATURE)
    change = expand_phase(feature_files(), loc, 4)
    (phase_file,) = change.created
    files = dict(change.files)
    files[TASKS] = files[TASKS].replace("- [ ] T010 [US3]", "- [ ] T009 [US3]")
    (problem,) = validate_tree(files, FEATURE)
    assert problem.code == "duplicate-task-id" and problem.path == phase_file
    assert f"(first at {TASKS}:" in problem.message


# --- expand and collapse beside tasks.md ---------------------------------------------------------------


@pytest.mark.parametrize("tasks", [TEMPLATE_TASKS, OLDER_TASKS], ids=["template", "older"])
def test_every_phase_expands_beside_tasks_md_and_collapses_byte_for_byte(tasks: str) -> None:
    files = feature_files(tasks)
    (loc,) = find_plans(files, FEATURE)
    for phase in _plan(files).phases:
        change = expand_phase(files, loc, phase.number)
        assert change.location == loc  # tasks.md stays where it is
        (created,) = change.created
        assert created.startswith(f"{FEATURE}/phase_{phase.number.file_token}_") and created.count("/") == 2
        assert change.modified == (TASKS,) and change.deleted == ()
        assert all(change.files[p] == text for p, text in SPECKIT_FILES.items())
        assert "- **Parent Plan**: [tasks.md](tasks.md)" in change.files[created]
        assert validate_tree(change.files, FEATURE) == [] or tasks is OLDER_TASKS
        back = collapse_phase(change.files, change.location, phase.number)
        assert back.files == files and back.location == loc


def test_collapse_keeps_tasks_md_in_a_folder_that_holds_nothing_else() -> None:
    files = {TASKS: TEMPLATE_TASKS}
    (loc,) = find_plans(files, FEATURE)
    one = expand_phase(files, loc, 2)
    two = expand_phase(one.files, one.location, 3)
    back = collapse_phase(collapse_phase(two.files, two.location, 3).files, loc, 2)
    assert back.files == files and back.location == loc


@settings(max_examples=25, deadline=None)
@given(
    crlf=st.booleans(),
    final_newline=st.booleans(),
    phases=st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=6, unique=True),
)
def test_any_set_of_phases_expands_and_collapses_back(
    crlf: bool, final_newline: bool, phases: list[int]
) -> None:
    text = TEMPLATE_TASKS if final_newline else TEMPLATE_TASKS.rstrip("\n")
    text = text.replace("\n", "\r\n") if crlf else text
    files = feature_files(text)
    (loc,) = find_plans(files, FEATURE)
    current = files
    for number in phases:
        current = expand_phase(current, loc, number).files
    assert _plan(current).level == 1
    for number in reversed(phases):
        current = collapse_phase(current, loc, number).files
    assert current == files


def test_a_phase_with_stages_expands_to_level_2_inside_the_feature_folder() -> None:
    staged = TEMPLATE_TASKS.replace("### Tests for User Story 1", "### Stage 1: Tests").replace(
        "### Implementation for User Story 1", "### Stage 2: Implementation"
    )
    files = feature_files(staged)
    (loc,) = find_plans(files, FEATURE)
    one = expand_phase(files, loc, 3)
    two = expand_stage(one.files, one.location, 3, 2)
    created = [p for p in two.files if p not in one.files]
    assert created and all(p.startswith(f"{FEATURE}/phase_3_") for p in created)
    for path in two.files:  # every file of the plan lies in the feature root; spec-kit's files do not
        hit = split_root(path, DEFAULT_ROOTS)
        assert (hit is not None and hit[0].path == FEATURE) == (path in created or path == TASKS)
    refs = catalog(two.files, roots_in(two.files, DEFAULT_ROOTS))
    (ref,) = [r for r in refs if r.id == "001-photo-albums"]
    assert build_plan(two.files, ref.location).level == 2
    back = collapse_phase(collapse_stage(two.files, loc, 3, 2).files, loc, 3)
    assert back.files == files


def test_the_example_of_the_docs_reads_as_the_docs_say() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "plan-format.md").read_text(encoding="utf-8")
    section = docs.split("## spec-kit feature folders", 1)[1]
    example = section.split("````markdown\n", 1)[1].split("````\n", 1)[0]
    files = {TASKS: example}
    assert _waves(files) == [["1"], ["2"], ["3", "4"], ["5"]]
    assert "`wave 3: phase 3, phase 4`, `wave 4: phase 5`" in section
    assert validate_tree(files, FEATURE) == []


_LABELS = [
    "Setup (Phase 1)",
    "Foundational (Phase 2)",
    "User Stories (Phase 3+)",
    "User Stories (Phases 3-5)",
    "Polish (Final Phase)",
    "User Story 2 (Phase 4)",
    "Setup",
    "Polish",
    "Nothing (Phase 9)",
]
_VALUES = [
    "No dependencies - can start at once",
    "Depends on Setup completion - BLOCKS all user stories",
    "All depend on Foundational phase completion",
    "Depends on all desired user stories being complete",
    "Depends on Phase 2",
    "Depends on User Story 1",
    "Depends on Polish",
    "whenever; no rush",
    "",
]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_LABELS), st.sampled_from(_VALUES)), max_size=8))
def test_any_bullets_change_no_line_and_never_make_a_phase_wait_for_itself(
    bullets: list[tuple[str, str]],
) -> None:
    head, _, _ = TEMPLATE_TASKS.partition("### Phase Dependencies\n")
    text = head + "### Phase Dependencies\n\n" + "".join(f"- **{a}**: {b}\n" for a, b in bullets)
    files = feature_files(text)
    plan = _plan(files)
    assert plan.main.text == text
    assert all(p.number not in p.dependencies for p in plan.phases)
    assert [p.code for p in validate_tree(files, FEATURE) if p.code == "self-dependency"] == []


def test_phases_run_in_order_only_when_the_plan_says_nothing_about_their_dependencies() -> None:
    own = OLDER_TASKS.replace(
        "## Phase 3.4: Integration\n", "## Phase 3.4: Integration\n**Dependencies**: [3.1]\n"
    )
    assert _waves(feature_files(own)) == [["3.1", "3.2", "3.3", "3.5"], ["3.4"]]
    twice = OLDER_TASKS.replace("## Phase 3.4: Integration", "## Phase 3.3: Integration")
    plan = _plan(feature_files(twice))
    assert all(p.number not in p.dependencies for p in plan.phases)
    assert [p.code for p in validate_tree(feature_files(twice), FEATURE)] == ["duplicate-phase"]
