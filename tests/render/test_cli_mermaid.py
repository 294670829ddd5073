"""``plansmith waves|analyze --format mermaid`` through the real entry point: the text the pure module
draws (rendered by tests/render/test_render_mermaid.py), exit codes, and ``--json`` excluding it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from git_helper import MakeRepo

from plansmith.cli import main
from plansmith.plan.complexity import analyze_plan
from plansmith.plan.layout import build_plan, find_plans
from plansmith.plan.mermaid import structure_tree, waves_flowchart
from plansmith.plan.waves import compute_waves

PLAN = "specs/plans/001_feature.md"
TEXT = """# Feature

### Phase 1: Setup [COMPLETE]
**Dependencies**: []
- [x] a

### Phase 2: Build "it" <now>
**Dependencies**: [1]
- [ ] b

### Phase 3: Docs
**Dependencies**: [1]
- [ ] c
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def repo(repo_here: MakeRepo) -> Path:
    return repo_here({PLAN: TEXT})


def _plan(text: str = TEXT):  # type: ignore[no-untyped-def]
    files = {PLAN: text}
    (loc,) = find_plans(files, "specs/plans")
    return build_plan(files, loc)


def test_waves_format_mermaid_prints_the_flowchart(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "waves", PLAN, "--format", "mermaid")
    plan = _plan()
    waves = compute_waves({p.number: list(p.dependencies) for p in plan.phases})
    assert (code, err) == (0, "")
    assert out == waves_flowchart(plan, waves, analyze_plan(plan))
    assert 'subgraph w2["Wave 2"]' in out and "#34;it#34; #60;now#62;" in out


def test_analyze_format_mermaid_prints_the_tree(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "analyze", PLAN, "--format", "mermaid")
    plan = _plan()
    assert (code, err) == (0, "")
    assert out == structure_tree(plan, analyze_plan(plan))


def test_text_stays_the_default(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "waves", PLAN)
    assert code == 0 and out.startswith("wave 1: phase 1\n")
    assert run(capsys, "waves", PLAN, "--format", "text")[1] == out


def test_a_cycle_is_drawn_and_still_fails(make_repo, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    cyclic = TEXT.replace("**Dependencies**: []", "**Dependencies**: [3]")
    monkeypatch.chdir(make_repo({PLAN: cyclic}))
    code, out, err = run(capsys, "waves", PLAN, "--format", "mermaid")
    assert code == 1
    assert out.startswith("flowchart TB\n") and "subgraph" not in out and "linkStyle" in out
    assert "plansmith: error:" in err and "dependency cycle 1 -> 3 -> 1" in err


def test_json_and_mermaid_do_not_go_together(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "waves", PLAN, "--json", "--format", "mermaid")
    assert code == 2 and json.loads(out)["error"]["type"] == "usage"
    code, _, err = run(capsys, "analyze", PLAN, "--format", "svg")
    assert code == 2 and "invalid choice" in err
