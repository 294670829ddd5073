"""The radar's git processes do not grow with the branches: one ``rev-list`` for every merge base and
the session's one ``cat-file`` for every tree and blob (plus GitPython's ``git version`` at import),
counted by the benchmarks' git shim on PATH in a real run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from bench_support import load as bench_support  # tests/ is on sys.path

from .helpers import BASE, BASE_TEXT, Team


@pytest.mark.parametrize("branches", [2, 12])
def test_one_radar_run_starts_the_same_few_git_processes(tmp_path: Path, branches: int) -> None:
    team = Team(tmp_path)
    for n in range(branches):
        edited = BASE_TEXT.replace("ship it", f"ship it on day {n}")
        team.commit(
            f"b{n}",
            {BASE: edited, f"specs/plans/{100 + n}_x{n}.md": f"# Plan {n}\n\n## Phase 1: A\n\n- [ ] a\n"},
            "b",
        )
    support = bench_support()
    counter = support.GitCounter(tmp_path / "counter")
    counter.reset()
    result = subprocess.run(
        [sys.executable, "-m", "plansmith", "radar", "--json"],
        cwd=team.dev,
        env=counter.env(dict(os.environ)),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1, result.stderr  # every branch changes phase 3 of the base plan
    assert counter.by_command() == {"version": 2, "cat-file": 1, "rev-list": 1}
