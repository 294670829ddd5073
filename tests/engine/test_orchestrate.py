"""plansmith orchestrate end to end: template planner only, a fake agent, a killed run that resumes."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from git_backend.helpers import PLAN_FILES, make_user_dirty, snapshot_user_state
from git_helper import run_git as git

from plansmith.cli import main
from plansmith.engine.orchestrate import NEEDS_AGENT, run_key
from plansmith.git_backend.repo import find_repository, read_tree_files
from plansmith.plan.api import decode_files
from plansmith.plan.validate import validate_tree

FAKE = Path(__file__).resolve().parent.parent / "agents" / "fake_agents" / "fake_agent.py"
DESCRIPTION = "add OAuth login, tests then docs"
NAME = "003_add_oauth_login_tests_then_docs"  # PLAN_FILES hold plans 001 and 002
BRANCH = f"plansmith/{NAME}"


def configure(home: Path, *options: str, timeout: float = 20.0, roles: str = "") -> None:
    config = home / ".config" / "plansmith" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        "[agents.fake]\n"
        f"command = {json.dumps([sys.executable, str(FAKE), 'workflow', *options])}\n"
        f"timeout_s = {timeout}\nmax_attempts = 1\n" + (f"roles = {roles}\n" if roles else "")
    )


def log_entries(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def roles(entries: list[dict[str, Any]], role: str) -> list[dict[str, Any]]:
    return [e for e in entries if e["env"].get("PLANSMITH_ROLE") == role]


def orchestrate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], str]:
    code = main(["orchestrate", *args, "--yes", "--json"])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


def statuses(doc: dict[str, Any]) -> dict[str, tuple[str, str | None]]:
    return {s["step"]: (s["status"], s["error"]) for s in doc["steps"]}


def assert_valid_on_branch(repo: Path, branch: str) -> dict[str, str]:
    """The plans folder of the proposal branch has no problem that main does not have; its files."""
    paths = find_repository(repo)
    files, problems = decode_files(read_tree_files(paths, branch, "specs/plans"))
    old, _ = decode_files(read_tree_files(paths, "main", "specs/plans"))
    assert problems == []
    assert set(validate_tree(files, "specs/plans")) - set(validate_tree(old, "specs/plans")) == set()
    return files


def assert_no_leftovers(repo: Path) -> None:
    worktrees = git(repo, "worktree", "list", "--porcelain")
    assert "orchestrate" not in worktrees  # the implement worktree is gone
    assert git(repo, "for-each-ref", "refs/plansmith/checkpoints/") == ""  # checkpoints deleted


@pytest.fixture
def repo(make_repo, monkeypatch: pytest.MonkeyPatch) -> Path:  # type: ignore[no-untyped-def]
    root: Path = make_repo(dict(PLAN_FILES))
    monkeypatch.chdir(root)
    return root


def test_without_an_agent_the_template_planner_makes_a_valid_proposal(repo: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    before = snapshot_user_state(repo)
    code, doc, err = orchestrate(capsys, DESCRIPTION)
    assert code == 0, err
    assert doc["plan"] == f"specs/plans/{NAME}.md"
    assert doc["proposal"]["branch"] == BRANCH
    assert doc["proposal"]["base"] == git(repo, "rev-parse", "HEAD").strip()
    steps = statuses(doc)
    assert list(steps) == [
        "research_prior_art",
        "research_risks",
        "research_testing",
        "plan",
        "expand",
        "implement_phase_1",
    ]
    for step in ("research_prior_art", "research_risks", "research_testing", "implement_phase_1"):
        assert steps[step] == ("skipped", NEEDS_AGENT)  # said clearly, not failed
    assert NEEDS_AGENT == "needs an agent (configure one: see docs/agents.md)"
    assert steps["plan"] == ("success", None)
    assert steps["expand"][0] == "skipped" and "threshold" in (steps["expand"][1] or "")
    assert doc["summary"] == {"total": 6, "successful": 1, "failed": 0, "skipped": 5}
    assert "template planner" in err
    files = assert_valid_on_branch(repo, BRANCH)
    plan = files[f"specs/plans/{NAME}.md"]
    assert "add OAuth login, tests then docs" in plan and "- **Plan Number**: 003" in plan
    # one checkpoint commit per step that changed something, with the proposal trailers
    log = git(repo, "log", "--format=%s%n%(trailers:only,unfold)", f"main..{BRANCH}")
    assert log.startswith(f"plansmith: orchestrate plan of {NAME}\n")
    assert f"Plansmith-Plan: specs/plans/{NAME}.md" in log and "Plansmith-Operation: orchestrate" in log
    assert f"Plansmith-Run: {run_key(DESCRIPTION)}" in log
    for step in doc["steps"]:
        assert json.loads(Path(step["artifact"]).read_text())["status"] == step["status"]
    assert snapshot_user_state(repo) == before
    assert_no_leftovers(repo)
    proposals = subprocess.run(
        [sys.executable, "-m", "plansmith", "proposals", "list", "--json"],
        cwd=repo,
        capture_output=True,
        text=True,
    )
    assert NAME in proposals.stdout


def test_a_fake_agent_researches_in_parallel_plans_expands_and_implements(  # type: ignore[no-untyped-def]
    repo: Path, isolated_home: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_log = repo.parent / "fake.log"
    monkeypatch.setenv("FAKE_LOG", str(fake_log))
    configure(isolated_home, "research_sleep=1.0")
    make_user_dirty(repo)  # uncommitted work of every kind, among it an untracked plan 003_draft.md
    name = "004_add_oauth_login_tests_then_docs"  # the number 003 is taken by the untracked plan
    branch = f"plansmith/{name}"
    before = snapshot_user_state(repo)
    code, doc, err = orchestrate(capsys, DESCRIPTION, "--agent", "fake")
    assert code == 0, err
    assert all(s["status"] == "success" for s in doc["steps"]), doc["steps"]
    entries = log_entries(fake_log)
    research = roles(entries, "research")
    assert len(research) == 3
    starts = sorted(e["time"] for e in research)
    assert starts[-1] - starts[0] < 0.9, starts  # all three started before the first one (1 s) ended
    assert len({e["cwd"] for e in research}) == 3  # each step in a folder of its own
    assert all(not e["cwd"].startswith(str(repo) + "/specs") for e in research)
    assert [e["env"]["PLANSMITH_TARGET"] for e in roles(entries, "plan")] == [f"specs/plans/{name}.md"]
    implement = roles(entries, "implement")
    assert len(implement) == 1 and implement[0]["env"]["PLANSMITH_ITEM"] == "phase_1"
    assert "/plansmith/orchestrate/" in implement[0]["cwd"] and implement[0]["cwd"].endswith("/impl-1")

    main_path = f"specs/plans/{name}/{name}.md"  # phase 1 of the agent's plan was complex: expanded
    assert doc["plan"] == main_path
    files = assert_valid_on_branch(repo, branch)
    assert "Research notes seen: 3" in files[main_path]  # the reports were the plan agent's context
    for topic in ("prior_art", "risks", "testing"):
        assert "RESEARCH-MARKER" in files[f"specs/plans/research/{name}/{topic}.md"]
    phase_file = f"specs/plans/{name}/phase_1_build_the_feature.md"
    assert "- [x] step 0" in files[phase_file]  # the implement agent ticked its task
    changed = git(repo, "diff", "--name-only", f"main...{branch}").split()
    assert {"src/feature.py", "src/app.py"} <= set(changed)
    assert git(repo, "show", f"{branch}:src/app.py").endswith("# implemented by the fake agent\n")
    subjects = git(repo, "log", "--format=%s", f"main..{branch}").splitlines()
    assert subjects == [
        f"plansmith: orchestrate {step} of {name}"
        for step in (
            "implement_phase_1",
            "expand",
            "plan",
            "research_testing",
            "research_risks",
            "research_prior_art",
        )
    ]
    assert snapshot_user_state(repo) == before
    assert_no_leftovers(repo)


def test_sequential_runs_one_step_at_a_time(repo: Path, isolated_home: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    fake_log = repo.parent / "fake.log"
    monkeypatch.setenv("FAKE_LOG", str(fake_log))
    configure(isolated_home, "research_sleep=0.4")
    code, _, err = orchestrate(capsys, DESCRIPTION, "--agent", "fake", "--sequential")
    assert code == 0, err
    starts = sorted(e["time"] for e in roles(log_entries(fake_log), "research"))
    assert starts[1] - starts[0] >= 0.4 and starts[2] - starts[1] >= 0.4, starts


def test_a_plan_that_does_not_validate_falls_back_to_the_template(  # type: ignore[no-untyped-def]
    repo: Path, isolated_home: Path, capsys
) -> None:
    configure(isolated_home, "plan=bad")
    code, doc, err = orchestrate(capsys, DESCRIPTION, "--agent", "fake")
    assert code == 0, err
    assert "does not validate" in err and "template planner" in err
    files = assert_valid_on_branch(repo, BRANCH)
    assert "template planner" in files[doc["plan"]]
    assert statuses(doc)["implement_phase_1"] == ("success", None)


def test_a_failed_implementation_leaves_the_plan_as_the_proposal(  # type: ignore[no-untyped-def]
    repo: Path, isolated_home: Path, capsys
) -> None:
    configure(isolated_home, "implement=fail")
    code, doc, _ = orchestrate(capsys, DESCRIPTION, "--agent", "fake")
    assert code == 1  # a failed step, like a failed operation of expand
    status, error = statuses(doc)["implement_phase_1"]
    assert status == "failed" and "exit status 1" in (error or "")
    assert doc["summary"]["failed"] == 1 and doc["proposal"]["branch"] == BRANCH
    assert git(repo, "log", "-1", "--format=%s", BRANCH).startswith("plansmith: orchestrate expand of")
    assert "src/half_done.py" not in git(repo, "ls-tree", "-r", "--name-only", BRANCH)
    assert_valid_on_branch(repo, BRANCH)
    assert_no_leftovers(repo)


def test_steps_whose_role_the_agent_lacks_are_skipped(repo: Path, isolated_home: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    configure(isolated_home, roles='["plan"]')
    code, doc, err = orchestrate(capsys, DESCRIPTION, "--agent", "fake")
    assert code == 0, err
    steps = statuses(doc)
    assert steps["research_risks"][0] == "skipped" and "research role" in (steps["research_risks"][1] or "")
    assert steps["implement_phase_1"][0] == "skipped" and "implement role" in (
        steps["implement_phase_1"][1] or ""
    )
    assert steps["plan"] == ("success", None) and steps["expand"] == ("success", None)
    assert "Research notes seen: 0" in assert_valid_on_branch(repo, BRANCH)[doc["plan"]]


def test_a_killed_run_resumes_from_its_last_checkpoint(  # type: ignore[no-untyped-def]
    repo: Path, isolated_home: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_log = repo.parent / "fake.log"
    monkeypatch.setenv("FAKE_LOG", str(fake_log))
    configure(isolated_home, "plan_sleep=60")
    state_file = repo / ".git" / "plansmith" / "orchestrate" / f"{run_key(DESCRIPTION)}.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "plansmith", "orchestrate", DESCRIPTION, "--yes", "--agent", "fake"],
        cwd=repo,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        state: dict[str, Any] = {}
        while time.monotonic() < deadline:
            if state_file.exists():
                state = json.loads(state_file.read_text())
                if len(state["steps"]) == 3 and roles(log_entries(fake_log), "plan"):
                    break
            time.sleep(0.05)
        else:
            pytest.fail(f"the run made no checkpoint in time: {state}")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        for entry in roles(log_entries(fake_log), "plan"):  # the agent runs in a session of its own
            with contextlib.suppress(ProcessLookupError):
                os.killpg(entry["pid"], signal.SIGKILL)
    assert not state["finished"]
    checkpoint_commits = [s["commit"] for s in state["steps"]]
    assert all(checkpoint_commits)
    assert git(repo, "for-each-ref", "--format=%(refname)", "refs/plansmith/checkpoints/").count("\n") == 3

    configure(isolated_home)  # the plan agent answers at once this time
    code, doc, err = orchestrate(capsys, DESCRIPTION, "--agent", "fake")
    assert code == 0, err
    assert doc["resumed"] is True
    assert all(s["status"] == "success" for s in doc["steps"]), doc["steps"]
    entries = log_entries(fake_log)
    assert len(roles(entries, "research")) == 3  # research was not done again
    assert len(roles(entries, "plan")) == 2  # the killed attempt and the resumed one
    history = git(repo, "log", "--format=%H", f"main..{BRANCH}").split()
    assert set(checkpoint_commits) <= set(history)  # the proposal is built on the first run's commits
    assert_valid_on_branch(repo, BRANCH)
    assert_no_leftovers(repo)
    assert json.loads(state_file.read_text())["finished"] is True


def test_restart_and_a_finished_run(repo: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    state_file = repo / ".git" / "plansmith" / "orchestrate" / f"{run_key(DESCRIPTION)}.json"
    assert orchestrate(capsys, DESCRIPTION)[0] == 0
    # pretend the run was killed after its plan step
    state = json.loads(state_file.read_text())
    state["finished"] = False
    state["steps"] = [s for s in state["steps"] if s["step"] not in ("expand", "implement_phase_1")]
    state_file.write_text(json.dumps(state))
    code, doc, _ = orchestrate(capsys, "  add OAuth login,\n tests then docs ")  # same, white space aside
    assert code == 0 and doc["resumed"] is True and doc["plan"] == f"specs/plans/{NAME}.md"
    # a finished run is not resumed: the same description starts a new plan (003 has a proposal)
    code, doc, _ = orchestrate(capsys, DESCRIPTION)
    assert code == 0 and doc["resumed"] is False
    assert doc["plan"] == "specs/plans/004_add_oauth_login_tests_then_docs.md"
    state = json.loads(state_file.read_text())
    state["finished"] = False
    state_file.write_text(json.dumps(state))
    code, doc, _ = orchestrate(capsys, DESCRIPTION, "--restart")
    assert code == 0 and doc["resumed"] is False


@pytest.mark.parametrize(
    "description",
    [
        "$(rm -rf ~)",
        "../../../etc/passwd",
        "; touch PWNED #",
        "### Phase 9: injected\n```\n<div>\n- [x] done",
        "`touch PWNED`",
        "日本語の説明",
        "x" * 5000,
    ],
)
def test_hostile_descriptions_give_safe_names_and_valid_plans(repo: Path, capsys, description: str) -> None:  # type: ignore[no-untyped-def]
    before = snapshot_user_state(repo)
    code, doc, err = orchestrate(capsys, description)
    assert code == 0, err
    assert re.fullmatch(r"specs/plans/003_[a-z0-9_]{1,40}\.md", doc["plan"]), doc["plan"]
    files = assert_valid_on_branch(repo, doc["proposal"]["branch"])
    assert re.findall(r"^#+ Phase (\d+)", files[doc["plan"]], flags=re.M) == ["1", "2", "3", "4", "5"]
    assert not (repo / "PWNED").exists() and not (repo.parent / "PWNED").exists()
    assert snapshot_user_state(repo) == before


def test_an_empty_description_is_refused(repo: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, doc, _ = orchestrate(capsys, " \n\t ")
    assert code == 1 and "empty" in doc["error"]["message"]


def test_without_a_terminal_it_asks_for_yes_and_changes_nothing(repo: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    before = snapshot_user_state(repo)
    code = main(["orchestrate", DESCRIPTION])
    out, err = capsys.readouterr()
    assert code == 1
    assert "not a terminal" in err and "--yes" in err
    assert "wave 1: research_prior_art, research_risks, research_testing" in out  # the step plan
    assert snapshot_user_state(repo) == before
    assert git(repo, "branch", "--list", "plansmith/*") == ""
    assert not (repo / ".git" / "plansmith" / "orchestrate" / f"{run_key(DESCRIPTION)}.json").exists()


def test_parallel_and_sequential_exclude_each_other(repo: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["orchestrate", DESCRIPTION, "--parallel", "--sequential", "--yes"]) == 2
    capsys.readouterr()
