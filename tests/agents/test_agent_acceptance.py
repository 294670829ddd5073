"""check_elaboration, snapshot_tree, parse_estimate and the prompt templates, without running programs."""

from __future__ import annotations

from pathlib import Path

import pytest
from agent_fakes import PHASE, same_item, tasks_of

from plansmith.agents import changed_paths, check_elaboration, parse_estimate, render_prompt, snapshot_tree
from plansmith.agents.prompts import template_text
from plansmith.config import ROLES
from plansmith.errors import AgentError

T = "phase_2.md"


def check(after: str | None, changed: set[str] | None = None, exit_code: int | None = 0) -> list[str]:
    return check_elaboration(
        PHASE,
        after,
        {T} if changed is None else changed,
        T,
        same_item=same_item,
        tasks_of=tasks_of,
        exit_code=exit_code,
    )


def test_adding_tasks_and_text_is_accepted() -> None:
    assert check(PHASE + "- [ ] One more\n\nSome notes.\n") == []


def test_ticking_a_box_and_reformatting_whitespace_is_accepted() -> None:
    after = PHASE.replace("- [ ] Issue tokens on login", "- [x]   Issue  tokens on login")
    assert check(after) == []


def test_unchanged_target_is_accepted() -> None:
    assert check(PHASE, changed=set()) == []


def test_each_rule_gives_its_reason() -> None:
    assert check(PHASE, exit_code=1) == ["the agent exited with status 1"]
    assert check(PHASE, changed={T, "other.md"}) == [f"files other than {T} changed: other.md"]
    assert check(None) == [f"{T} was deleted"]
    assert check(PHASE.replace("Phase 2", "Phase 3")) == [f"{T} is no longer the same phase/stage"]
    assert check(PHASE.replace("- [ ] Issue tokens on login\n", "")) == [
        "task dropped: 'Issue tokens on login'"
    ]
    assert check(PHASE.replace("- [x]", "- [ ]")) == ["ticked task unticked: 'Choose a token format'"]


def test_duplicate_tasks_are_counted() -> None:
    before = "# Phase 1: X\n- [ ] same\n- [ ] same\n"
    reasons = check_elaboration(
        before, "# Phase 1: X\n- [ ] same\n", {T}, T, same_item=same_item, tasks_of=tasks_of
    )
    assert reasons == ["task dropped: 'same'"]


def test_many_other_files_are_summarised() -> None:
    reasons = check(PHASE, changed={T, *(f"f{i}.md" for i in range(8))})
    assert reasons == [f"files other than {T} changed: f0.md, f1.md, f2.md, f3.md, f4.md and 3 more"]


def test_snapshot_tree_skips_git_and_sees_every_change(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref\n")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.md").write_text("x")
    (tmp_path / "y.md").write_text("y")
    before = snapshot_tree(tmp_path)
    assert set(before) == {"a/x.md", "y.md"}
    (tmp_path / "a" / "x.md").write_text("x2")
    (tmp_path / "y.md").unlink()
    (tmp_path / "z.md").write_text("z")
    (tmp_path / ".git" / "HEAD").write_text("changed\n")
    assert changed_paths(before, snapshot_tree(tmp_path)) == {"a/x.md", "y.md", "z.md"}


@pytest.mark.parametrize(
    ("stdout", "score"),
    [
        ('{"score": 7, "reasons": ["a"]}', 7.0),
        ('  {"score": 0}\n', 0.0),
        ('```json\n{"score": 9.5, "reasons": []}\n```', 9.5),
    ],
)
def test_parse_estimate_accepts(stdout: str, score: float) -> None:
    est, warning = parse_estimate(stdout)
    assert warning is None and est is not None and est.score == score


@pytest.mark.parametrize(
    "stdout",
    [
        "",
        "about 7",
        '{"score": 11}',
        '{"score": -1}',
        '{"score": "7"}',
        '{"score": true}',
        '{"score": 5, "reasons": "x"}',
        '[{"score": 5}]',
        '{"score": 5}\n{"score": 6}',
        '{"score": NaN}',
        'Sure! {"score": 5}',
    ],
)
def test_parse_estimate_rejects(stdout: str) -> None:
    est, warning = parse_estimate(stdout)
    assert est is None and warning is not None and warning.startswith("estimate:")


def test_every_role_has_a_packaged_template() -> None:
    for role in ROLES:
        text, origin = template_text(role)
        assert origin == "packaged" and "$" in text


def test_prompt_substitution_is_safe_and_single_pass() -> None:
    hostile = "$(touch PWNED) ${plan_context} $item_text `rm -rf ~` $"
    out = render_prompt("elaborate", {"item_text": hostile, "plan_context": "CTX", "target": "t.md"})
    assert hostile in out  # inserted once, not substituted again
    assert "CTX" in out
    assert "$item_title" in out  # unknown placeholders stay as written


def test_user_template_overrides_packaged(tmp_path: Path, isolated_home: Path) -> None:
    folder = isolated_home / ".config" / "plansmith" / "templates"
    folder.mkdir(parents=True)
    (folder / "estimate.md").write_text("Custom for $item\n")
    assert render_prompt("estimate", {"item": "phase_1"}) == "Custom for phase_1\n"
    assert template_text("estimate")[1] == str(folder / "estimate.md")
    assert template_text("elaborate")[1] == "packaged"


def test_unknown_role_template() -> None:
    with pytest.raises(AgentError):
        template_text("nope")
