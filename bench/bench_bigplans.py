"""Big plans (issue 18): 1k / 10k / 100k phases through the command line, to show linear growth.

Each size is one plan of ``N`` phases, each with a dependency on the phase before it (one
``N``-long chain: the worst case for the waves) and a task, committed in a repository of its own.
The 100,000-phase plan is about 4.9 MB, under the 5 MiB default limit of one plan file. Measured,
wall time of ``python -m plansmith ...`` as a user runs it, median of ``REPEAT``:

- ``analyze PLAN`` (the table of every phase),
- ``waves PLAN --format mermaid``,
- ``expand PLAN phase N/2 --yes`` (one phase; the proposal branch is deleted between runs).

Printed: the median wall time, the median CPU time (of the process and the git processes it
waited for: steadier than wall time on a shared machine), CPU µs per phase, and the growth from the
size before (ten times fewer phases: linear is about x10, quadratic about x100). Goal: under 10 s
(wall) each at 100,000 phases. A command that
runs past ``TIMEOUT_S`` is stopped and shown as "> TIMEOUT_S s" (for "before" figures of old code).
``BENCH_BIGPLANS_SIZES=1000,10000,20000`` measures other sizes.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

from bench._support import branch_exists, delete_branch, isolated_env, make_repo, plansmith, temp_dir

SIZES = (1_000, 10_000, 100_000)
REPEAT = 3
TIMEOUT_S = 120.0
GOAL_S = 10.0
GOAL_AT = 100_000
PLAN_NAME = "001_big"
PLAN_PATH = f"specs/plans/{PLAN_NAME}.md"
BRANCH = f"plansmith/{PLAN_NAME}"


def big_plan_text(phases: int) -> str:
    """A level-0 plan of ``phases`` phases, each depending on the one before it, one task each."""
    body = "".join(
        f"### Phase {n}: P{n}\n" + (f"Dependencies: {n - 1}\n" if n > 1 else "") + "- [ ] t\n"
        for n in range(1, phases + 1)
    )
    return f"# Plan: Big\n\n## Overview\nA big plan.\n\n## Implementation Phases\n\n{body}"


def _commands(phases: int) -> dict[str, tuple[str, ...]]:
    return {
        "analyze": ("analyze", PLAN_PATH),
        "waves --format mermaid": ("waves", PLAN_PATH, "--format", "mermaid"),
        "expand one phase": ("expand", PLAN_PATH, "phase", str(phases // 2), "--yes"),
    }


Timing = tuple[float, float]  # wall seconds, CPU seconds (the process and the children it waited for)


def _run_once(repo: Path, env: Mapping[str, str], args: tuple[str, ...]) -> Timing | None:
    """Wall and CPU seconds of one ``python -m plansmith ARGS``, or None when it ran past the timeout."""
    cpu_before = _children_cpu()
    started = time.perf_counter()
    try:
        result = plansmith(repo, env, *args, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return None
    elapsed = time.perf_counter() - started
    cpu = _children_cpu() - cpu_before
    if result.returncode != 0:
        raise RuntimeError(f"plansmith {' '.join(args)} failed ({result.returncode}): {result.stderr[-400:]}")
    if args[0] == "expand":
        if not branch_exists(repo, BRANCH):
            raise RuntimeError("expand exited 0 without a proposal branch")
        delete_branch(repo, env, BRANCH)
    return elapsed, cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _median(repo: Path, env: Mapping[str, str], args: tuple[str, ...]) -> Timing | None:
    """The medians of ``REPEAT`` runs; None (and no more runs) once one run timed out."""
    values: list[Timing] = []
    for _ in range(REPEAT):
        value = _run_once(repo, env, args)
        if value is None:
            return None
        values.append(value)
    return statistics.median(v[0] for v in values), statistics.median(v[1] for v in values)


def _sizes() -> tuple[int, ...]:
    raw = os.environ.get("BENCH_BIGPLANS_SIZES", "")
    return tuple(int(part) for part in raw.split(",") if part.strip()) or SIZES


def _row(label: str, phases: int, timing: Timing | None, previous: tuple[int, Timing | None] | None) -> str:
    if timing is None:
        return f"{label:<24} {phases:>7,} phases: > {TIMEOUT_S:.0f} s"
    wall, cpu = timing
    line = (
        f"{label:<24} {phases:>7,} phases: wall {wall:6.2f} s, CPU {cpu:6.2f} s, "
        f"{cpu / phases * 1e6:6.1f} µs CPU/phase"
    )
    if previous is not None and previous[1] is not None:
        growth = phases / previous[0]
        line += (
            f"  x{wall / previous[1][0]:.1f} wall, x{cpu / previous[1][1]:.1f} CPU for x{growth:.0f} phases"
        )
    if phases == GOAL_AT:
        line += f"  (goal < {GOAL_S:.0f} s: {'met' if wall < GOAL_S else 'NOT MET'})"
    return line


def run() -> list[str]:
    out: list[str] = []
    sizes = _sizes()
    with temp_dir("bigplans") as tmp:
        env = isolated_env(tmp / "home")
        repos = {}
        for phases in sizes:
            text = big_plan_text(phases)
            repos[phases] = make_repo(tmp / f"repo{phases}", env, {PLAN_PATH: text})
            out.append(f"plan of {phases:,} phases: {len(text.encode('utf-8')):,} bytes")
        out.append(f"python -m plansmith ..., medians of {REPEAT} runs:")
        for label in _commands(1):
            previous: tuple[int, Timing | None] | None = None
            for phases in sizes:
                timing = _median(repos[phases], env, _commands(phases)[label])
                out.append(_row(label, phases, timing, previous))
                previous = (phases, timing)
    return out
