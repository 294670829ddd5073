"""Plans and helpers shared by the hook tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from plansmith.hooks import install as installer

PLAN = "specs/plans/001_demo.md"
VALID = (
    "# Demo\n\n## Metadata\n- **Structure Level**: 0\n\n"
    "### Phase 1: Setup\n- [ ] a\n\n### Phase 2: Build\n- [ ] b\n"
)
NOT_UTF8 = b"\xff\xfe# Demo\n\n### Phase 1: Setup\n- [ ] a\n"
DUPLICATE_PHASE = VALID.replace("### Phase 2: Build", "### Phase 1: Again")
# Modules the hook must never import (too slow to import on every commit).
HEAVY = ("git", "pydantic", "pydantic_settings", "watchdog", "apscheduler", "markdown_it", "rich")


def write(repo: Path, rel: str, content: str | bytes) -> None:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=check)


def commit(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``git commit -q -m msg ARGS``, hooks enabled; never raises."""
    return git(repo, "commit", "-q", "-m", "change", *args, check=False)


def head_count(repo: Path) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD").stdout)


def install_hooks(repo: Path, force: bool = False) -> list[installer.HookReport]:
    return installer.install(repo, force=force, python=sys.executable)


def foreign_hook(marker: Path, status: int = 0) -> str:
    """A hook of another tool: records its arguments and standard input in ``marker``, exits ``status``."""
    return f"#!/bin/sh\nprintf 'args:%s\\n' \"$*\" > '{marker}'\ncat >> '{marker}'\nexit {status}\n"


def python_modules(repo: Path, code: str) -> tuple[int, set[str]]:
    """Run ``code`` (it sets ``rc``) in a new interpreter in ``repo``: ``rc`` and the modules imported."""
    program = f"import sys\n{code}\nprint(rc)\nprint(' '.join(sys.modules))\n"
    proc = subprocess.run(
        [sys.executable, "-P", "-c", program],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ},
    )
    first, modules = proc.stdout.splitlines()[-2:]
    return int(first), set(modules.split())
