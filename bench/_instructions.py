"""Instruction counts (valgrind's callgrind) of issue 10's row: parse + analyze of the 5,000-line plan,
and markdown-it-py's block parse of the same text. Counts do not depend on other load on the machine,
unlike CPU times, so they compare changes reliably on a shared machine.

Usage: ``python -m bench._instructions`` (needs ``valgrind``). Each side runs in a fresh interpreter
under callgrind twice, with 0 and 2 repetitions after one warm-up run; half the difference is one run
(interpreter start, imports, text generation and warm-up cancel out). ``PYTHONHASHSEED=0`` keeps the
runs deterministic. Not a ``bench_*`` module: ``python -m bench`` does not run it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

_CHILD = """
import sys
from bench.bench_parse import generate_plan
from plansmith.plan.complexity import Thresholds, analyze_plan
from plansmith.plan.layout import PlanLocation, build_plan
from markdown_it import MarkdownIt
side, n = sys.argv[1], int(sys.argv[2])
path = "specs/plans/999_big.md"
big = generate_plan(999, 20, min_lines=5000)
loc = PlanLocation("999_big", path, None)
t = Thresholds()
md = MarkdownIt("commonmark")
ours = lambda: analyze_plan(build_plan({path: big}, loc), t)
step = ours if side == "ours" else (lambda: md.parse(big))
step()
for _ in range(n):
    step()
"""


def _collected(side: str, repeat: int) -> int:
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    command += [sys.executable, "-c", _CHILD, side, str(repeat)]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise RuntimeError(f"no callgrind total in: {done.stderr[-500:]}")
    return int(found.group(1))


def per_run(side: str) -> int:
    return (_collected(side, 2) - _collected(side, 0)) // 2


def main() -> None:
    ours, theirs = per_run("ours"), per_run("theirs")
    ratio = ours / theirs
    print(f"parse+analyze {ours / 1e6:.1f}M instructions; markdown-it {theirs / 1e6:.1f}M; ratio {ratio:.3f}")


if __name__ == "__main__":
    main()
