"""Run every benchmark module of this package that defines ``run() -> list[str]`` and print its lines.

A module that fails is reported and the others still run; the exit status is 1 if any failed.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
import traceback

import bench


def main() -> int:
    failed = 0
    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_"))
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
    sys.exit(main())
