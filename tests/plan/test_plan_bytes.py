"""Bytes people have, kept byte for byte through expand and collapse: YAML front matter before the
title, CRLF line endings, no final newline, tabs, a byte order mark; new files follow the plan's line
endings, and nothing is ever written above the front matter."""

from __future__ import annotations

import pytest

from plansmith.plan.layout import PlanLocation, build_plan
from plansmith.plan.scanner import front_matter_end, split_lines
from plansmith.plan.transforms import collapse_phase, collapse_stage, expand_phase, expand_stage
from plansmith.plan.validate import validate_plan

PATH = "docs/plans/rollout.md"
LOCATION = PlanLocation("rollout", PATH, None)
PLAN = (
    "# Rollout\n\n## Phases\n\n### Phase 1: Schema\n- [ ] add the table\n\t- a detail indented with a tab\n\n"
    "### Phase 2: Handlers\n- [ ] write them\n\n#### Stage 1: Read path\n- [ ] reads\n\n"
    "#### Stage 2: Write path\n- [ ] writes\n"
)
FRONT = "---\nstatus: pending\n# owner: a YAML comment, not the title\ntags: [db, api]\n---\n\n"

VARIANTS = {
    "plain": PLAN,
    "front matter": FRONT + PLAN,
    "front matter without a title": FRONT + PLAN.replace("# Rollout\n\n", ""),
    "crlf": PLAN.replace("\n", "\r\n"),
    "no final newline": PLAN.rstrip("\n"),
    "crlf without final newline": PLAN.replace("\n", "\r\n").rstrip("\r\n"),
    "bom": "\ufeff" + PLAN,
    "bom, crlf and front matter": "\ufeff" + (FRONT + PLAN).replace("\n", "\r\n"),
}


def _endings(text: str) -> set[str]:
    return {"\r\n" if line.endswith("\r\n") else "\n" for line in split_lines(text) if line.endswith("\n")}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_phase_and_stage_round_trips_byte_for_byte(name: str) -> None:
    files = {PATH: VARIANTS[name]}
    assert validate_plan(build_plan(files, LOCATION)) == []
    for number in (1, 2):
        expanded = expand_phase(files, LOCATION, number)
        assert validate_plan(build_plan(expanded.files, expanded.location)) == []
        assert collapse_phase(expanded.files, expanded.location, number).files == files
    expanded = expand_phase(files, LOCATION, 2)
    for stage in (1, 2):
        deeper = expand_stage(expanded.files, expanded.location, 2, stage)
        assert validate_plan(build_plan(deeper.files, deeper.location)) == []
        assert collapse_stage(deeper.files, deeper.location, 2, stage).files == expanded.files


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_new_files_follow_the_plans_line_endings(name: str) -> None:
    text = VARIANTS[name]
    expanded = expand_phase({PATH: text}, LOCATION, 2)
    deeper = expand_stage(expanded.files, expanded.location, 2, 1)
    for path, written in deeper.files.items():
        assert _endings(written) == _endings(text), path


@pytest.mark.parametrize(
    "name", ["front matter", "front matter without a title", "bom, crlf and front matter"]
)
def test_front_matter_stays_the_first_thing_in_the_file(name: str) -> None:
    text = VARIANTS[name]
    front = front_matter_end(split_lines(text))
    assert front == 5
    expanded = expand_phase({PATH: text}, LOCATION, 1)
    (main,) = [t for p, t in expanded.files.items() if p.endswith("/rollout.md")]
    assert split_lines(main)[:front] == split_lines(text)[:front]
    assert "## Metadata" in main


def test_a_yaml_comment_in_front_matter_is_not_the_title() -> None:
    plan = build_plan({PATH: FRONT + PLAN}, LOCATION)
    assert plan.main.title is not None and plan.main.title.text == "Rollout"
    untitled = build_plan({PATH: VARIANTS["front matter without a title"]}, LOCATION)
    assert untitled.main.title is None and [p.number for p in untitled.phases] == [1, 2]


def test_an_unclosed_leading_rule_is_not_front_matter() -> None:
    assert front_matter_end(split_lines("---\n# Title\n\n## Phase 1: A\n")) == 0
    assert front_matter_end(split_lines("\ufeff---\r\na: 1\r\n...\r\n# T\r\n")) == 3


def test_a_bom_before_the_title_is_kept_and_the_title_still_read() -> None:
    files = {PATH: VARIANTS["bom"]}
    plan = build_plan(files, LOCATION)
    assert plan.main.title is not None and plan.main.title.text == "Rollout"
    expanded = expand_phase(files, LOCATION, 1)
    (main,) = [t for p, t in expanded.files.items() if p.endswith("/rollout.md")]
    assert main.startswith("\ufeff# Rollout\n")
