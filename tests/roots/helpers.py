"""Plans in every default root, and small helpers for the plan-root tests."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from plansmith.cli import main

GROWTH = "".join(f"- [ ] step {n} in `src/m{n}.py` (migration, security, tests)\n" for n in range(16))


def big(title: str) -> str:
    """A plan whose phase 2 scores above the expand threshold."""
    return f"# {title}\n\n### Phase 1: Setup\n- [ ] a\n\n### Phase 2: Build\n{GROWTH}"


def small(title: str) -> str:
    return f"# {title}\n\n### Phase 1: Setup\n- [ ] a\n\n### Phase 2: Build\n- [ ] b\n"


# One plan in each of the four default roots, plus files below specs/ that are in no root.
ROOT_PLANS: dict[str, str] = {
    "specs/plans/001_feature.md": big("Feature"),
    "specs/042_search/plans/001-ranking-plan.md": big("Ranking"),
    ".claude/specs/plans/002_cleanup.md": big("Cleanup"),
    ".claude/specs/043_auth/plans/001-login-plan.md": big("Login"),
}
IDS = {
    "specs/plans/001_feature.md": "001_feature",
    "specs/042_search/plans/001-ranking-plan.md": "042_search/001-ranking-plan",
    ".claude/specs/plans/002_cleanup.md": "002_cleanup",
    ".claude/specs/043_auth/plans/001-login-plan.md": "043_auth/001-login-plan",
}
OTHER_FILES: dict[str, str] = {
    "README.md": "# repository\n",
    "specs/042_search/reports/notes.md": "# Notes\n\n### Phase 1: not a plan, not in a root\n",
    "specs/notes.md": "not a plan\n",
}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    code, out, err = run(capsys, *args, "--json")
    assert out, err
    doc: dict[str, object] = json.loads(out)
    return code, doc


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def branches(repo: Path) -> set[str]:
    return set(git(repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/plansmith/").split())
