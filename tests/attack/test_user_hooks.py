"""Issue 18: the user's ``reference-transaction`` hook ran on every ref plansmith moved (7 per expand).

The decision (docs/security.md): plansmith's own work — proposal branches, checkpoints, ``refs/plansmith/``,
its scratch worktree — runs with the user's hooks disabled (``-c core.hooksPath=/dev/null``); approving,
which is the user's own merge into their branch, runs them as ``git merge`` would.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from git_backend.helpers import git_out

from plansmith.cli import main

GROWN = "\n".join(f"- [ ] task {n} in `src/mod{n}.py` with migration and security review" for n in range(16))
TEXT = f"# Plan\n\n### Phase 1: Small\n- [ ] one\n\n### Phase 2: Large\n{GROWN}\n"


def test_user_hooks_run_for_the_users_approval_only(
    make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo({"specs/plans/001_a.md": TEXT})
    log = repo / ".git" / "hook.log"
    for name in ("reference-transaction", "post-checkout", "pre-push", "post-merge"):
        hook = repo / ".git" / "hooks" / name
        hook.parent.mkdir(exist_ok=True)
        hook.write_text(f"#!/bin/sh\necho {name} \"$1\" >> '{log}'\nexit 0\n")
        hook.chmod(0o755)
    monkeypatch.chdir(repo)
    assert main(["expand", "specs/plans/001_a.md", "phase", "2", "--yes"]) == 0
    assert main(["proposals", "reject", "001_a"]) == 0
    assert main(["expand", "specs/plans/001_a.md", "phase", "2", "--yes"]) == 0
    capsys.readouterr()
    assert not log.exists(), log.read_text()
    assert main(["proposals", "approve", "001_a"]) == 0
    ran = log.read_text().splitlines()
    assert "reference-transaction committed" in ran  # the user's merge moved their branch
    assert git_out(repo, "branch", "--list", "plansmith/*") == ""
