"""expand --agent with small fake agent programs that really run (configured in the user settings)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from git_helper import MakeRepo

from plansmith.cli import main
from plansmith.engine.decisions import propose_automatically
from plansmith.workspace import open_workspace

FAKE = Path(__file__).resolve().parent.parent / "agents" / "fake_agents" / "fake_agent.py"
TASKS = "\n".join(f"- [ ] step {n} in `src/m{n}.py` with a migration and security review" for n in range(16))
PLAN = "# Plan\n\n" + "".join(f"### Phase {n}: Part {n}\n{TASKS}\n\n" for n in range(1, 4))
PATH = "specs/plans/001_feature.md"


def configure(home: Path, mode: str, *args: str, timeout: float = 5.0, attempts: int = 2) -> None:
    config = home / ".config" / "plansmith" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        "[agents.fake]\n"
        f"command = {json.dumps([sys.executable, str(FAKE), mode, *args])}\n"
        f"timeout_s = {timeout}\nmax_attempts = {attempts}\n"
        'tools = ["Read", "Write"]\nfallback_tools = ["Read"]\n'
    )


def branch_file(repo: Path, path: str) -> str:
    return subprocess.run(
        ["git", "show", f"plansmith/001_feature:{path}"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def repo(repo_here: MakeRepo) -> Path:
    return repo_here({PATH: PLAN})


def expand(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict[str, object], str]:
    code = main(["expand", PATH, "--auto-analysis", "--yes", "--json", "--agent", "fake", *extra])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


def test_an_accepted_elaboration_lands_in_the_proposal(repo, isolated_home, capsys) -> None:  # type: ignore[no-untyped-def]
    configure(isolated_home, "elaborate")
    code, doc, err = expand(capsys)
    assert code == 0, err
    assert doc["summary"] == {"total": 3, "successful": 3, "failed": 0}
    text = branch_file(repo, "specs/plans/001_feature/phase_1_part_1.md")
    assert text.count("- [ ]") > 16  # the agent added tasks, none dropped
    assert (
        subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True).stdout
        == ""
    )


def test_a_rejected_elaboration_keeps_the_structural_result(repo, isolated_home, capsys) -> None:  # type: ignore[no-untyped-def]
    configure(isolated_home, "drop-task")
    code, _, err = expand(capsys)
    assert code == 0
    assert "warning" in err and "task dropped" in err
    text = branch_file(repo, "specs/plans/001_feature/phase_1_part_1.md")
    assert text.count("- [ ]") == 16


def test_a_required_agent_that_fails_fails_its_items(repo, isolated_home, capsys) -> None:  # type: ignore[no-untyped-def]
    configure(isolated_home, "fail")
    code, doc, _ = expand(capsys, "--agent-required")
    assert code == 1
    assert doc["summary"] == {"total": 3, "successful": 0, "failed": 3}
    assert doc["proposal"] is None


def test_writing_outside_the_target_is_rejected(repo, isolated_home, capsys) -> None:  # type: ignore[no-untyped-def]
    configure(isolated_home, "outside")
    code, _, err = expand(capsys)
    assert code == 0 and "warning" in err
    files = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", "plansmith/001_feature"],
        cwd=repo,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert all(f.startswith("specs/plans/001_feature/") for f in files)


def test_agents_run_in_parallel(repo, isolated_home, capsys) -> None:  # type: ignore[no-untyped-def]
    configure(isolated_home, "sleep", "1.0")
    start = time.monotonic()
    code, doc, _ = expand(capsys, "--parallel", "3")
    elapsed = time.monotonic() - start
    assert code == 0 and doc["summary"]["successful"] == 3  # type: ignore[index]
    sequential_start = time.monotonic()
    subprocess.run(
        ["git", "branch", "-D", "plansmith/001_feature"], cwd=repo, check=True, capture_output=True
    )
    assert expand(capsys, "--sequential")[0] == 0
    sequential = time.monotonic() - sequential_start
    assert elapsed < sequential * 0.75, (elapsed, sequential)


def test_an_agents_table_in_the_repository_is_never_run(repo, isolated_home, capsys) -> None:  # type: ignore[no-untyped-def]
    marker = repo.parent / "AGENT_RAN"
    (repo / "plansmith.toml").write_text(
        f'agent = "evil"\n[agents.evil]\ncommand = ["touch", {json.dumps(str(marker))}]\n'
    )
    code = main(["expand", PATH, "--auto-analysis", "--yes", "--json", "--agent", "evil"])
    out, _ = capsys.readouterr()
    error = json.loads(out)["error"]
    assert code == 1 and "'evil'" in error["message"]
    assert "config.toml" in error["hint"]  # says where agents may be defined: the user's settings
    assert not marker.exists()


def test_an_automatic_runs_agent_warning_goes_to_the_log(repo, isolated_home, caplog) -> None:  # type: ignore[no-untyped-def]
    """The daemon and CI show no report, but an agent's warning belongs in their log."""
    configure(isolated_home, "drop-task")
    config = isolated_home / ".config" / "plansmith" / "config.toml"
    config.write_text('agent = "fake"\n' + config.read_text())
    ws = open_workspace(None)
    (ref,) = ws.plans()
    with caplog.at_level("WARNING", logger="plansmith.engine.decisions"):
        outcome = propose_automatically(ws, ref.location)
    assert outcome is not None and outcome.proposal is not None
    warned = [r.getMessage() for r in caplog.records if r.name == "plansmith.engine.decisions"]
    assert warned and all(m.startswith("phase_") for m in warned)
    assert any("task dropped" in m for m in warned)
