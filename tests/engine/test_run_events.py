"""The engine tells what happened as run events and asks through the request's callables.

A real repository, real runs: the events of a dry run, of a refused and a declined confirmation, and
of a run that ends in a proposal; and nothing written to stdout or stderr by the engine itself (the
daemon, CI, MCP and ``--json`` rely on it).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from git_helper import MakeRepo
from git_helper import run_git as git

from plansmith.engine.coordinator import OperationRequest, run_request
from plansmith.errors import ConfirmationRequired
from plansmith.run_events import (
    AnalysisReady,
    NothingChanged,
    Planned,
    RunEvent,
    RunFinished,
    UncommittedLeftOut,
    WouldChange,
)
from plansmith.workspace import open_workspace

TASKS = "\n".join(f"- [ ] task {n} in `src/mod{n}.py` with migration and security review" for n in range(16))
PLAN = f"# Plan\n\n### Phase 1: Small\n- [ ] one\n\n### Phase 2: Large\n{TASKS}\n"
PATH = "specs/plans/001_feature.md"


@pytest.fixture
def repo(repo_here: MakeRepo) -> Path:
    return repo_here({PATH: PLAN})


def request(told: list[RunEvent], **fields: object) -> OperationRequest:
    return OperationRequest(plan=PATH, operation="expand", auto=True, run_events=told.append, **fields)  # type: ignore[arg-type]


def test_a_dry_run_tells_the_analysis_the_items_and_what_would_change(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    told: list[RunEvent] = []
    outcome = run_request(open_workspace(None), request(told, dry_run=True))
    assert isinstance(told[0], AnalysisReady) and told[0].analysis.plan == PATH
    assert told[1] == Planned("expand", ("phase_2",))
    assert WouldChange("created", "specs/plans/001_feature/phase_2_large.md") in told
    assert told[-1] == NothingChanged(dry_run=True)
    assert outcome.proposal is None and capsys.readouterr() == ("", "")


def test_no_terminal_and_no_yes_is_refused_before_anything_runs(repo: Path) -> None:
    told: list[RunEvent] = []
    asked: list[bool] = []
    with pytest.raises(ConfirmationRequired):
        run_request(open_workspace(None), request(told, confirm=lambda: asked.append(True) or True))
    assert asked == []  # not interactive: the question is not even asked
    assert not any(isinstance(e, RunFinished) for e in told)
    assert "plansmith/001_feature" not in git(repo, "branch", "--list", "plansmith/*")


def test_a_person_who_says_no_changes_nothing(repo: Path) -> None:
    told: list[RunEvent] = []
    outcome = run_request(open_workspace(None), request(told, interactive=True, confirm=lambda: False))
    assert told[-1] == NothingChanged() and outcome.proposal is None
    assert git(repo, "branch", "--list", "plansmith/*").strip() == ""


def test_a_run_ends_with_one_finished_event_carrying_the_proposal(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / PATH).write_text(PLAN + "\nan uncommitted line\n")
    told: list[RunEvent] = []
    outcome = run_request(open_workspace(None), request(told, interactive=True, confirm=lambda: True))
    assert told[0] == UncommittedLeftOut((PATH,))
    finished = told[-1]
    assert isinstance(finished, RunFinished) and [type(e) for e in told].count(RunFinished) == 1
    assert outcome.proposal is not None and finished.proposal is not None
    assert (finished.proposal.id, finished.proposal.branch) == (outcome.proposal.id, outcome.proposal.branch)
    assert [(i.item, i.status) for i in finished.items] == [("phase_2", "success")]
    assert finished.moves == tuple(outcome.moves) and not finished.merged
    assert capsys.readouterr() == ("", "")  # the warning too is an event: the engine printed nothing
