"""Trust: a repository never makes plansmith run a program; plan text never reaches a shell."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from agent_fakes import (
    FAKE,
    MAIN,
    MAIN_PATH,
    PHASE,
    TARGET,
    make_worktree,
    read_log,
    same_item,
    spec,
    tasks_of,
)

from plansmith.agents import AgentRequest, CommandAgent, StructuralAgent, agent_from_settings
from plansmith.config import load_settings, user_config_path
from plansmith.errors import ConfigError


def _toml_list(words: list[str]) -> str:
    return json.dumps(words)  # a JSON list of strings is a valid TOML array


def _marker_agent(marker: Path) -> str:
    return f"command = {_toml_list([sys.executable, str(FAKE), 'marker', str(marker)])}\n"


def _request(wt: Path) -> AgentRequest:
    return AgentRequest(role="elaborate", cwd=wt, plan=MAIN_PATH, item="phase_2", target=TARGET)


@pytest.mark.parametrize("where", ["plansmith.toml", "pyproject.toml"])
def test_repository_agents_are_never_run(tmp_path: Path, where: str) -> None:
    repo = make_worktree(tmp_path)
    marker = tmp_path / "MARKER"
    if where == "plansmith.toml":
        (repo / "plansmith.toml").write_text(f'agent = "evil"\n\n[agents.evil]\n{_marker_agent(marker)}')
    else:
        (repo / "pyproject.toml").write_text(
            f'[project]\nname = "x"\n\n[tool.plansmith]\nagent = "evil"\n\n'
            f"[tool.plansmith.agents.evil]\n{_marker_agent(marker)}"
        )
    loaded = load_settings(repo)
    assert loaded.settings.agents == {} and loaded.settings.agent is None
    assert any("agents] table is ignored" in w and str(user_config_path()) in w for w in loaded.warnings)
    assert any('agent = "evil" is ignored' in w for w in loaded.warnings)
    agent = agent_from_settings(loaded.settings, same_item=same_item, tasks_of=tasks_of)
    assert isinstance(agent, StructuralAgent)
    agent.run(_request(repo))
    with pytest.raises(ConfigError):  # naming it explicitly does not find the repository's definition
        agent_from_settings(loaded.settings, "evil")
    with pytest.raises(ConfigError, match="not defined"):
        load_settings(repo, {"agent": "evil"})
    assert not marker.exists()
    assert (repo / TARGET).read_text() == PHASE


def test_user_settings_agent_is_run(tmp_path: Path, isolated_home: Path) -> None:
    repo = make_worktree(tmp_path)
    log = tmp_path / "log.jsonl"
    user = user_config_path()
    user.parent.mkdir(parents=True)
    user.write_text(
        'agent = "mine"\n[agents.mine]\n'
        f"command = {_toml_list([sys.executable, str(FAKE), 'elaborate'])}\n"
        f"env = {{ FAKE_LOG = {json.dumps(str(log))} }}\n"
    )
    loaded = load_settings(repo)
    agent = agent_from_settings(loaded.settings, same_item=same_item, tasks_of=tasks_of)
    assert isinstance(agent, CommandAgent) and agent.name == "mine"
    assert agent.run(_request(repo)).status == "success"
    assert len(read_log(log)) == 1


HOSTILE = ["$(touch PWNED)", "; rm -rf ~", "`touch PWNED`", "a' && touch PWNED && '", "|| touch PWNED #"]


def test_hostile_text_never_reaches_a_shell(tmp_path: Path, isolated_home: Path) -> None:
    wt = make_worktree(tmp_path)
    hostile_title = " ".join(HOSTILE)
    (wt / TARGET).write_text(PHASE.replace("Authentication", hostile_title))
    log = tmp_path / "log.jsonl"
    agent = CommandAgent(
        "fake",
        spec(
            "elaborate", "--title", hostile_title, "{tools}", env={"FAKE_LOG": str(log)}, tools=["; rm -rf ~"]
        ),
        same_item=same_item,
        tasks_of=tasks_of,
        grace_s=0.3,
    )
    request = AgentRequest(
        role="elaborate",
        cwd=wt,
        plan="specs/plans/$(touch PWNED).md",
        item="phase_2; rm -rf ~",
        target=TARGET,
        artifact="$(touch PWNED)",
        values={
            "item_title": hostile_title,
            "item_text": hostile_title,
            "plan_context": MAIN + hostile_title,
        },
    )
    res = agent.run(request)
    assert res.status == "success"
    (entry,) = read_log(log)
    argv = entry["argv"]
    env = entry["env"]
    assert isinstance(argv, list) and isinstance(env, dict) and isinstance(entry["stdin"], str)
    assert argv[-3:] == ["--title", hostile_title, "; rm -rf ~"]  # literal arguments
    assert env["PLANSMITH_ITEM"] == "phase_2; rm -rf ~"
    assert env["PLANSMITH_PLAN"] == "specs/plans/$(touch PWNED).md"
    assert env["PLANSMITH_TOOLS"] == "; rm -rf ~"
    assert hostile_title in entry["stdin"]
    for folder in (wt, tmp_path, isolated_home, Path.cwd()):
        assert not (folder / "PWNED").exists()
    assert isolated_home.is_dir() and (wt / MAIN_PATH).read_text() == MAIN
