"""Issue 18: one poison plan must not stop plansmith for every plan.

A plan file whose name holds a newline cannot be written into a commit trailer: it is refused on its
own (validate names it, expand exits 1 with a clear message and writes nothing) and the daemon proposes
for every other plan. A plan that fails unexpectedly backs off alone. A symlink loop in a plan root is
skipped with a warning instead of an internal error.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from git_helper import MakeRepo
from git_helper import run_git as git

from plansmith.cli import main
from plansmith.daemon.engine_handler import EngineHandler
from plansmith.daemon.handler import RunContext
from plansmith.plan.names import name_problem, shown
from plansmith.workspace import open_workspace

GROWN = "\n".join(f"- [ ] task {n} in `src/mod{n}.py` with migration and security review" for n in range(16))
TEXT = f"# Plan\n\n### Phase 1: Small\n- [ ] one\n\n### Phase 2: Large\n{GROWN}\n"
POISON = "specs/plans/002_b\nx.md"


@pytest.fixture
def repo(repo_here: MakeRepo) -> Path:
    return repo_here({"specs/plans/001_a.md": TEXT, POISON: TEXT, "specs/plans/003_c.md": TEXT})


def branches(repo: Path) -> list[str]:
    return git(repo, "for-each-ref", "--format=%(refname)", "refs/heads/plansmith/").split()


def test_the_name_rule() -> None:
    assert name_problem("specs/plans/001 my plan+%.md") is None  # a branch name escapes these
    assert name_problem("specs/plans/a\nb.md") == (
        "its name holds a newline, which cannot be written into a commit message"
    )
    assert "control character \\x1b" in (name_problem("specs/plans/a\x1bb.md") or "")
    assert name_problem("specs/plans/a\u2028b.md") is not None
    assert shown("a\nb\tc") == "a\\nb\\tc"


def test_validate_names_the_plan_on_one_line(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 1
    out = "".join(capsys.readouterr())
    assert "specs/plans/002_b\\nx.md: plansmith cannot propose changes to this plan: its name holds a" in out
    assert "[unusable-file-name]" in out


def test_expand_refuses_the_poison_plan_and_writes_nothing(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["expand", str(repo / POISON), "--auto-analysis", "--yes", "--json"]) == 1
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["type"] == "plan"
    assert error["message"].startswith("specs/plans/002_b\\nx.md: plansmith cannot propose changes")
    assert "rename the plan file" in error["hint"]
    assert branches(repo) == []
    assert git(repo, "for-each-ref", "refs/plansmith/") == ""  # no checkpoint
    assert not (repo / ".git/plansmith/runs").exists() or not any((repo / ".git/plansmith/runs").iterdir())


def test_daemon_once_proposes_for_every_other_plan(repo: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "plansmith", "daemon", "--once"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1  # one plan failed (the others were handled): a script sees it
    assert branches(repo) == ["refs/heads/plansmith/001_a", "refs/heads/plansmith/003_c"]
    state = json.loads((repo / ".git/plansmith/state.json").read_text())
    failed = [r for r in state["last_runs"] if r["plan"] and "002_b" in r["plan"]]
    assert failed and failed[0]["result"] == "failed"
    assert "cannot propose changes to this plan" in failed[0]["errors"][0]
    assert git(repo, "for-each-ref", "refs/plansmith/checkpoints/") == ""


def test_an_unexpected_failure_backs_off_alone(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from plansmith.engine import decisions

    real = decisions.propose_automatically

    def poisoned(ws, loc, **kwargs):  # type: ignore[no-untyped-def]
        if loc.main_path == "specs/plans/001_a.md":
            raise RuntimeError("a bug met in one plan")
        return real(ws, loc, **kwargs)

    monkeypatch.setattr(decisions, "propose_automatically", poisoned)
    handler = EngineHandler(open_workspace(str(repo)))
    context = RunContext("commit", threading.Event(), lambda status: None)
    records = {r.plan: r for r in handler.handle_committed(None, context)}
    assert records["001_a"].result == "failed (retried in 30 s)"
    assert records["001_a"].errors == ["RuntimeError: a bug met in one plan"]
    assert "refs/heads/plansmith/003_c" in branches(repo)
    again = handler.handle_committed(None, context)  # within the backoff: the plan waits, alone
    assert [r.plan for r in again if r.plan == "001_a"] == []
    assert handler.backoff.waiting("001_a")


def test_a_symlink_loop_is_skipped_with_a_warning(
    make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root: Path = make_repo({"specs/plans/001_a.md": TEXT})
    (root / "specs/plans/loop.md").symlink_to("loop.md")
    monkeypatch.chdir(root)
    assert main(["validate"]) == 0
    out = "".join(capsys.readouterr())
    assert "specs/plans/loop.md: warning: a link that leads back to itself (a loop)" in out
    assert main(["analyze", "specs/plans/001_a.md"]) == 0
    assert main(["analyze", "specs/plans/loop.md"]) == 1
    assert "internal error" not in capsys.readouterr().err


def test_publishing_never_writes_through_a_link_out_of_the_worktree(tmp_path: Path) -> None:
    from plansmith.engine.publish import write_changes
    from plansmith.errors import PlanError

    root, outside = tmp_path / "scratch", tmp_path / "outside"
    (root / "specs/plans").mkdir(parents=True)
    outside.mkdir()
    (root / "specs/plans/001_a").symlink_to(outside)
    (root / "specs/plans/loop").symlink_to("loop")
    for path in ("specs/plans/001_a/phase_1_x.md", "specs/plans/loop/phase_1_x.md"):
        with pytest.raises(PlanError) as info:
            write_changes(root, {}, {path: "text\n"})
        assert "outside the repository; refused" in info.value.message
    assert list(outside.iterdir()) == []
