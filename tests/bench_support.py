"""``load()``: the benchmarks' ``bench/_support.py`` as a module, for tests that count git processes
with its shim (``bench`` is not an installed package, so it is loaded from its file)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType


def load() -> ModuleType:
    """``bench/_support.py``, loaded once per call under a name of its own."""
    path = Path(__file__).resolve().parents[1] / "bench" / "_support.py"
    spec = importlib.util.spec_from_file_location("bench_support_for_tests", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
