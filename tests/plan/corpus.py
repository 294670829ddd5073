"""The real plans in ../shared/corpus/real, grouped into plan trees."""

from __future__ import annotations

import posixpath
from pathlib import Path

import pytest

from plansmith.plan.layout import PlanLocation, find_plans

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "real"


def corpus_files() -> dict[str, str]:
    if not CORPUS.is_dir():
        pytest.skip("the shared corpus is not beside the checkout")
    return {
        str(p.relative_to(CORPUS)): p.read_text(encoding="utf-8")
        for p in sorted(CORPUS.rglob("*.md"))
        if p.name != "SOURCES.md"
    }


def corpus_plans(files: dict[str, str]) -> list[PlanLocation]:
    """Every plan: NNN_ plans through discovery, and every other top-level file of a folder on its own
    (the fixtures and topic-layout plans are named freely)."""
    found: dict[str, PlanLocation] = {}
    for folder in sorted({posixpath.dirname(p) for p in files}):
        for loc in find_plans(files, folder):
            found.setdefault(loc.main_path, loc)
    claimed = {p for loc in found.values() if loc.folder for p in files if p.startswith(loc.folder + "/")}
    for path in files:
        name = posixpath.basename(path)
        if path in claimed or path in found or name.startswith(("phase_", "stage_")):
            continue
        if posixpath.basename(posixpath.dirname(path)) == name[:-3]:
            found[path] = PlanLocation(name[:-3], path, posixpath.dirname(path))
        else:
            found[path] = PlanLocation(name[:-3], path, None)
    return sorted(found.values(), key=lambda loc: loc.main_path)
