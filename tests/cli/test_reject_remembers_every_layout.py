"""``proposals reject`` remembers the plan content the way the daemon, CI and ``--auto-analysis`` look
it up (issue 19: the rejection memory reads plans at the proposal's base through ``Snapshot``).

Before, ``reject`` hashed its own selection of the plan's files (everything in the plan's folder, read
from the folder beside the main file), which the decision never computes: a plan folder holding an
image, or a spec-kit ``tasks.md`` with an expanded phase, was proposed again right after the person
rejected it. Each layout below is rejected once and then must be skipped for the same content."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from git_helper import run_git

from plansmith.cli import main

HEAVY = "".join(
    f"- [ ] step {n}: move `src/store/part_{n}.py` to the new schema (migration, security, rollback)\n"
    for n in range(16)
)
PLAN_TEXT = f"# Plan: storage\n\n## Phase 1: Small\n- [ ] one\n\n## Phase 2: Schema\n{HEAVY}"
TASKS_TEXT = (
    "# Tasks: storage\n\n## Phase 1: Setup\n\n- [ ] T001 Create src/store/__init__.py\n\n"
    f"## Phase 2: Migrate\n\n{HEAVY.replace('- [ ] step', '- [ ] T1')}\n"
    f"## Phase 3: Rewrite\n\n{HEAVY.replace('- [ ] step', '- [ ] T2')}"
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\xff\xfe"  # not text: never a plan file

LAYOUTS: dict[str, tuple[dict[str, str | bytes], str]] = {
    "plan folder with an image": (
        {"specs/plans/001_store.md": PLAN_TEXT, "specs/plans/001_store/sketch.png": PNG},
        "specs/plans/001_store.md",
    ),
    "Claude Code plan": ({".claude/plans/storage-rework.md": PLAN_TEXT}, ".claude/plans/storage-rework.md"),
    "spec-kit tasks.md": (
        {"specs/002-store/spec.md": "# Spec: storage\n", "specs/002-store/tasks.md": TASKS_TEXT},
        "specs/002-store/tasks.md",
    ),
}


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    code = main([*args, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, (out, err)
    doc: dict[str, object] = json.loads(out)
    return doc


def _proposal_id(doc: dict[str, object]) -> str:
    proposal = doc["proposal"]
    assert isinstance(proposal, dict), doc
    return str(proposal["id"])


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_a_rejected_proposal_is_not_made_again_for_the_same_content(
    layout: str,
    make_repo: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    files, plan = LAYOUTS[layout]
    repo = make_repo(files)
    monkeypatch.chdir(repo)
    if plan.endswith("tasks.md"):  # a phase expanded and approved before: its file lies beside tasks.md
        _run(
            capsys, "proposals", "approve", _proposal_id(_run(capsys, "expand", plan, "phase", "3", "--yes"))
        )
        assert any(path.name.startswith("phase_3") for path in (repo / plan).parent.iterdir())
    made = _run(capsys, "expand", plan, "--auto-analysis", "--yes")
    pid = _proposal_id(made)
    _run(capsys, "proposals", "reject", pid)

    again = _run(capsys, "expand", plan, "--auto-analysis", "--yes")
    assert again["proposal"] is None and again["skipped"] == "rejected before for this content", again
    assert run_git(repo, "branch", "--list", "plansmith/*").strip() == ""
