"""How many git processes one command-line run starts (issue 10): counted by a git shim on PATH.

The run is the benchmark's (``bench/bench_git.py``): ``expand PLAN --auto-analysis --yes`` on a plan
with 3 phases to expand. A count is not a timing, so it is a test: at most 12 processes, the first run
of a repository (which creates the scratch worktree) included, and none of the questions that the
repository's files answer (refs, HEAD, config, the commit's trailers) asked of git.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench_support import load as bench_support  # tests/ is on sys.path

GOAL = 12
ANSWERED_FROM_FILES = {"rev-parse", "symbolic-ref", "for-each-ref", "config", "log", "ls-tree", "mktree"}


def test_one_expand_run_starts_at_most_twelve_git_processes(tmp_path: Path) -> None:
    support = bench_support()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANSMITH_")}
    repo = tmp_path / "repo"
    support.make_repo(repo, env, {support.PLAN_PATH: support.plan_text(10, {2, 5, 8}), "README.md": "x\n"})
    counter = support.GitCounter(tmp_path / "counter")
    counts: list[dict[str, int]] = []
    for _run in range(2):  # the first creates the scratch worktree; the second is every later run
        counter.reset()
        result = subprocess.run(
            [sys.executable, "-m", "plansmith", "expand", support.PLAN_PATH, "--auto-analysis", "--yes"],
            cwd=repo,
            env=counter.env(env),
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
        assert support.branch_exists(repo)
        counts.append(counter.by_command())
        support.delete_branch(repo, env)
    first, later = counts
    print(f"\nfirst run: {sum(first.values())} {first}\nlater run: {sum(later.values())} {later}")
    assert sum(first.values()) <= GOAL
    assert sum(later.values()) <= GOAL
    assert not ANSWERED_FROM_FILES & (set(first) | set(later))
    assert later.get("cat-file") == 1  # one persistent object reader for the whole run
