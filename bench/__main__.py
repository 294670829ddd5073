"""Run the benchmark modules of this package that define ``run() -> list[str]`` and print their lines.

``python -m bench`` runs every module; ``python -m bench git parse`` only ``bench_git`` and
``bench_parse``. A module that fails is reported and the others still run; the exit status is 1 if any
failed. For "before" figures, put an export of an older commit's ``plansmith/`` first on ``PYTHONPATH``
(``git archive COMMIT plansmith | tar -x -C DIR``): the measured commands then run that code.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
import traceback

import bench


def main(argv: list[str]) -> int:
    failed = 0
    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_"))
    wanted = {f"bench_{arg.removeprefix('bench_')}" for arg in argv}
    if wanted - set(names):
        print(f"unknown benchmark modules: {', '.join(sorted(wanted - set(names)))}", file=sys.stderr)
        return 2
    names = [name for name in names if not wanted or name in wanted]
    for name in names:
        started = time.perf_counter()
        print(f"== bench.{name}", flush=True)
        try:
            module = importlib.import_module(f"bench.{name}")
            run = getattr(module, "run", None)
            if not callable(run):
                print("   (no run() function: skipped)")
                continue
            for line in run():
                print(f"   {line}", flush=True)
        except Exception:  # one broken benchmark must not hide the others
            failed += 1
            print(f"   FAILED:\n{traceback.format_exc()}", flush=True)
        print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
