"""Plan core: parse + full analysis (``build_plan`` + ``analyze_plan``) of generated plans.

Compared, in the same run and on the same text, with markdown-it-py's block parse
(``MarkdownIt("commonmark").parse(text)``): ratio = our time / markdown-it's time (goal < 1.0).
The 5,000-line plan's analysis (``analyze_plan`` alone, plan already built) has a goal of < 20 ms;
issue 10's goals for it: parse + analyze <= 15 ms and <= 0.15x markdown-it's block parse of the same
text. Those are CPU times (``time.process_time``, best of N), so other load on the machine counts less.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

from plansmith.plan.complexity import Thresholds, analyze_plan
from plansmith.plan.layout import PlanLocation, build_plan
from plansmith.plan.model import Plan

GOAL_RATIO = 1.0
GOAL_ANALYSIS_MS = 20.0
GOAL_BIG_MS = 15.0  # issue 10: build_plan + analyze_plan of the 5,000-line plan
GOAL_BIG_RATIO = 0.15  # issue 10: the same, divided by markdown-it's block parse

_WORDS = [
    "parser",
    "cache",
    "session",
    "token",
    "schema",
    "index",
    "queue",
    "worker",
    "config",
    "handler",
    "store",
    "client",
    "retry",
    "limit",
    "report",
    "export",
    "import",
    "backup",
    "metric",
    "probe",
    "route",
    "view",
    "model",
    "adapter",
]
_DIRS = ("src/core", "src/api", "src/store", "lib/util", "tests/unit", "migrations", "docs")
_RISKS = ("migration", "security review", "rollback plan", "concurrency", "performance budget", "auth")
_STATUSES = ("[NOT STARTED]", "[IN PROGRESS]", "[COMPLETE]", "")


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(n))


def _path(rng: random.Random) -> str:
    ext = rng.choice(("py", "py", "md", "toml", "sh"))
    return f"{rng.choice(_DIRS)}/{rng.choice(_WORDS)}_{rng.randrange(100)}.{ext}"


def _tasks(rng: random.Random, count: int) -> list[str]:
    lines = []
    for _ in range(count):
        mark = rng.choice(" x ")
        text = f"{_words(rng, 3).capitalize()} in `{_path(rng)}`" if rng.random() < 0.6 else _words(rng, 5)
        lines.append(f"- [{mark}] {text}")
        if rng.random() < 0.25:
            lines.append(f"  - [ ] {_words(rng, 4)}")
    return lines


def generate_phase(rng: random.Random, number: int, level: int = 3) -> list[str]:
    """One phase of realistic content: objective, dependencies, 5-15 tasks (some nested) with
    backticked paths, a fenced code block, a testing section, sometimes stages."""
    status = rng.choice(_STATUSES)
    lines = [f"{'#' * level} Phase {number}: {_words(rng, 3).title()} {status}".rstrip()]
    lines.append(f"**Objective**: {_words(rng, 8)}")
    lines.append(f"**Complexity**: {rng.randint(2, 9)}/10")
    deps = sorted(rng.sample(range(1, number), min(number - 1, rng.randint(0, 2)))) if number > 1 else []
    lines.append(f"**Dependencies**: [{', '.join(map(str, deps))}]")
    lines.append("")
    lines.append(f"{_words(rng, 12).capitalize()}; watch the {rng.choice(_RISKS)}.")
    lines.append("")
    lines.append("Tasks:")
    lines += _tasks(rng, rng.randint(5, 15))
    lines.append("")
    lines.append("```bash")
    lines += [
        f"plansmith {rng.choice(_WORDS)} --{rng.choice(_WORDS)} {_path(rng)}"
        for _ in range(rng.randint(2, 6))
    ]
    lines.append("```")
    lines.append("")
    if rng.random() < 0.3:
        for m in range(1, rng.randint(2, 3) + 1):
            lines.append(f"{'#' * (level + 1)} Stage {m}: {_words(rng, 2).title()}")
            lines += _tasks(rng, rng.randint(2, 6))
            lines.append("")
    lines.append("Testing:")
    lines.append(f"- [ ] pytest `tests/unit/test_{rng.choice(_WORDS)}.py` and verify coverage")
    lines.append("")
    return lines


def generate_plan(seed: int, phases: int = 20, *, min_lines: int = 0) -> str:
    """A level-0 plan: title, metadata, overview, ``phases`` phases (more until ``min_lines``)."""
    rng = random.Random(seed)
    lines = [
        f"# Implementation Plan: {_words(rng, 3).title()}",
        "",
        "## Metadata",
        "- **Date**: 2026-11-24",
        f"- **Plan Number**: {seed % 1000:03d}",
        "- **Structure Level**: 0",
        "",
        "## Overview",
        _words(rng, 30),
        "",
        "## Implementation Phases",
        "",
    ]
    n = 0
    while n < phases or len(lines) < min_lines:
        n += 1
        lines += generate_phase(rng, n)
    return "\n".join(lines) + "\n"


def _analyze(path: str, text: str, thresholds: Thresholds) -> None:
    plan = build_plan({path: text}, PlanLocation(path.rsplit("/", 1)[-1][:-3], path, None))
    analyze_plan(plan, thresholds)


def _median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _best_cpu_time(fn: Callable[[], object], repeat: int) -> float:
    """The least CPU time of ``repeat`` runs: what the code costs when nothing else gets in the way."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        fn()
        best = min(best, time.process_time() - started)
    return best


