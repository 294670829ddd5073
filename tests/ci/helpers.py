"""A bare remote, fresh clones of it as CI runners, and plansmith ci run in them (in-process or as a
real process). Real git everywhere; no mocks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from plansmith.cli import main

PLAN = "specs/plans/001_feature.md"
OTHER = "specs/plans/002_small.md"
BRANCH = "plansmith/001_feature"
MEMORY = "refs/plansmith/ci/memory"
GROWN = "\n".join(f"- [ ] task {n} in `src/mod{n}.py` with migration and security review" for n in range(16))
TEXT = f"""# Feature: Plan

### Phase 1: Small
- [ ] one

### Phase 2: Large
{GROWN}
"""
SMALL = "# Small: Plan\n\n### Phase 1: Only\n- [ ] one\n"
CI_VARIABLES = ("GITHUB_HEAD_REF", "GITHUB_REF_NAME", "CI_COMMIT_REF_NAME", "GH_TOKEN", "GITHUB_TOKEN")


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


def remote_refs(remote: Path) -> dict[str, str]:
    """Every ref of the bare remote: what a run pushed, or did not."""
    out = git(remote, "for-each-ref", "--format=%(refname) %(objectname)")
    return dict(line.split(" ", 1) for line in out.splitlines())


def memory_of(remote: Path) -> dict[str, object]:
    doc: dict[str, object] = json.loads(git(remote, "show", f"{MEMORY}:memory.json"))
    return doc


class Remote:
    """``origin.git`` and a developer's clone of it (``dev``) to change it as people do."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root, self.count = root, 0
        for name in CI_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        self.bare = root / "origin.git"
        git(root, "init", "-q", "--bare", "-b", "main", str(self.bare))
        self.dev = root / "dev"
        git(root, "clone", "-q", str(self.bare), str(self.dev))
        self.write({PLAN: TEXT, OTHER: SMALL, "README.md": "# app\n"}, "plans")

    def write(self, files: dict[str, str], message: str, branch: str = "main") -> str:
        """Commit ``files`` on ``branch`` in the developer's clone and push it; the new commit."""
        for rel, text in files.items():
            (self.dev / rel).parent.mkdir(parents=True, exist_ok=True)
            (self.dev / rel).write_text(text)
        git(self.dev, "add", "-A")
        git(self.dev, "commit", "-qm", message)
        git(self.dev, "push", "-q", "origin", f"HEAD:refs/heads/{branch}")
        return git(self.dev, "rev-parse", "HEAD")

    def runner(self, *, detached: bool = False) -> Path:
        """A fresh clone, as a CI runner has: on main, or on a detached HEAD as GitLab CI checks out."""
        self.count += 1
        clone = self.root / f"runner{self.count}"
        git(self.root, "clone", "-q", str(self.bare), str(clone))
        if detached:
            git(clone, "checkout", "-q", "--detach", "HEAD")
        return clone


def ci(capsys: pytest.CaptureFixture[str], clone: Path, *args: str) -> tuple[int, dict[str, object]]:
    """``plansmith ci --json`` in ``clone`` (in this process): exit code and document."""
    code = main(["--repo", str(clone), "ci", "--json", *args])
    out, err = capsys.readouterr()
    assert out.strip(), err
    doc: dict[str, object] = json.loads(out)
    return code, doc


def ci_process(clone: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """``plansmith ci --json`` as a process of its own, started and not waited for."""
    return subprocess.Popen(
        [sys.executable, "-m", "plansmith", "ci", "--json", *args],
        cwd=clone,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def install_fake_gh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, program: str, state: str) -> Path:
    """A stand-in ``gh`` (``program``, a Python script that appends each call to ``$FAKE_GH_LOG`` and
    keeps what it made in ``$FAKE_GH_STATE``) first on PATH, with a token; the call log's path."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(program)
    gh.chmod(0o755)
    log = tmp_path / "gh.log"
    log.write_text("")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_GH_LOG", str(log))
    monkeypatch.setenv("FAKE_GH_STATE", str(tmp_path / state))
    monkeypatch.setenv("GH_TOKEN", "not-a-real-token")
    return log
