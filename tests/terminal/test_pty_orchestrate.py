"""``plansmith orchestrate`` in a real pseudo-terminal: one live view for the whole run.

The engine tells the run as events; the terminal shows the plan of the run first, each step's line
above the live view as the step is kept, and, once the run-finished event arrives, the view's last
frame, one summary line and the proposal below it (the view no longer ends at the first line written).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from .pty_run import run_in_pty

FAKE = Path(__file__).resolve().parent.parent / "agents" / "fake_agents" / "fake_agent.py"
NAME = "002_add_oauth_login_tests_then_docs"


@pytest.fixture
def repo(make_repo, isolated_home: Path) -> Path:  # type: ignore[no-untyped-def]
    config = isolated_home / ".config" / "plansmith" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, str(FAKE), "workflow", "research_sleep=1.0"]
    config.write_text(f"[agents.fake]\ncommand = {json.dumps(command)}\ntimeout_s = 20\nmax_attempts = 1\n")
    root: Path = make_repo({"specs/plans/001_x.md": "# Plan\n\n## Phase 1: a\n- [ ] x\n"})
    return root


def test_orchestrate_shows_its_plan_the_steps_live_then_one_summary_and_the_proposal(repo: Path) -> None:
    screen = run_in_pty(["orchestrate", "add OAuth login, tests then docs", "--agent", "fake", "--yes"], repo)
    assert screen.returncode == 0, screen.text
    text = screen.text
    assert text.startswith(f"orchestrate {NAME} (run ")  # the run's plan comes before the live view
    assert "wave 1: research_prior_art, research_risks, research_testing: the agent" in text
    assert "running" in text and "✓ research_risks" in text  # the steps, live
    assert text.count("Completed in ") == 1  # one view for the whole run, ended by its last event
    summary = text.index("Completed in ")
    assert "ok      implement_phase_1" in text[:summary]  # each step's line went above the view
    after = text[summary:]
    assert f"plan: specs/plans/{NAME}/{NAME}.md" in after
    assert f"proposal {NAME} on branch plansmith/{NAME}" in after
    assert "running" not in after  # nothing of the live view below its summary
