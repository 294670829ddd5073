"""The daemon's options come from the settings in one place, at start and after SIGHUP alike.

A reload once rebuilt the options from the debounce alone: a configured reconcile interval fell back
to its default after the first SIGHUP, and the radar skipped ``plansmith/`` whatever the proposal
prefix said.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from plansmith.daemon.engine_handler import EngineHandler, daemon_options
from plansmith.workspace import open_workspace

PLAN = "# Plan\n\n### Phase 1: Start\n- [ ] one\n"
SETTINGS = (
    '[tool.plansmith]\ndebounce_ms = 200\nreconcile_interval_s = 42\nproposal_prefix = "plansmith/team/"\n'
)


def test_the_options_carry_every_daemon_setting(make_repo: Callable[..., Path]) -> None:
    root = make_repo({"specs/plans/001_a.md": PLAN, "pyproject.toml": SETTINGS})
    options = daemon_options(open_workspace(str(root)).settings)
    assert options.debounce_ms == 200
    assert options.intervals.reconcile_s == 42
    assert options.proposal_prefix == "plansmith/team/"


def test_a_reload_keeps_the_reconcile_interval_and_reads_changes(make_repo: Callable[..., Path]) -> None:
    root = make_repo({"specs/plans/001_a.md": PLAN, "pyproject.toml": SETTINGS})
    handler = EngineHandler(open_workspace(str(root)))
    reloaded = handler.reload_settings()
    assert reloaded is not None and reloaded == daemon_options(handler.ws.settings)
    assert reloaded.intervals.reconcile_s == 42  # was 300, the default, after the first SIGHUP
    (root / "pyproject.toml").write_text(SETTINGS.replace("42", "7"))
    again = handler.reload_settings()
    assert again is not None and again.intervals.reconcile_s == 7
