"""``plansmith radar`` on a team's repository: 50 branches × 100 plans, wall time and git processes.

The repository is made with one ``git fast-import``: ``main`` holds ``PLANS`` level-0 plans of
``PHASES`` phases each; each of ``BRANCHES`` branches, forked from ``main``, edits one phase of two
neighbouring plans (branch ``b`` plans ``b+1`` and ``b+2``: neighbours share a plan, sometimes the same
phase of it) and adds one plan (every fifth branch reuses the previous branch's number), so there are
real collisions to find among many changes that merge cleanly. ``main`` then takes one more number.
Measured: ``python -m plansmith radar --json`` (median of ``REPEAT`` runs, with the CLI's start-up)
against ``python -m plansmith --version`` for scale, the in-process scan alone (a fresh session per
run), and the git processes of one CLI run (counted by the shim of :class:`bench._support.GitCounter`).
Goal: under ``GOAL_S``, and a constant number of git processes whatever the number of branches.
"""

from __future__ import annotations

import json
import resource
import statistics
import time
from pathlib import Path

from bench._support import GitCounter, git, goal, isolated_env, ms, plansmith, temp_dir

BRANCHES = 50
PLANS = 100
PHASES = 5
REPEAT = 5
GOAL_S = 2.0


def _plan(number: int, edited: int | None = None, tag: str = "") -> str:
    phases = "".join(
        f"## Phase {n}: Part {n}\n\n- [ ] write `src/p{number}_{n}.py`{' ' + tag if n == edited else ''}\n"
        f"- [ ] test it\n\n"
        for n in range(1, PHASES + 1)
    )
    return f"# Plan: plan {number}\n\n{phases}"


def _blob(text: str) -> bytes:
    data = text.encode("utf-8")
    return b"data %d\n" % len(data) + data + b"\n"


def _commit(ref: str, mark: int, parent: str | None, files: dict[str, str], when: int) -> bytes:
    out = b"commit %s\nmark :%d\ncommitter Bench <b@example.invalid> %d +0000\n" % (ref.encode(), mark, when)
    out += _blob(f"commit {mark}")
    if parent is not None:
        out += f"from {parent}\n".encode()
    for path, text in files.items():
        out += f"M 100644 inline {path}\n".encode() + _blob(text)
    return out + b"\n"


def _stream() -> bytes:
    """The fast-import stream of the repository described in the module doc."""
    base = {f"specs/plans/{n:03d}_plan{n}.md": _plan(n) for n in range(1, PLANS + 1)}
    parts = [_commit("refs/heads/main", 1, None, base, 1_800_000_000)]
    mark, number = 1, PLANS
    for b in range(BRANCHES):
        number += 0 if b % 5 == 4 else 1
        first, second = 1 + b % PLANS, 2 + b % PLANS
        files = {
            f"specs/plans/{first:03d}_plan{first}.md": _plan(first, 1 + b % PHASES, f"on branch {b}"),
            f"specs/plans/{second:03d}_plan{second}.md": _plan(second, 2, f"on branch {b}"),
            f"specs/plans/{number:03d}_new{b}.md": _plan(number),
        }
        mark += 1
        parts.append(_commit(f"refs/heads/team/b{b:02d}", mark, ":1", files, 1_800_000_100 + b))
    extra = {f"specs/plans/{PLANS + BRANCHES + 1:03d}_later.md": _plan(PLANS + BRANCHES + 1)}
    parts.append(_commit("refs/heads/main", mark + 1, ":1", extra, 1_800_001_000))
    return b"".join(parts)


def _repo(root: Path, env: dict[str, str]) -> Path:
    repo = root / "team"
    repo.mkdir()
    git(repo, env, "init", "-q", "-b", "main")
    git(repo, env, "fast-import", "--quiet", input=_stream())
    git(repo, env, "reset", "-q", "--hard", "main")
    return repo


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _cli_runs(
    repo: Path, env: dict[str, str]
) -> tuple[list[float], list[float], list[float], dict[str, object]]:
    radar_s, cpu_s, version_s, doc = [], [], [], {}
    for _ in range(REPEAT):
        started, cpu = time.perf_counter(), _children_cpu()
        done = plansmith(repo, env, "radar", "--json")
        radar_s.append(time.perf_counter() - started)
        cpu_s.append(_children_cpu() - cpu)  # the CPU the run took (and its git children), load aside
        doc = json.loads(done.stdout)
        started = time.perf_counter()
        plansmith(repo, env, "--version")
        version_s.append(time.perf_counter() - started)
    return radar_s, cpu_s, version_s, doc


def _scan_runs(repo: Path) -> list[float]:
    from plansmith.git_backend.paths import find_repository
    from plansmith.git_backend.radar import scan
    from plansmith.git_backend.session import close_all
    from plansmith.plan.roots import DEFAULT_ROOTS

    times = []
    for _ in range(REPEAT):
        close_all()
        started = time.perf_counter()
        scan(find_repository(repo), DEFAULT_ROOTS)
        times.append(time.perf_counter() - started)
    close_all()
    return times


def _naive_run(repo: Path, env: dict[str, str]) -> float:
    """For scale: the same reading done the plain way, once (a ``merge-base`` process per branch, every
    plan of both revisions read with the existing per-revision reader and parsed)."""
    from plansmith import discovery
    from plansmith.git_backend.paths import find_repository
    from plansmith.git_backend.session import close_all
    from plansmith.plan.api import decode_files
    from plansmith.plan.collisions import item_digests
    from plansmith.plan.layout import build_plan, plan_files
    from plansmith.plan.roots import DEFAULT_ROOTS

    close_all()
    paths = find_repository(repo)
    started = time.perf_counter()
    for line in git(repo, env, "for-each-ref", "--format=%(refname:short)", "refs/heads/team").splitlines():
        base = git(repo, env, "merge-base", "main", line).strip()
        for rev in (base, line):
            texts, _ = decode_files(discovery.committed_files(paths, rev, DEFAULT_ROOTS))
            for ref in discovery.catalog(texts, patterns=DEFAULT_ROOTS):
                item_digests(build_plan(plan_files(texts, ref.location), ref.location))
    close_all()
    return time.perf_counter() - started


def run() -> list[str]:
    with temp_dir("radar") as root:
        env = isolated_env(root / "home")
        repo = _repo(root, env)
        radar_s, cpu_s, version_s, doc = _cli_runs(repo, env)
        counter = GitCounter(root / "shim")
        counter.reset()
        plansmith(repo, counter.env(env), "radar", "--json")
        processes = counter.by_command()
        scan_s = _scan_runs(repo)
        naive_s = _naive_run(repo, env)
    findings = doc.get("findings", [])
    kinds: dict[str, int] = {}
    for finding in findings if isinstance(findings, list) else []:
        kinds[finding["kind"]] = kinds.get(finding["kind"], 0) + 1
    wall = statistics.median(radar_s)
    return [
        f"{BRANCHES} branches x {PLANS} plans ({PHASES} phases each): findings {kinds}",
        f"plansmith radar --json: {ms(wall)} median of {REPEAT} ({ms(min(radar_s))}-{ms(max(radar_s))}); "
        f"CPU {ms(statistics.median(cpu_s))}; --version {ms(statistics.median(version_s))}; "
        f"goal < {GOAL_S:.0f} s: {goal(wall < GOAL_S)}",
        f"scan alone (in-process, fresh session): {ms(statistics.median(scan_s))} median of {REPEAT}; "
        f"the plain way (merge-base per branch, every plan read and parsed): {ms(naive_s)}",
        f"git processes of one run: {sum(processes.values())} {processes}",
    ]
