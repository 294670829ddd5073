"""The real plans in ../shared/corpus/real, grouped into plan trees by plansmith's own discovery.

The corpus is read-only test data kept beside the checkout, not in it: a clone that stands alone has
none. So reading it never skips (a module-level skip breaks collection); it yields nothing, and every
test that needs it carries :data:`needs_corpus`, which skips it with a reason."""

from __future__ import annotations

import posixpath
from pathlib import Path

import pytest

from plansmith.plan.layout import PlanLocation, find_plans

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "real"

needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason="needs the real plans of ../shared/corpus/real beside the checkout"
)


def corpus_files() -> dict[str, str]:
    """Every corpus plan by path; empty when the corpus is absent (tests needing it use ``needs_corpus``)."""
    if not CORPUS.is_dir():
        return {}
    return {
        str(p.relative_to(CORPUS)): p.read_text(encoding="utf-8")
        for p in sorted(CORPUS.rglob("*.md"))
        if p.name != "SOURCES.md"
    }


def corpus_roots(files: dict[str, str]) -> list[str]:
    """Every folder that holds plans directly (``specs/plans``, the topic layout's
    ``specs/NNN_topic/plans``, the fixture folders), but not the folders of expanded plans and phases."""
    roots: list[str] = []
    claimed: list[str] = []
    for folder in sorted({posixpath.dirname(p) for p in files}):
        if any(folder == c or folder.startswith(c + "/") for c in claimed):
            continue
        roots.append(folder)
        claimed += [loc.folder for loc in find_plans(files, folder) if loc.folder]
    return roots


def corpus_plans(files: dict[str, str]) -> list[PlanLocation]:
    """Every plan candidate of every root, found by :func:`find_plans` (any file name)."""
    found = {loc.main_path: loc for root in corpus_roots(files) for loc in find_plans(files, root)}
    return sorted(found.values(), key=lambda loc: loc.main_path)
