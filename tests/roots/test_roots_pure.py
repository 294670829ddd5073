"""The pure plan-root core: patterns, which root a path is in, plan ids, proposal branch components."""

from __future__ import annotations

import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plansmith.git_backend.proposals import branch_name
from plansmith.plan.layout import PlanLocation
from plansmith.plan.roots import (
    DEFAULT_ROOTS,
    RootFolder,
    assign_ids,
    branch_component,
    could_hold_root,
    drop_nested,
    find_ref,
    first_literal_root,
    literal_prefixes,
    match_folder,
    normalise_pattern,
    normalise_patterns,
    parse_root_list,
    plan_id_of_component,
    plan_key,
    root_at,
    roots_in,
    split_root,
)

# --- patterns ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("specs/plans", "specs/plans"),
        ("./specs//plans/", "specs/plans"),
        ("specs\\*\\plans", "specs/*/plans"),
        (" .claude/specs/*/plans ", ".claude/specs/*/plans"),
    ],
)
def test_patterns_are_normalised(raw: str, normal: str) -> None:
    assert normalise_pattern(raw) == normal


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("/abs/plans", "relative"),
        ("C:/plans", "relative"),
        ("../out", "'..'"),
        ("specs/../../x", "'..'"),
        ("", "empty"),
        ("./", "empty"),
        ("*/plans", "start with a folder name"),
        ("specs/**/plans", r"'\*\*'"),
        ("specs/0*/plans", "whole folder name"),
        ("specs/?/plans", "only '*'"),
        ("specs/[ab]/plans", "only '*'"),
        (3, "string"),
    ],
)
def test_bad_patterns_say_why(raw: object, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        normalise_pattern(raw)


def test_pattern_lists_drop_duplicates_and_name_the_bad_entry() -> None:
    assert normalise_patterns(["specs/plans", "./specs/plans/", "a/*/b"]) == ("specs/plans", "a/*/b")
    with pytest.raises(ValueError, match=r"'\.\./x'"):
        normalise_patterns(["specs/plans", "../x"])
    with pytest.raises(ValueError, match="at least one"):
        normalise_patterns([])


@pytest.mark.parametrize(
    ("raw", "roots"),
    [
        ('["specs/plans", "docs/*/plans"]', ["specs/plans", "docs/*/plans"]),
        ("specs/plans, docs/*/plans,", ["specs/plans", "docs/*/plans"]),
        ("specs/plans", ["specs/plans"]),
    ],
)
def test_environment_lists_are_json_or_comma_separated(raw: str, roots: list[str]) -> None:
    assert parse_root_list(raw) == roots


@pytest.mark.parametrize("raw", ['["a", 3]', "[oops", '[["a"]]'])
def test_bad_environment_lists(raw: str) -> None:
    with pytest.raises(ValueError, match="JSON"):
        parse_root_list(raw)


def test_literal_prefixes_and_the_write_root() -> None:
    assert literal_prefixes(DEFAULT_ROOTS) == (
        ".claude/plans",
        ".claude/specs",
        ".copilot-tracking/plans",
        ".specify/specs",
        "docs/09_roadmap",
        "docs/plans",
        "plans",
        "specs",
        "thoughts/shared/plans",
    )
    assert literal_prefixes(["specs/plans", "specs-old/plans", "specs/*/plans"]) == (
        "specs",
        "specs-old/plans",
    )
    assert first_literal_root(DEFAULT_ROOTS) == "specs/plans"
    assert first_literal_root(["specs/*/plans", "docs/plans"]) == "docs/plans"
    assert first_literal_root(["specs/*/plans"]) is None


# --- matching ----------------------------------------------------------------------------------------


def test_star_matches_one_visible_folder() -> None:
    assert match_folder("specs/*/plans", "specs/042_search/plans") == ("042_search",)
    assert match_folder("specs/*/plans", "specs/a/b/plans") is None
    assert match_folder("specs/*/plans", "specs/.hidden/plans") is None
    assert match_folder("specs/plans", "specs/plans") == ()
    assert match_folder("specs/plans", "specs/plans2") is None


@pytest.mark.parametrize(
    ("path", "root", "rest"),
    [
        ("specs/plans/001_feature.md", "specs/plans", ["001_feature.md"]),
        ("specs/plans/001_feature/phase_3_db.md", "specs/plans", ["001_feature", "phase_3_db.md"]),
        ("specs/042_search/plans/001-ranking-plan.md", "specs/042_search/plans", ["001-ranking-plan.md"]),
        (".claude/specs/plans/001_x.md", ".claude/specs/plans", ["001_x.md"]),
        (".claude/specs/7_a/plans/x/x.md", ".claude/specs/7_a/plans", ["x", "x.md"]),
        # a folder matching a pattern inside another root belongs to the outer root
        ("specs/plans/plans/001_x.md", "specs/plans", ["plans", "001_x.md"]),
    ],
)
def test_split_root(path: str, root: str, rest: list[str]) -> None:
    found = split_root(path, DEFAULT_ROOTS)
    assert found is not None
    assert (found[0].path, found[1]) == (root, rest)


@pytest.mark.parametrize(
    "path",
    [
        "README.md",
        "specs/notes.md",
        "specs/042/reports/r.md",
        "specs/plans",
        "specs/a/b/plans/x.md",
        ".claude/x.md",
    ],
)
def test_paths_outside_every_root(path: str) -> None:
    assert split_root(path, DEFAULT_ROOTS) is None


def test_roots_that_may_appear() -> None:
    assert could_hold_root("specs", DEFAULT_ROOTS)
    assert could_hold_root("specs/042_new", DEFAULT_ROOTS)
    assert could_hold_root("specs/042_new/plans", DEFAULT_ROOTS)
    assert could_hold_root(".claude", DEFAULT_ROOTS)
    assert not could_hold_root("specs/042_new/reports", DEFAULT_ROOTS)
    assert not could_hold_root("specs/plans/001_x", DEFAULT_ROOTS)
    assert not could_hold_root("src", DEFAULT_ROOTS)


def test_nested_roots_are_dropped_and_ranks_kept() -> None:
    outer = RootFolder(0, "specs/plans", "specs/plans", ())
    inner = RootFolder(1, "specs/plans/plans", "specs/*/plans", ("plans",))
    topic = RootFolder(1, "specs/042/plans", "specs/*/plans", ("042",))
    assert drop_nested([inner, topic, outer]) == [outer, topic]
    assert root_at("specs/042/plans", DEFAULT_ROOTS) == topic
    assert roots_in(["specs/042/plans/a.md", "specs/plans/b.md", "src/x.py"], DEFAULT_ROOTS) == [outer, topic]


# --- ids ---------------------------------------------------------------------------------------------


def _ref_ids(paths: list[str]) -> dict[str, str]:
    found = []
    for path in paths:
        hit = split_root(path, DEFAULT_ROOTS)
        assert hit is not None
        root, rest = hit
        name = rest[0].removesuffix(".md")
        folder = f"{root.path}/{name}" if len(rest) > 1 else None
        found.append((root, PlanLocation(name, path, folder)))
    return {ref.location.main_path: ref.id for ref in assign_ids(found)}


def test_plan_ids_of_the_contract() -> None:
    assert _ref_ids(
        [
            "specs/plans/001_feature.md",
            ".claude/specs/042_search/plans/001-ranking-plan.md",
            "specs/001_git/plans/001-git-plan/001-git-plan.md",
        ]
    ) == {
        "specs/plans/001_feature.md": "001_feature",
        ".claude/specs/042_search/plans/001-ranking-plan.md": "042_search/001-ranking-plan",
        "specs/001_git/plans/001-git-plan/001-git-plan.md": "001_git/001-git-plan",
    }


def test_the_earlier_root_keeps_a_contested_id() -> None:
    ids = _ref_ids(
        [
            ".claude/specs/plans/001_x.md",
            "specs/plans/001_x.md",
            ".claude/specs/042/plans/a.md",
            "specs/042/plans/a.md",
        ]
    )
    assert ids == {
        "specs/plans/001_x.md": "001_x",
        ".claude/specs/plans/001_x.md": ".claude/specs/plans/001_x",
        "specs/042/plans/a.md": "042/a",
        ".claude/specs/042/plans/a.md": ".claude/specs/042/plans/a",
    }


def test_find_ref_takes_an_id_or_a_branch_component() -> None:
    root = RootFolder(1, "specs/042/plans", "specs/*/plans", ("042",))
    refs = assign_ids([(root, PlanLocation("a", "specs/042/plans/a.md", None))])
    assert find_ref(refs, "042/a") is refs[0]
    assert find_ref(refs, "042+a") is refs[0]
    assert find_ref(refs, "a") is None


names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="/"), min_size=1)
plain = st.from_regex(r"\A[a-z0-9][a-z0-9_-]{0,12}\Z")
roots = st.sampled_from(
    [
        RootFolder(0, "specs/plans", "specs/plans", ()),
        RootFolder(1, "specs/a/plans", "specs/*/plans", ("a",)),
        RootFolder(1, "specs/b/plans", "specs/*/plans", ("b",)),
        RootFolder(2, ".claude/specs/plans", ".claude/specs/plans", ()),
        RootFolder(3, ".claude/specs/a/plans", ".claude/specs/*/plans", ("a",)),
    ]
)


