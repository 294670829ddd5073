"""Helpers shared by the end-to-end benchmarks (the runner skips modules whose name starts with ``_``).

Every subprocess gets a temporary ``HOME`` / ``XDG_*`` with a git identity of its own, so nothing of the
real user's git or plansmith configuration is read or written.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

PLAN_NAME = "001_bench"
PLAN_PATH = f"specs/plans/{PLAN_NAME}.md"
BRANCH = f"plansmith/{PLAN_NAME}"

# 16 tasks naming files, with risk words: a phase with these scores 10 (expand threshold: 8).
COMPLEX_TASKS = "".join(
    f"- [ ] step {n} in `src/m{n}.py` with a migration and security review\n" for n in range(16)
)

_ENV_DROP = ("PLANSMITH_", "GIT_", "XDG_", "NOTIFY_SOCKET", "WATCHDOG_", "LISTEN_")


@contextmanager
def temp_dir(label: str) -> Iterator[Path]:
    """A fresh temporary folder, removed afterwards (also on failure)."""
    path = Path(tempfile.mkdtemp(prefix=f"plansmith-bench-{label}-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def isolated_env(home: Path) -> dict[str, str]:
    """The environment for plansmith and git: this process's, with a throw-away home and identity."""
    home.mkdir(parents=True, exist_ok=True)
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Bench User\n\temail = bench@example.invalid\n"
        "[init]\n\tdefaultBranch = main\n[gc]\n\tauto = 0\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(_ENV_DROP)}
    # Users have bytecode caches: without them every measured start would compile plansmith from source.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="Bench User",
        GIT_AUTHOR_EMAIL="bench@example.invalid",
        GIT_COMMITTER_NAME="Bench User",
        GIT_COMMITTER_EMAIL="bench@example.invalid",
    )
    return env


