"""How orchestrate reads its plan at a commit and after an implement agent (through ``Snapshot``,
issue 19): only the run's plan folder (the first root, where it writes the plan), as before."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from plansmith.engine.orchestrate.record import files_at
from plansmith.engine.orchestrate.state import RunState
from plansmith.engine.orchestrate.steps import StepContext, plan_problems_after
from plansmith.workspace import open_workspace

PLAN = "specs/plans/003_kiln.md"
TEXT = "# Plan: kiln\n\n## Phase 1: Base\n- [ ] pour the slab\n\n## Phase 2: Walls\n- [ ] lay bricks\n"
ELSEWHERE = ".claude/plans/kiln-notes.md"


def _context(repo: Path, tmp_path: Path) -> StepContext:
    ws = open_workspace(str(repo))
    git_repo = ws.require_repo()
    state = RunState("r1", "a kiln", "HEAD", "003_kiln", 3, "2026-12-08", PLAN, "HEAD")
    files = files_at(ws, git_repo, "HEAD")
    return StepContext(ws, git_repo, state, files, files, None, tmp_path / "steps", tmp_path)


def test_a_wave_sees_the_run_s_plan_folder_only(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    repo = make_repo({PLAN: TEXT, ELSEWHERE: TEXT, "specs/plans/research/003_kiln/prior_art.md": "notes\n"})
    ctx = _context(repo, tmp_path)
    assert set(ctx.files) == {PLAN, "specs/plans/research/003_kiln/prior_art.md"}
    ref = ctx.plans.ref_at(PLAN)
    assert ref is not None and ref.location.main_path == PLAN
    assert ctx.plans is ctx.plans  # catalogued once per wave


def test_what_an_implement_agent_left_is_checked_against_the_plan(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    repo = make_repo({PLAN: TEXT})
    ctx = _context(repo, tmp_path)
    ref = ctx.plans.ref_at(PLAN)
    assert ref is not None
    tree = tmp_path / "agent-tree"
    shutil.copytree(repo, tree, ignore=shutil.ignore_patterns(".git"))
    assert plan_problems_after(ctx, tree, ref.location) is None
    (tree / PLAN).write_text("# Plan: kiln\n\nThe agent rewrote it all as prose.\n", encoding="utf-8")
    broken = plan_problems_after(ctx, tree, ref.location)
    assert broken is not None and "no '### Phase N: Title' headings" in broken
    (tree / PLAN).unlink()
    assert plan_problems_after(ctx, tree, ref.location) == f"{PLAN} is gone"
