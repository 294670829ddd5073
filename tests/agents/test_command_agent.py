"""CommandAgent with fake agent programs that really run: retries, fallback, acceptance, estimates."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from agent_fakes import MAIN, MAIN_PATH, PHASE, TARGET, make_agent, make_worktree, read_log, tasks_of

from plansmith.agents import AgentRequest, StructuralAgent
from plansmith.errors import AgentError


def _request(wt: Path, role: str = "elaborate", **kw: object) -> AgentRequest:
    base: dict[str, object] = {
        "role": role,
        "cwd": wt,
        "plan": MAIN_PATH,
        "item": "phase_2",
        "target": TARGET,
        "artifact": str(wt.parent / "report.md"),
        "values": {"item_text": PHASE, "plan_context": MAIN, "item_title": "Authentication"},
    }
    base.update(kw)
    return AgentRequest(**base)  # type: ignore[arg-type]


def test_success_rewrites_target_with_added_tasks(tmp_path: Path) -> None:
    wt = make_worktree(tmp_path)
    log = tmp_path / "log.jsonl"
    agent = make_agent("elaborate", log=log, tools=["Read", "Write"])
    res = agent.run(_request(wt))
    assert res.status == "success" and res.elaborated and res.ok
    assert len(res.attempts) == 1 and res.attempts[0].ok
    text = (wt / TARGET).read_text()
    assert text.startswith(PHASE.rstrip("\n"))
    assert len(tasks_of(text)) == len(tasks_of(PHASE)) + 2
    (entry,) = read_log(log)
    env = entry["env"]
    assert isinstance(env, dict)
    assert env["PLANSMITH_ROLE"] == "elaborate"
    assert env["PLANSMITH_PLAN"] == MAIN_PATH
    assert env["PLANSMITH_ITEM"] == "phase_2"
    assert env["PLANSMITH_TARGET"] == TARGET
    assert env["PLANSMITH_ATTEMPT"] == "1"
    assert env["PLANSMITH_TOOLS"] == "Read,Write"
    assert env["PLANSMITH_ARTIFACT"] == str(wt.parent / "report.md")
    stdin = entry["stdin"]
    assert isinstance(stdin, str)
    assert "- [ ] Verify tokens on every request" in stdin and TARGET in stdin


def test_tools_placeholder_is_one_argument(tmp_path: Path) -> None:
    wt = make_worktree(tmp_path)
    log = tmp_path / "log.jsonl"
    agent = make_agent(
        "elaborate", "--allowedTools", "{tools}", "--x={tools}", log=log, tools=["Read", "Edit", "Bash"]
    )
    assert agent.run(_request(wt)).status == "success"
    argv = read_log(log)[0]["argv"]
    assert isinstance(argv, list)
    assert argv[-3:] == ["--allowedTools", "Read,Edit,Bash", "--x=Read,Edit,Bash"]


def test_slow_agent_within_timeout_succeeds(tmp_path: Path) -> None:
    wt = make_worktree(tmp_path)
    res = make_agent("sleep", "0.3", timeout_s=5).run(_request(wt))
    assert res.status == "success" and len(res.attempts) == 1


def test_hanging_agent_retried_with_growing_timeouts_then_structural_fallback(tmp_path: Path) -> None:
    wt = make_worktree(tmp_path)
    log = tmp_path / "log.jsonl"
    agent = make_agent(
        "hang", log=log, tools=["Read", "Write", "Bash"], fallback_tools=["Read"], timeout_s=0.3, grace_s=0.2
    )
    agent.factor = 1.5
    start = time.monotonic()
    res = agent.run(_request(wt))
    elapsed = time.monotonic() - start
    assert [a.timeout_s for a in res.attempts] == pytest.approx([0.3, 0.45, 0.675])
    assert [a.tools for a in res.attempts] == [("Read", "Write", "Bash"), ("Read",), ("Read",)]
    assert all(not a.ok and "timed out" in a.reason for a in res.attempts)
    assert res.status == "fallback" and res.ok and not res.elaborated
    assert any("kept the structural result" in w for w in res.warnings)
    assert (wt / TARGET).read_text() == PHASE  # untouched
    entries = read_log(log)
    assert [e["env"]["PLANSMITH_ATTEMPT"] for e in entries] == ["1", "2", "3"]  # type: ignore[index]
    assert [e["env"]["PLANSMITH_TOOLS"] for e in entries] == ["Read,Write,Bash", "Read", "Read"]  # type: ignore[index]
    assert elapsed < 0.3 + 0.45 + 0.675 + 3


def test_hanging_agent_required_is_a_failure(tmp_path: Path) -> None:
    wt = make_worktree(tmp_path)
    agent = make_agent("hang", timeout_s=0.2, max_attempts=2, grace_s=0.2)
    res = agent.run(_request(wt, required=True))
    assert res.status == "failed" and not res.ok
    assert len(res.attempts) == 2
    assert res.error is not None and "after 2 attempts" in res.error
    with pytest.raises(AgentError):
        res.raise_for_status()


def test_flaky_agent_succeeds_on_second_attempt_with_fallback_tools(tmp_path: Path) -> None:
    wt = make_worktree(tmp_path)
    agent = make_agent("flaky", tools=["A", "B"], fallback_tools=["A"], timeout_s=0.3, grace_s=0.2)
    res = agent.run(_request(wt))
    assert res.status == "success"
    assert [a.ok for a in res.attempts] == [False, True]
    assert res.attempts[1].tools == ("A",)


def test_failing_exit_code_falls_back_with_warning(tmp_path: Path) -> None:
    wt = make_worktree(tmp_path)
    res = make_agent("fail", max_attempts=2).run(_request(wt))
    assert res.status == "fallback"
    assert [a.exit_code for a in res.attempts] == [3, 3]
    assert "exited with status 3" in res.attempts[0].reason
    assert "something went wrong" in res.stderr_tail
    assert (wt / TARGET).read_text() == PHASE


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("drop-task", "task dropped: 'Choose a token format'"),
        ("untick", "ticked task unticked: 'Choose a token format'"),
        ("retitle", "no longer the same phase/stage"),
        ("outside", "files other than"),
    ],
)
def test_rejected_elaborations_restore_the_target(tmp_path: Path, mode: str, expected: str) -> None:
    wt = make_worktree(tmp_path)
    res = make_agent(mode, max_attempts=1).run(_request(wt))
    assert res.status == "fallback"
    assert expected in res.attempts[0].reason
    assert (wt / TARGET).read_text() == PHASE
    assert not (wt / "stray.md").exists()  # a file the attempt created is removed again
    assert (wt / MAIN_PATH).read_text() == MAIN


def test_modified_other_file_is_rejected_and_reported(tmp_path: Path) -> None:
    wt = make_worktree(tmp_path)
    res = make_agent("modify-other", MAIN_PATH, max_attempts=1).run(_request(wt))
    assert res.status == "fallback"
    assert f"files other than {TARGET} changed: {MAIN_PATH}" in res.attempts[0].reason
    assert any("could not restore" in w and MAIN_PATH in w for w in res.warnings)


def test_restore_hook_is_called_after_a_rejected_attempt(tmp_path: Path) -> None:
    wt = make_worktree(tmp_path)
    calls: list[str] = []
    agent = make_agent("outside", max_attempts=2, restore=lambda req: calls.append(req.item))
    res = agent.run(_request(wt))
    assert res.status == "fallback" and calls == ["phase_2", "phase_2"]


def test_report_written_to_artifact_inside_worktree_is_allowed(tmp_path: Path) -> None:
    wt = make_worktree(tmp_path)
    res = make_agent("report").run(_request(wt, artifact="report.md"))
    assert res.status == "success"
    assert (wt / "report.md").read_text().startswith("# report")


def test_crlf_target_restored_byte_for_byte(tmp_path: Path) -> None:
    wt = make_worktree(tmp_path)
    original = PHASE.replace("\n", "\r\n").encode()
    (wt / TARGET).write_bytes(original)
    make_agent("drop-task", max_attempts=1).run(_request(wt))
    assert (wt / TARGET).read_bytes() == original


def test_estimate_parsed(tmp_path: Path) -> None:
    wt = make_worktree(tmp_path)
    res = make_agent("estimate").run(_request(wt, role="estimate", target=""))
    assert res.status == "success"
    assert res.estimate is not None and res.estimate.score == 7.5
    assert res.estimate.reasons == ("12 tasks", "touches the database")


def test_estimate_garbage_gives_none_and_warning_without_retry(tmp_path: Path) -> None:
    wt = make_worktree(tmp_path)
    res = make_agent("garbage").run(_request(wt, role="estimate", target=""))
    assert res.status == "fallback" and res.estimate is None
    assert len(res.attempts) == 1
    assert any("not one JSON object" in w and "built-in estimator" in w for w in res.warnings)


def test_unsupported_role_falls_back(tmp_path: Path) -> None:
    wt = make_worktree(tmp_path)
    agent = make_agent("estimate")
    agent.spec = agent.spec.model_copy(update={"roles": ["estimate"]})
    res = agent.run(_request(wt))
    assert res.status == "fallback" and res.attempts == ()
    assert "does not handle the elaborate role" in res.warnings[0]


def test_deadline_caps_attempts(tmp_path: Path) -> None:
    wt = make_worktree(tmp_path)
    agent = make_agent("hang", timeout_s=30, grace_s=0.2)
    start = time.monotonic()
    res = agent.run(_request(wt, deadline=time.monotonic() + 0.4))
    assert time.monotonic() - start < 3
    assert res.status == "fallback"
    assert res.attempts[0].timeout_s <= 0.4


def test_structural_agent_does_nothing(tmp_path: Path) -> None:
    wt = make_worktree(tmp_path)
    res = StructuralAgent().run(_request(wt))
    assert res.status == "success" and not res.elaborated and res.attempts == ()
    assert (wt / TARGET).read_text() == PHASE


def test_git_variables_are_not_passed_to_agents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wt = make_worktree(tmp_path)
    log = tmp_path / "log.jsonl"
    monkeypatch.setenv("GIT_DIR", "/somewhere/.git")
    monkeypatch.setenv("PLANSMITH_AGENT", "loop")
    make_agent("elaborate", log=log).run(_request(wt))
    env = read_log(log)[0]["env"]
    assert isinstance(env, dict)
    assert "GIT_DIR" not in env and "PLANSMITH_AGENT" not in env
    assert env["FAKE_LOG"] == str(log)  # the agent's own env setting


def test_attempts_are_reported_to_the_progress_sink(tmp_path: Path) -> None:
    from plansmith.engine.progress import ProgressEvent

    wt = make_worktree(tmp_path)
    events: list[ProgressEvent] = []
    agent = make_agent("flaky", timeout_s=0.4, max_attempts=3, grace_s=0.2)
    res = agent.run(_request(wt, progress=events.append))
    assert res.status == "success"
    assert [(e.state, e.attempt, e.max_attempts) for e in events] == [
        ("running", 1, 3),
        ("retrying", 1, 3),
        ("running", 2, 3),
    ]
    assert all(e.item == "phase_2" for e in events)
    assert events[0].timeout_s == pytest.approx(0.4) and events[2].timeout_s == pytest.approx(0.6)  # 1.5x
    assert events[1].reason is not None and "timed out" in events[1].reason
