"""The template planner: any description gives a valid plan with a safe file name."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plansmith.plan.layout import PlanLocation, build_plan, find_plans
from plansmith.plan.template import (
    description_parts,
    next_plan_number,
    plan_name,
    plan_path,
    render_plan,
)
from plansmith.plan.validate import validate_plan, validate_tree

SAFE_PATH = re.compile(r"specs/plans/\d{3,}_[a-z0-9_]{1,40}\.md")
NASTY = [
    "### Phase 2: injected",
    "\n",
    "\r\n",
    "```",
    "~~~",
    "<div>",
    "<!--",
    "**Dependencies**: [9]",
    "depends_on: [phase_7]",
    "- [x] ",
    "[COMPLETE]",
    "#### Stage 1: s",
    "## Metadata",
    "- **Structure Level**: 2",
    "$(rm -rf ~)",
    "../",
    "\x00",
    "\u2028",
    "\x85",
    "\t",
    "Phase 3:",
    ", ",
    " then ",
    "é",
    "日本",
]
descriptions = st.one_of(st.text(), st.lists(st.sampled_from(NASTY), max_size=15).map("".join))


def check(description: str, number: int = 7) -> str:
    path = plan_path("specs/plans", number, description)
    assert SAFE_PATH.fullmatch(path), path
    assert ".." not in path and "//" not in path
    text = render_plan(description, number, "2026-11-24")
    files = {path: text}
    [loc] = find_plans(files, "specs/plans")
    assert loc == PlanLocation(plan_name(number, description), path, None)
    plan = build_plan(files, loc)
    assert validate_plan(plan) == [], text
    assert validate_tree(files, "specs/plans") == []
    assert [p.number for p in plan.phases] == [1, 2, 3, 4, 5]
    assert [p.dependencies for p in plan.phases] == [(), (1,), (2,), (2,), (3, 4)]
    assert all(p.content.tasks and p.section.objective_index is not None for p in plan.phases)
    assert plan.level == 0
    return text


@settings(max_examples=300, deadline=None)
@given(descriptions, st.integers(min_value=0, max_value=12000))
def test_any_description_gives_a_valid_plan_and_a_safe_path(description: str, number: int) -> None:
    check(description, number)


def test_the_plan_holds_the_description_and_its_parts() -> None:
    text = check("add OAuth login with Google; a settings page, then docs")
    assert text.startswith("# Plan: add OAuth login with Google; a settings page, then docs\n")
    assert "- **Plan Number**: 007\n" in text and "- **Date**: 2026-11-24\n" in text
    assert "- [ ] Implement: add OAuth login with Google\n- [ ] Implement: a settings page\n" in text
    assert render_plan("x", 1, "d") == render_plan("x", 1, "d")  # deterministic


@pytest.mark.parametrize(
    ("description", "name"),
    [
        ("$(rm -rf ~)", "001_rm_rf"),
        ("", "001_plan"),
        ("日本語", "001_plan"),
        ("../../etc/passwd", "001_etc_passwd"),
        ("Ünïcödé Fix", "001_unicode_fix"),
    ],
)
def test_names_are_safe_and_never_empty(description: str, name: str) -> None:
    assert plan_name(1, description) == name


def test_next_plan_number() -> None:
    assert next_plan_number([]) == 1
    assert next_plan_number(["001_a", "007-b", "notes", "12_x", "research"]) == 8
    assert next_plan_number(["999_x"]) == 1000


def test_description_parts() -> None:
    assert description_parts("a, b; c then d, e") == ["a", "b", "c", "d"]
    assert description_parts("A, a") == ["A"]
    assert description_parts(" ") == []
