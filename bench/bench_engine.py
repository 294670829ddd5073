"""Engine: run latency of ``plansmith expand PLAN --auto-analysis --yes`` and its context reduction.

Latency is wall time from process start to exit of ``python -m plansmith expand`` (the proposal branch
exists when it exits; checked after every run) on a 10-phase plan with 3 phases scoring 10 (3
expansions), in a 10-file repository and in a 50,000-file repository, runs interleaved, median of
``REPEAT`` runs each after one warm-up run (the first run of a repository creates plansmith's scratch
worktree). The proposal branch is deleted between runs. Goals: small-repository median < 400 ms;
big / small <= 1.5.

Context reduction: one more run of the same command with ``artifacts.cleanup`` wrapped so that the run
folder is measured just before a successful run deletes it: bytes of the aggregate the coordinator reads
(``json.dumps`` of the references) against the full records, and against the records plus the files they
list as created or modified. Goal >= 90 %.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from bench._support import (
    BRANCH,
    PLAN_PATH,
    branch_exists,
    context_lines,
    delete_branch,
    git,
    goal,
    isolated_env,
    make_repo,
    measure_context,
    ms,
    plan_text,
    plansmith,
    temp_dir,
)

REPEAT = 7
BIG_FILES = 50_000
GOAL_SMALL_S = 0.400
GOAL_RATIO = 1.5
GOAL_REDUCTION = 0.90
PLAN = plan_text(10, {2, 5, 8})
ARGS = ("expand", PLAN_PATH, "--auto-analysis", "--yes")


def _big_repo(repo: Path, env: dict[str, str], count: int) -> None:
    """``count`` small files in nested folders outside specs/ plus the plan: one commit by
    ``git fast-import``, then checked out (``git reset --hard``) so the worktree holds every file."""
    repo.mkdir(parents=True)
    git(repo, env, "init", "-q", "-b", "main")
    chunks = [b"commit refs/heads/main\ncommitter Bench User <bench@example.invalid> 1795000000 +0000\n"]
    chunks.append(b"data 8\ninitial\n")
    for i in range(count):
        path = f"src/pkg{i // 2500:02d}/mod{(i // 100) % 25:02d}/file_{i:05d}.py"
        content = f"# file {i}\nVALUE = {i}\n".encode()
        chunks.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(content), content))
    plan = PLAN.encode()
    chunks.append(b"M 100644 inline %s\ndata %d\n%s\n" % (PLAN_PATH.encode(), len(plan), plan))
    git(repo, env, "fast-import", "--quiet", input=b"".join(chunks))
    git(repo, env, "reset", "-q", "--hard", "main")


def _one_run(repo: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = plansmith(repo, env, *ARGS)
    elapsed = time.perf_counter() - started
    if result.returncode != 0 or not branch_exists(repo):
        raise RuntimeError(f"expand failed ({result.returncode}): {result.stderr.strip()}")
    delete_branch(repo, env)
    return elapsed


def run() -> list[str]:
    out: list[str] = []
    with temp_dir("engine") as tmp:
        env = isolated_env(tmp / "home")
        small = make_repo(
            tmp / "small", env, {PLAN_PATH: PLAN, **{f"src/file_{i}.py": f"VALUE = {i}\n" for i in range(9)}}
        )
        started = time.perf_counter()
        big = tmp / "big"
        _big_repo(big, env, BIG_FILES)
        setup_s = time.perf_counter() - started
        tracked = len(git(big, env, "ls-files").splitlines())
        out.append(f"setup: {tracked:,}-file repository made in {setup_s:.1f} s (fast-import + reset --hard)")

        first_small, first_big = _one_run(small, env), _one_run(big, env)
        smalls: list[float] = []
        bigs: list[float] = []
        for _ in range(REPEAT):  # interleaved, so that drift of the machine hits both alike
            smalls.append(_one_run(small, env))
            bigs.append(_one_run(big, env))
        s, b = statistics.median(smalls), statistics.median(bigs)
        ratio = b / s
        out.append(
            f"first run (creates the scratch worktree): 10 files {ms(first_small)}, "
            f"{BIG_FILES:,} files {ms(first_big)}"
        )
        out.append(
            f"expand --auto-analysis (3 expansions), median of {REPEAT}: 10 files {ms(s)} "
            f"(min {ms(min(smalls))}, max {ms(max(smalls))}); {BIG_FILES:,} files {ms(b)} "
            f"(min {ms(min(bigs))}, max {ms(max(bigs))})"
        )
        out.append(f"ratio big/small {ratio:.2f} (goal <= {GOAL_RATIO}: {goal(ratio <= GOAL_RATIO)})")
        out.append(f"small repository {ms(s)} (goal < {ms(GOAL_SMALL_S)}: {goal(s < GOAL_SMALL_S)})")

        start_s = statistics.median([_timed_call(small, env, ("--version",)) for _ in range(REPEAT)])
        out.append(f"for scale: python -m plansmith --version, median of {REPEAT}: {ms(start_s)}")

        data = measure_context(small, env, (*ARGS, "--json"), tmp)
        delete_branch(small, env)
        out += context_lines(data, "3 expansions", GOAL_REDUCTION)
        assert not branch_exists(small, BRANCH)
    return out


def _timed_call(repo: Path, env: dict[str, str], args: tuple[str, ...]) -> float:
    started = time.perf_counter()
    if plansmith(repo, env, *args).returncode != 0:
        raise RuntimeError(f"plansmith {' '.join(args)} failed")
    return time.perf_counter() - started