def git(repo: Path, env: Mapping[str, str], *args: str, input: bytes | None = None) -> str:
    result = subprocess.run(
        ["git", *args], cwd=repo, env=dict(env), input=input, capture_output=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout.decode("utf-8", "replace")


def make_repo(repo: Path, env: Mapping[str, str], files: Mapping[str, str]) -> Path:
    """A git repository on branch ``main`` with ``files`` committed."""
    repo.mkdir(parents=True)
    git(repo, env, "init", "-q", "-b", "main")
    for rel, text in files.items():
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    git(repo, env, "add", "-A")
    git(repo, env, "commit", "-q", "-m", "initial")
    return repo


def plansmith(
    repo: Path, env: Mapping[str, str], *args: str, timeout: float | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m plansmith ARGS`` in ``repo`` (the interpreter running the benchmarks); past
    ``timeout`` seconds it raises ``subprocess.TimeoutExpired``."""
    return subprocess.run(
        [sys.executable, "-m", "plansmith", *args],
        cwd=repo,
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def simple_phase(n: int) -> str:
    tasks = f"- [ ] write `src/p{n}.py`\n- [ ] test it\n"
    return f"### Phase {n}: Part {n}\n**Objective**: small piece {n}\n\n{tasks}\n"


def complex_phase(n: int) -> str:
    return f"### Phase {n}: Part {n}\n**Objective**: big piece {n}\n\n{COMPLEX_TASKS}\n"


def plan_text(phases: int, complex_phases: set[int]) -> str:
    """A level-0 plan with ``phases`` phases; those in ``complex_phases`` score 10, the others about 3."""
    body = "".join(complex_phase(n) if n in complex_phases else simple_phase(n) for n in range(1, phases + 1))
    return f"# Plan: Bench\n\n## Overview\nA plan for the benchmarks.\n\n## Implementation Phases\n\n{body}"


def branch_exists(repo: Path, branch: str = BRANCH) -> bool:
    """Whether ``refs/heads/BRANCH`` exists, read from the files (no git process: cheap to poll)."""
    if (repo / ".git" / "refs" / "heads" / branch).is_file():
        return True
    packed = repo / ".git" / "packed-refs"
    try:
        return f" refs/heads/{branch}\n" in packed.read_text(encoding="utf-8")
    except OSError:
        return False


def delete_branch(repo: Path, env: Mapping[str, str], branch: str = BRANCH) -> None:
    git(repo, env, "branch", "-q", "-D", branch)


def median_of(fn: Callable[[], float], repeat: int) -> tuple[float, list[float]]:
    values = [fn() for _ in range(repeat)]
    return statistics.median(values), values


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def goal(ok: bool) -> str:
    return "met" if ok else "NOT MET"


# The git process counter: a ``git`` script put first on PATH that appends its arguments to a log and then
# execs the real git. Every git process counts, whoever starts it (plansmith's wrapper, GitPython's
# persistent ``cat-file`` and its import-time ``git version``). The log's variable must not start with
# ``GIT_`` (plansmith's wrapper drops those) nor ``PLANSMITH_`` (settings).
GIT_LOG_VAR = "BENCH_GIT_LOG"
_SHIM = '#!/bin/sh\nprintf \'%s\\n\' "$*" >> "$BENCH_GIT_LOG"\nexec {git} "$@"\n'


class GitCounter:
    """Counts the git processes of the commands run with :meth:`env` (see the comment above)."""

    def __init__(self, folder: Path) -> None:
        real = shutil.which("git")
        if real is None:
            raise RuntimeError("git is not on PATH")
        self.bin = folder / "bin"
        self.bin.mkdir(parents=True, exist_ok=True)
        self.log = folder / "git-processes.log"
        shim = self.bin / "git"
        shim.write_text(_SHIM.format(git=shlex.quote(str(Path(real).resolve()))), encoding="utf-8")
        shim.chmod(0o755)

    def env(self, base: Mapping[str, str]) -> dict[str, str]:
        """``base`` with the shim first on PATH and the log variable set."""
        path = f"{self.bin}{os.pathsep}{base.get('PATH', os.defpath)}"
        return {**base, "PATH": path, GIT_LOG_VAR: str(self.log)}

    def reset(self) -> None:
        self.log.write_text("", encoding="utf-8")

    def calls(self) -> list[str]:
        """One line per git process since :meth:`reset`: its arguments joined by spaces."""
        try:
            return self.log.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []

    def by_command(self) -> dict[str, int]:
        """How many processes per git subcommand (``rev-parse``, ``update-ref``, ...), most first."""
        counts: dict[str, int] = {}
        for line in self.calls():
            name = subcommand(line.split(" "))
            counts[name] = counts.get(name, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def subcommand(argv: Sequence[str]) -> str:
    """The subcommand of a git command line, skipping global options (``-c k=v``, ``--no-pager`` ...)."""
    words = iter(argv)
    for word in words:
        if word in ("-c", "-C"):
            next(words, None)
        elif not word.startswith("-"):
            return word
    return "?"


# Runs ``python -m plansmith ARGS`` with ``artifacts.cleanup`` wrapped so that, just before a
# successful run's folder is deleted, the context reduction is computed and written to OUT as JSON.
# Nothing else changes: the operations, the commit and the proposal are those of the plain command.
_MEASURE_CLEANUP = r"""
import json, sys
from pathlib import Path
from plansmith.engine import artifacts

out = Path(sys.argv[1])
real_cleanup = artifacts.cleanup


def measuring_cleanup(run_dir, keep_on_failure=True):
    scratch = run_dir.parent.parent / "worktree"  # <state dir>/runs/<run> -> <state dir>/worktree
    work = run_dir / "work"
    extras = sorted(p for p in work.rglob("*.report.md")) if work.is_dir() else []
    records = artifacts.context_reduction(run_dir)
    with_files = artifacts.context_reduction(run_dir, referenced_root=scratch, extra_files=extras)
    refs = [r.to_json() for r in artifacts.aggregate(run_dir)]
    # The same references with each path reduced to the record's file name (relative to the run folder).
    short = [dict(r, path=Path(r["path"]).name) for r in refs]
    out.write_text(json.dumps({
        "artifacts": records.artifacts,
        "aggregate_bytes": records.aggregate_bytes,
        "aggregate_names_only_bytes": len(json.dumps(short).encode("utf-8")),
        "records_bytes": records.full_bytes,
        "records_and_files_bytes": with_files.full_bytes,
        "aggregate": refs,
    }))
    return real_cleanup(run_dir, keep_on_failure)


artifacts.cleanup = measuring_cleanup
from plansmith.cli import main

sys.exit(main(sys.argv[2:]))
"""


def measure_context(
    repo: Path, env: Mapping[str, str], args: Sequence[str], scratch: Path
) -> dict[str, object]:
    """Run ``plansmith ARGS`` once with the measuring cleanup; the figures it wrote (see above)."""
    out = scratch / "context.json"
    out.unlink(missing_ok=True)
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE_CLEANUP, str(out), *args],
        cwd=repo,
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or not out.is_file():
        raise RuntimeError(
            f"plansmith {' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}"
        )
    data: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return data


def reduction(aggregate_bytes: int, full_bytes: int) -> float:
    return 1.0 - aggregate_bytes / full_bytes if full_bytes else 0.0


def context_lines(data: Mapping[str, object], label: str, goal_reduction: float) -> list[str]:
    """The report of :func:`measure_context`'s figures against ``goal_reduction`` (0..1)."""
    agg = int(str(data["aggregate_bytes"]))
    short = int(str(data["aggregate_names_only_bytes"]))
    records = int(str(data["records_bytes"]))
    with_files = int(str(data["records_and_files_bytes"]))
    red_records, red_files = reduction(agg, records), reduction(agg, with_files)
    target = f"{goal_reduction:.0%}"
    return [
        f"context reduction, {label} ({data['artifacts']} artifacts): aggregate {agg:,} B vs records "
        f"{records:,} B -> {red_records:.1%} (goal >= {target}: {goal(red_records >= goal_reduction)}); "
        f"vs records + the files they list {with_files:,} B -> {red_files:.1%} "
        f"(goal >= {target}: {goal(red_files >= goal_reduction)})",
        f"  {agg - short:,} B of the aggregate are the folders of the absolute record paths; "
        "with file names only: "
        f"{short:,} B -> {reduction(short, records):.1%} vs records, {reduction(short, with_files):.1%} "
        "vs records + files",
    ]