def run() -> list[str]:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    t = Thresholds()
    out: list[str] = []
    for count, repeat in ((1, 15), (100, 5), (1000, 1)):
        texts = [(f"specs/plans/{i:03d}_bench.md", generate_plan(i)) for i in range(count)]
        lines = sum(text.count("\n") for _, text in texts)

        def ours(texts: list[tuple[str, str]] = texts) -> None:
            for path, text in texts:
                _analyze(path, text, t)

        def theirs(texts: list[tuple[str, str]] = texts) -> None:
            for _, text in texts:
                md.parse(text)

        mine = _median_time(ours, repeat)
        base = _median_time(theirs, repeat)
        ratio = mine / base
        out.append(
            f"{count:>5} plans x 20 phases ({lines:,} lines): parse+analyze {mine * 1000:8.1f} ms, "
            f"{count / mine:8.0f} plans/s; markdown-it {base * 1000:8.1f} ms; ratio {ratio:.2f} "
            f"({'ok' if ratio < GOAL_RATIO else 'ABOVE GOAL'} < {GOAL_RATIO})"
        )

    path = "specs/plans/999_big.md"
    big = generate_plan(999, 20, min_lines=5000)
    loc = PlanLocation("999_big", path, None)
    plan: Plan = build_plan({path: big}, loc)
    build_ms = _median_time(lambda: build_plan({path: big}, loc), 15) * 1000
    analysis_ms = _median_time(lambda: analyze_plan(plan, t), 15) * 1000
    md_ms = _median_time(lambda: md.parse(big), 15) * 1000
    out.append(
        f"5,000-line plan ({big.count(chr(10)):,} lines, {len(plan.phases)} phases): "
        f"build_plan {build_ms:.1f} ms, "
        f"analyze_plan {analysis_ms:.1f} ms ({'ok' if analysis_ms < GOAL_ANALYSIS_MS else 'ABOVE GOAL'} "
        f"< {GOAL_ANALYSIS_MS:.0f} ms), together {build_ms + analysis_ms:.1f} ms; markdown-it {md_ms:.1f} ms"
    )
    both_ms = _best_cpu_time(lambda: analyze_plan(build_plan({path: big}, loc), t), 25) * 1000
    md_cpu_ms = _best_cpu_time(lambda: md.parse(big), 10) * 1000
    big_ratio = both_ms / md_cpu_ms
    out.append(
        f"5,000-line plan, CPU best of N: parse+analyze {both_ms:.1f} ms "
        f"({'ok' if both_ms <= GOAL_BIG_MS else 'ABOVE GOAL'} <= {GOAL_BIG_MS:.0f} ms); markdown-it "
        f"{md_cpu_ms:.1f} ms; ratio {big_ratio:.3f} ({'ok' if big_ratio <= GOAL_BIG_RATIO else 'ABOVE GOAL'} "
        f"<= {GOAL_BIG_RATIO})"
    )
    return out
