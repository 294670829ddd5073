"""git processes of one command-line run, and its wall time against ``plansmith --version``.

The run is ``python -m plansmith expand specs/plans/001_bench.md --auto-analysis --yes`` on a 10-phase
plan in which 3 phases score 10 (3 expansions), in a 10-file repository. Every git process is counted by
a ``git`` shim first on PATH (:class:`bench._support.GitCounter`; GitPython's processes count too): once
for the first run of the repository (which creates plansmith's scratch worktree) and for ``REPEAT``
later runs. Goal: at most ``GOAL_PROCESSES`` git processes per run.

Wall times are measured without the shim (it adds a shell per process): ``REPEAT`` runs of the command
interleaved with ``REPEAT`` runs of ``python -m plansmith --version`` (interpreter start and the CLI's
own imports, for scale); the ratio of the medians says how much of a run is more than starting up.
The proposal branch is deleted between runs.

The daemon, for scale: ``python -m plansmith daemon`` started with the shim on PATH; after it is
running, ``DAEMON_RUNS`` times a commit makes one phase complex, and the git processes the daemon starts
from that commit until its proposal branch exists (plus ``SETTLE_S`` for the ref events it then
handles) are counted. Its session is open already: no ``git version``, no new ``cat-file``.
"""

from __future__ import annotations

import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from bench._support import (
    PLAN_PATH,
    GitCounter,
    branch_exists,
    delete_branch,
    git,
    goal,
    isolated_env,
    make_repo,
    ms,
    plan_text,
    plansmith,
    temp_dir,
)

REPEAT = 7
DAEMON_RUNS = 3
SETTLE_S = 2.0
GOAL_PROCESSES = 12
ARGS = ("expand", PLAN_PATH, "--auto-analysis", "--yes")
FILES = {
    PLAN_PATH: plan_text(10, {2, 5, 8}),
    **{f"src/file_{i}.py": f"VALUE = {i}\n" for i in range(9)},
}


def expand_once(repo: Path, env: Mapping[str, str], *, run_env: Mapping[str, str] | None = None) -> float:
    """One run of the command (in ``run_env``, default ``env``); its wall time. The proposal branch must
    exist afterwards; it is deleted (in ``env``, so that a counter does not count the deletion)."""
    started = time.perf_counter()
    result = plansmith(repo, run_env or env, *ARGS)
    elapsed = time.perf_counter() - started
    if result.returncode != 0 or not branch_exists(repo):
        raise RuntimeError(f"expand failed ({result.returncode}): {result.stderr.strip()}")
    delete_branch(repo, env)
    return elapsed


def count_processes(repo: Path, env: Mapping[str, str], counter: GitCounter) -> tuple[int, dict[str, int]]:
    """The git processes of one run of the command: how many, and how many per subcommand."""
    counter.reset()
    expand_once(repo, env, run_env=counter.env(env))
    return len(counter.calls()), counter.by_command()


def _version_once(repo: Path, env: Mapping[str, str]) -> float:
    started = time.perf_counter()
    result = plansmith(repo, env, "--version")
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"plansmith --version failed: {result.stderr.strip()}")
    return elapsed


def _wait(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def daemon_processes(repo: Path, env: Mapping[str, str], counter: GitCounter) -> list[int]:
    """Git processes the daemon starts per commit-to-proposal cycle (see the module doc)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "plansmith", "daemon"],
        cwd=repo,
        env=counter.env(env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    counts: list[int] = []
    try:

        def running() -> bool:
            return '"running": true' in plansmith(repo, env, "status", "--json").stdout

        if not _wait(running, 30.0):
            raise RuntimeError("the daemon did not start")
        time.sleep(SETTLE_S)
        for phase in range(1, DAEMON_RUNS + 1):
            counter.reset()
            (repo / PLAN_PATH).write_text(plan_text(10, {phase}), encoding="utf-8")
            git(repo, env, "commit", "-q", "-am", f"phase {phase} grows")
            if not _wait(lambda: branch_exists(repo), 30.0):
                raise RuntimeError("the daemon made no proposal")
            time.sleep(SETTLE_S)
            counts.append(len(counter.calls()))
            delete_branch(repo, env)
            time.sleep(SETTLE_S)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    return counts


def run() -> list[str]:
    with temp_dir("git") as tmp:
        env = isolated_env(tmp / "home")
        counter = GitCounter(tmp / "counter")
        repo = make_repo(tmp / "repo", env, FILES)
        first, first_by = count_processes(repo, env, counter)
        later = [count_processes(repo, env, counter) for _ in range(REPEAT)]
        runs: list[float] = []
        versions: list[float] = []
        for _ in range(REPEAT):
            runs.append(expand_once(repo, env))
            versions.append(_version_once(repo, env))
        daemon = daemon_processes(
            make_repo(tmp / "daemon", env, {PLAN_PATH: plan_text(10, set())}), env, counter
        )
    counts = sorted(n for n, _ in later)
    worst = max(first, counts[-1])
    run_median, version_median = statistics.median(runs), statistics.median(versions)
    return [
        f"git processes, first run (creates the scratch worktree): {first}",
        "  " + _by_command(first_by),
        f"git processes, later runs ({REPEAT}): {_range(counts)}",
        "  " + _by_command(later[-1][1]),
        f"goal <= {GOAL_PROCESSES} per run: {goal(worst <= GOAL_PROCESSES)}",
        f"wall time of a later run, median of {REPEAT}: {ms(run_median)} ({ms(min(runs))}-{ms(max(runs))})",
        f"plansmith --version, median of {REPEAT}: {ms(version_median)}",
        f"ratio run / --version: {run_median / version_median:.2f}",
        f"daemon: git processes per commit -> proposal, {DAEMON_RUNS} commits: {', '.join(map(str, daemon))}",
    ]


def _range(values: list[int]) -> str:
    return str(values[0]) if values[0] == values[-1] else f"{values[0]}-{values[-1]}"


def _by_command(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{name} {n}" for name, n in counts.items())