@given(st.lists(st.tuples(roots, plain), max_size=12, unique=True))
def test_ids_are_unique_and_short_unless_contested(plans: list[tuple[RootFolder, str]]) -> None:
    found = [(root, PlanLocation(name, f"{root.path}/{name}.md", None)) for root, name in plans]
    refs = assign_ids(found)
    assert len({r.id for r in refs}) == len(refs) == len(plans)
    by_key: dict[str, list[RootFolder]] = {}
    for root, name in plans:
        by_key.setdefault(plan_key(root, name), []).append(root)
    for ref in refs:
        winner = min(by_key[ref.key])
        assert (ref.id == ref.key) == (ref.root == winner)  # the earliest root keeps the short id
    branches = {f"plansmith/{r.branch_component}" for r in refs}
    assert len(branches) == len(refs)


# --- branch components -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("plan_id", "component"),
    [
        ("001_feature", "001_feature"),
        ("001-x-plan", "001-x-plan"),
        ("v1.2-plan", "v1.2-plan"),
        ("042_search/001-ranking-plan", "042_search+001-ranking-plan"),
        (".claude/specs/plans/001_x", "%2Eclaude+specs+plans+001_x"),
        ("a+b", "a%2Bb"),
        ("50%", "50%25"),
        ("x..y", "x.%2Ey"),
        ("name.lock", "name%2Elock"),
        ("a b", "a%20b"),
        ("a@{b", "a%40{b"),
    ],
)
def test_branch_components(plan_id: str, component: str) -> None:
    assert branch_component(plan_id) == component
    assert plan_id_of_component(component) == plan_id
    branch_name(component, "main", default="main")  # a valid branch name (raises otherwise)


ids = st.lists(names, min_size=1, max_size=4).map("/".join)


@given(ids)
def test_components_round_trip_and_are_one_valid_ref_component(plan_id: str) -> None:
    component = branch_component(plan_id)
    assert "/" not in component
    assert plan_id_of_component(component) == plan_id
    assert branch_name(component, "main", default="main") == f"plansmith/{component}"


@given(st.lists(ids, min_size=2, max_size=8, unique=True))
def test_no_proposal_branch_is_the_folder_of_another(plan_ids: list[str]) -> None:
    branches = [f"plansmith/{branch_component(i)}" for i in plan_ids]
    assert len(set(branches)) == len(branches)
    for a in branches:
        assert not any(b.startswith(a + "/") for b in branches)


@given(plain)
def test_ordinary_single_segment_ids_keep_their_branch(plan_id: str) -> None:
    assert branch_component(plan_id) == plan_id


@settings(max_examples=40, deadline=None)
@given(ids)
def test_git_accepts_every_component(plan_id: str) -> None:
    name = f"refs/heads/plansmith/{branch_component(plan_id)}"
    check = subprocess.run(["git", "check-ref-format", name.encode("utf-8")], capture_output=True)
    assert check.returncode == 0, name
