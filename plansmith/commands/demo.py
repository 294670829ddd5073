"""``plansmith demo [--keep]``: the whole cycle on a throw-away repository, with embedded defaults only.

A sample plan is committed and the daemon started; a commit makes phase 3 complex; the daemon
analyses it and proposes the expansion on a branch (the user's files untouched); the demo shows the
analysis and the diff, approves by merging, validates, and stops the daemon. Every step runs the
same code as the real commands, through real git. Nothing outside the throw-away folder is touched.
It must not hold engine logic of its own: it only drives the real commands.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

from plansmith.git_backend.cmd import git
from plansmith.git_backend.messages import parse_identity

PLAN = "specs/plans/001_team_workspaces.md"


def _step(title: str) -> None:
    print(f"\n\033[1m==> {title}\033[0m" if sys.stdout.isatty() else f"\n==> {title}", flush=True)


def _plansmith(repo: Path, *args: str) -> int:
    print(f"$ plansmith {' '.join(args)}", flush=True)
    return subprocess.run([sys.executable, "-m", "plansmith", *args], cwd=repo, check=False).returncode


def _git(repo: Path, *args: str) -> str:
    return git(
        list(args), cwd=repo, env=parse_identity("Demo User <demo@example.invalid>").env()
    ).stdout.decode()


def _sample(name: str) -> str:
    return resources.files("plansmith.data").joinpath(name).read_text(encoding="utf-8")


def run_demo(*, keep: bool = False) -> int:
    folder = Path(tempfile.mkdtemp(prefix="plansmith-demo-"))
    repo = folder / "repo"
    repo.mkdir()
    try:
        _step(f"A throw-away repository in {repo} with a sample plan")
        _git(repo, "init", "-q", "-b", "main")
        plan = repo / PLAN
        plan.parent.mkdir(parents=True)
        plan.write_text(_sample("sample_plan.md"), encoding="utf-8")
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", "Add the team workspaces plan")
        _plansmith(repo, "analyze", PLAN)

        _step("Start the daemon (it watches specs/plans/ and the repository's HEAD)")
        daemon = subprocess.Popen([sys.executable, "-m", "plansmith", "daemon"], cwd=repo)
        try:
            time.sleep(1.5)
            _step("Phase 3 grows: twelve more tasks, a migration, security work; then a commit")
            plan.write_text(plan.read_text(encoding="utf-8") + _sample("sample_phase3_growth.md"), "utf-8")
            time.sleep(1.5)
            _plansmith(repo, "status")  # the uncommitted edit is analysed, not yet proposed
            before = _git(repo, "status", "--porcelain")
            _git(repo, "commit", "-q", "-am", "Plan the permissions work in detail")
            committed = time.monotonic()
            while "plansmith/" not in _git(repo, "branch", "--list") and time.monotonic() - committed < 30:
                time.sleep(0.1)
            print(f"proposal arrived {time.monotonic() - committed:.1f} s after the commit")
            assert _git(repo, "status", "--porcelain") == "", "the demo's working tree changed"
            del before
            _plansmith(repo, "status")
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=15)
        _plansmith(repo, "analyze", PLAN)

        _step("The proposal: analysis in the commit message, and the diff")
        _plansmith(repo, "proposals", "show", "001_team_workspaces")

        _step("Approve it by merging, then validate the result")
        _plansmith(repo, "proposals", "approve", "001_team_workspaces")
        print(_git(repo, "log", "--oneline", "-3"), end="")
        print(_git(repo, "ls-files", "specs/plans"), end="")
        status = _plansmith(repo, "validate")
        _step("Done" + (f": the repository stays in {repo}" if keep else ""))
        return status
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


def main(args: argparse.Namespace) -> int:
    return run_demo(keep=args.keep)
