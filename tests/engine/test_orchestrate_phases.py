"""orchestrate implements the plan's phases wave by wave: parallel phases, one line, resumable failures."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from git_backend.helpers import PLAN_FILES
from git_helper import run_git as git

from plansmith.cli import main
from plansmith.engine.orchestrate import OrchestrateRequest, parse_phases, run_key, run_orchestrate
from plansmith.engine.progress import ProgressEvent
from plansmith.errors import UsageError
from plansmith.run_events import OrchestrateFinished, OrchestratePlanned, ProposalMade, RunEvent, StepRecorded

FAKE = Path(__file__).resolve().parent.parent / "agents" / "fake_agents" / "fake_agent.py"
DESCRIPTION = "build the five parts"
NAME = "003_build_the_five_parts"
BRANCH = f"plansmith/{NAME}"
ALL = [f"implement_phase_{n}" for n in range(1, 6)]


def configure(home: Path, *options: str) -> None:
    config = home / ".config" / "plansmith" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, str(FAKE), "workflow", "plan=waves", *options]
    config.write_text(
        f"[agents.fake]\ncommand = {json.dumps(argv)}\ntimeout_s = 30\nmax_attempts = 1\n"
        'roles = ["plan", "implement"]\n'
    )


def orchestrate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], str]:
    code = main(["orchestrate", DESCRIPTION, *args, "--agent", "fake", "--yes", "--json"])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


def statuses(doc: dict[str, Any]) -> dict[str, str]:
    return {s["step"]: s["status"] for s in doc["steps"] if s["step"].startswith("implement_")}


def implement_runs(log: Path) -> list[dict[str, Any]]:
    entries = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return [e for e in entries if e["env"].get("PLANSMITH_ROLE") == "implement"]


def spans(log: Path) -> dict[str, tuple[float, float]]:
    """Each phase's start (the fake agent's first log line) and end (its last), by item."""
    out: dict[str, list[float]] = {}
    for entry in implement_runs(log):
        item = entry["env"]["PLANSMITH_ITEM"]
        out.setdefault(item, []).append(entry.get("end", entry["time"]))
    return {item: (min(times), max(times)) for item, times in out.items()}


def overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


@pytest.fixture
def repo(make_repo, monkeypatch: pytest.MonkeyPatch, isolated_home: Path) -> Path:  # type: ignore[no-untyped-def]
    root: Path = make_repo(dict(PLAN_FILES))
    monkeypatch.chdir(root)
    monkeypatch.setenv("FAKE_LOG", str(root.parent / "fake.log"))
    return root


def test_parse_phases() -> None:
    assert parse_phases(None).kind == "first"
    assert parse_phases("all").kind == "all"
    assert parse_phases("2, 2.5").ids == ("2", "2.5")
    assert parse_phases("wave:2").wave == 2
    for bad in ("wave:0", "wave:x", "1,,2", ""):
        with pytest.raises(UsageError):
            parse_phases(bad)


def test_phase_ids_are_read_and_ordered_by_the_plan_core() -> None:
    from plansmith.engine.orchestrate.workflow import implement_waves
    from plansmith.plan.layout import PlanLocation, build_plan

    text = (
        "# Plan: ids\n\n## Implementation Phases\n\n### Phase 1: One\n\n- [ ] a\n\n"
        "### Phase 10: Ten\n**Dependencies**: [2.5]\n\n- [ ] b\n\n"
        "### Phase 2: Two\n\n- [ ] c\n\n### Phase 2.5: Between\n**Dependencies**: [1]\n\n- [ ] d\n"
    )
    loc = PlanLocation("009_ids", "specs/plans/009_ids.md", None)
    plan = build_plan({loc.main_path: text}, loc)
    waves = implement_waves(plan, parse_phases("all"))
    assert [[s.id for s in wave] for wave in waves] == [
        ["implement_phase_1", "implement_phase_2"],
        ["implement_phase_2.5"],
        ["implement_phase_10"],
    ]
    assert [s.id for s in implement_waves(plan, parse_phases("10, 2.5"))[0]] == ["implement_phase_2.5"]


def test_every_wave_is_implemented_with_parallel_phases_in_one_proposal(
    repo: Path, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(isolated_home, "implement_sleep=1")
    code, doc, err = orchestrate(capsys, "--phases", "all")
    assert code == 0, err
    assert statuses(doc) == dict.fromkeys(ALL, "success")
    times = spans(repo.parent / "fake.log")
    assert overlap(times["phase_1"], times["phase_2"]) and overlap(times["phase_3"], times["phase_4"])
    assert times["phase_5"][0] >= max(times["phase_3"][1], times["phase_4"][1])  # wave 3 after wave 2
    assert doc["proposal"]["branch"] == BRANCH
    assert git(repo, "for-each-ref", "--format=%(refname)", "refs/heads/plansmith/").split() == [
        f"refs/heads/{BRANCH}"
    ]
    subjects = git(repo, "log", "--format=%s", f"main..{BRANCH}").splitlines()[::-1]
    implemented = [s for s in subjects if "implement_phase" in s]
    assert [next(w for w in s.split() if w.startswith("implement_phase")) for s in implemented] == ALL
    files = git(repo, "ls-tree", "-r", "--name-only", BRANCH).split()
    assert {f"src/phase_{n}.py" for n in range(1, 6)} <= set(files)
    plan = git(repo, "show", f"{BRANCH}:specs/plans/{NAME}.md")
    assert all(f"- [x] build part {n}" in plan for n in range(1, 6))  # every phase's tick survived
    assert "orchestrate" not in git(repo, "worktree", "list")  # every phase's worktree is gone
    assert git(repo, "for-each-ref", "refs/plansmith/checkpoints/") == ""


def test_chosen_phases_and_one_wave(
    repo: Path, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(isolated_home)
    code, doc, err = orchestrate(capsys, "--phases", "2,3")
    assert code == 0, err
    assert statuses(doc) == {"implement_phase_2": "success", "implement_phase_3": "success"}
    code, doc, err = orchestrate(capsys, "--phases", "wave:2", "--restart")
    assert code == 0, err
    assert statuses(doc) == {"implement_phase_3": "success", "implement_phase_4": "success"}
    code, doc, err = orchestrate(capsys, "--phases", "9", "--restart")
    assert code == 1
    assert doc["steps"][-1]["step"] == "implement_phase_9" and "no phase 9" in doc["steps"][-1]["error"]


def test_a_failed_phase_keeps_the_others_and_the_next_run_redoes_only_it(
    repo: Path, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(isolated_home, "implement_fail=phase_3")
    code, doc, _ = orchestrate(capsys, "--phases", "all")
    assert code == 1
    assert statuses(doc) == {
        "implement_phase_1": "success",
        "implement_phase_2": "success",
        "implement_phase_3": "failed",
        "implement_phase_4": "success",
        "implement_phase_5": "skipped",  # it needs phase 3
    }
    files = git(repo, "ls-tree", "-r", "--name-only", BRANCH).split()
    assert {"src/phase_1.py", "src/phase_2.py", "src/phase_4.py"} <= set(files)
    assert "src/phase_3.py" not in files
    log = repo.parent / "fake.log"
    before = len(implement_runs(log))
    configure(isolated_home)
    code, doc, err = orchestrate(capsys, "--phases", "all")
    assert code == 0, err
    assert doc["resumed"] is True and doc["plan"] == f"specs/plans/{NAME}.md"
    assert statuses(doc) == dict.fromkeys(ALL, "success")
    again = [e["env"]["PLANSMITH_ITEM"] for e in implement_runs(log)[before:] if "end" not in e]
    assert sorted(again) == ["phase_3", "phase_5"]
    assert {f"src/phase_{n}.py" for n in range(1, 6)} <= set(
        git(repo, "ls-tree", "-r", "--name-only", BRANCH).split()
    )


def test_a_killed_run_resumes_at_the_wave_it_was_in(repo: Path, isolated_home: Path) -> None:
    configure(isolated_home, "implement_sleep=60")
    log = repo.parent / "fake.log"
    state_file = repo / ".git" / "plansmith" / "orchestrate" / f"{run_key(DESCRIPTION)}.json"
    argv = [sys.executable, "-m", "plansmith", "orchestrate", DESCRIPTION, "--yes", "--agent", "fake"]
    proc = subprocess.Popen(
        [*argv, "--phases", "all"],
        cwd=repo,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(implement_runs(log)) < 2:
            time.sleep(0.05)
        assert len(implement_runs(log)) == 2, "wave 1 did not start"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        for entry in implement_runs(log):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(entry["pid"], signal.SIGKILL)
    state = json.loads(state_file.read_text())
    assert not state["finished"] and "implement_phase_1" not in [s["step"] for s in state["steps"]]
    configure(isolated_home)
    result = subprocess.run([*argv, "--phases", "all", "--json"], cwd=repo, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["resumed"] is True and statuses(doc) == dict.fromkeys(ALL, "success")
    assert len([e for e in implement_runs(log) if "end" not in e]) == 2 + 5
    assert "orchestrate" not in git(repo, "worktree", "list")  # the killed run's worktrees are gone too


def test_orchestrate_emits_progress_and_a_summary(repo: Path, isolated_home: Path) -> None:
    from plansmith.workspace import open_workspace

    configure(isolated_home)
    events: list[ProgressEvent] = []
    told: list[RunEvent] = []
    request = OrchestrateRequest(
        DESCRIPTION,
        agent="fake",
        assume_yes=True,
        phases="wave:1",
        progress=events.append,
        run_events=told.append,
    )
    outcome = run_orchestrate(open_workspace(None, {"agent": "fake"}), request)
    assert outcome.exit_code == 0
    # What happened is told as values: the plan first, each step as it is kept, the end last.
    assert isinstance(told[0], OrchestratePlanned) and told[0].agent == "fake"
    kept = [e for e in told if isinstance(e, StepRecorded)]
    assert [(e.step, e.status) for e in kept] == [(r.step, r.status) for r in outcome.steps]
    finished, made = told[-1], outcome.proposal
    assert made is not None and finished == OrchestrateFinished(
        outcome.plan, ProposalMade(made.id, made.branch, made.commit)
    )
    for item in ("plan", "implement_phase_1", "implement_phase_2"):
        # the runner's queued/running/done, and the agent's own attempt (running 1 of 1) in between
        assert [e.state for e in events if e.item == item] == ["queued", "running", "running", "done"]
        agent_attempt = [e for e in events if e.item == item][2]
        assert (agent_attempt.attempt, agent_attempt.max_attempts, agent_attempt.timeout_s) == (1, 1, 30)
    assert outcome.summary is not None and outcome.summary.successful == len(outcome.steps) - 4


def test_a_phase_that_conflicts_with_an_earlier_one_of_its_wave_fails_alone(
    repo: Path, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(isolated_home, "implement_conflict=1")
    code, doc, _ = orchestrate(capsys, "--phases", "wave:1")
    assert code == 1
    assert statuses(doc) == {"implement_phase_1": "success", "implement_phase_2": "failed"}
    error = next(s["error"] for s in doc["steps"] if s["step"] == "implement_phase_2")
    assert "conflict" in error and "src/shared.py" in error
    assert git(repo, "show", f"{BRANCH}:src/shared.py") == "WHO = 'phase_1'\n"
