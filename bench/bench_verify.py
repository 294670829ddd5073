"""``plansmith verify`` over a 5,000-commit history: the walk and the judgement, and the whole command.

The repository is written with ``git fast-import`` (seconds, not minutes): a plan of 200 tasks naming
files (commit 2), then ``COMMITS`` commits each changing one of 400 source files (every 50th a rename
with a change, so that renames are followed), then a commit ticking every task. Half of the named
files change after the plan was written, half never do (about 100 unbacked ticks).
Measured: :func:`plansmith.git_backend.history.read_history` plus :func:`plansmith.plan.ticks.judge_ticks`
in this process (median of ``REPEAT``), and ``python -m plansmith verify --json`` as a command (its
wall time includes the interpreter start). Goal: the walk and judgement under a second.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench._support import goal, isolated_env, ms, temp_dir

COMMITS = 5000
FILES = 400
TASKS = 200
REPEAT = 5
GOAL_S = 1.0
PLAN = "specs/plans/001_big.md"


def plan_text(ticked: bool) -> str:
    box = "x" if ticked else " "
    tasks = "".join(f"- [{box}] implement `src/f{n}.py`\n" for n in range(TASKS))
    return f"# Big\n\n## Implementation Phases\n\n### Phase 1: Everything\n{tasks}"


def _blob(path: str, text: str) -> str:
    return f"M 100644 inline {path}\ndata {len(text.encode())}\n{text}\n"


def fast_import_stream() -> str:
    """Commits as a fast-import stream; the source files changed are the even half of the tasks' files;
    every 50th commit renames one (with a change) and the next renames it back, so that renames are
    detected and followed."""
    parts: list[str] = []
    stamp = 1_700_000_000

    def commit(n: int, message: str, body: str) -> None:
        parts.append(
            f"commit refs/heads/main\ncommitter Bench <b@x> {stamp + n} +0000\n"
            f"data {len(message)}\n{message}\n{body}"  # fast-import chains commits on one branch
        )

    first = "".join(_blob(f"src/f{i}.py", f"v = {i}\n") for i in range(FILES))
    commit(0, "sources", first)
    commit(1, "plan", _blob(PLAN, plan_text(False)))
    for n in range(2, COMMITS - 1):
        target = (n * 7) % (TASKS // 2) * 2  # even files only: the odd half never changes after the plan
        if n % 50 == 0:
            body = f"R src/f{target}.py src/moved_{target}.py\n" + _blob(
                f"src/moved_{target}.py", f"v = {n}\n"
            )
        elif n % 50 == 1:
            back = ((n - 1) * 7) % (TASKS // 2) * 2
            body = f"R src/moved_{back}.py src/f{back}.py\n"
        else:
            body = _blob(f"src/f{target}.py", f"v = {n}\n")
        commit(n, f"change {n}", body)
    commit(COMMITS - 1, "tick", _blob(PLAN, plan_text(True)))
    return "".join(parts)


def make_history(repo: Path, env: dict[str, str]) -> None:
    repo.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, env=env, check=True)
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=repo, env=env, check=True, input=fast_import_stream().encode()
    )
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=repo, env=env, check=True)


def run() -> list[str]:
    from plansmith.git_backend.history import read_history
    from plansmith.git_backend.repo import find_repository
    from plansmith.plan.layout import build_plan, find_plans
    from plansmith.plan.ticks import judge_ticks

    with temp_dir("verify") as tmp:
        env = isolated_env(tmp / "home")
        repo = tmp / "repo"
        make_history(repo, env)
        count = subprocess.run(
            ["git", "rev-list", "--count", "HEAD"], cwd=repo, env=env, capture_output=True, text=True
        )
        files = {PLAN: (repo / PLAN).read_text()}
        (loc,) = find_plans(files, "specs/plans")
        plan = build_plan(files, loc)
        paths = find_repository(repo)
        times, report = [], None
        for _ in range(REPEAT):
            started = time.perf_counter()
            report = judge_ticks([plan], read_history(paths))
            times.append(time.perf_counter() - started)
        assert report is not None
        walk = statistics.median(times)
        started = time.perf_counter()
        cli = subprocess.run(
            [sys.executable, "-m", "plansmith", "verify", "--json"], cwd=repo, env=env, capture_output=True
        )
        command = time.perf_counter() - started
        assert cli.returncode == 0, cli.stderr
    return [
        f"history: {count.stdout.strip()} commits, {TASKS} ticked tasks naming files",
        f"walk + judgement: {ms(walk)} median of {REPEAT} "
        f"({len(report.unbacked)} unbacked, {report.backed} backed)",
        f"goal: walk + judgement < {GOAL_S:.0f} s: {goal(walk < GOAL_S)}",
        f"python -m plansmith verify --json: {ms(command)}",
    ]
