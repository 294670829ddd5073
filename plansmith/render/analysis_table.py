"""The analysis table: one row per phase and stage with its score, recommendation and reasons.

``plansmith analyze`` prints it, proposal commit messages and the dry run of a run carry it, and the
terminal's rich table shares its heading and labels. What is printed here is a contract of sorts
(scripts read it, commit messages keep it), so it changes only on purpose. Values in, text out: it
must not import ``rich``, run git or write anywhere.
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from plansmith.plan.complexity import Analysis, Item


def truncate(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def analysis_heading(analysis: Analysis) -> str:
    t = analysis.thresholds
    return (
        f"{analysis.plan} (structure level {analysis.structure_level}; "
        f"expand at >= {t.expand:.1f}, collapse at <= {t.collapse:.1f})"
    )


def item_label(item: Item) -> str:
    """The ID cell: stages indented under their phase, ``*`` on items expanded into a file of their own."""
    return ("  " if item.kind == "stage" else "") + item.id + (" *" if item.expanded else "")


EXPANDED_NOTE = "* expanded into its own file (scored on that file)"


# The table of each analysis still alive, by id: a run prints the table and writes it into the
# proposal's message, 0.4 s each for 100,000 phases (issue 18). An entry goes with its analysis.
_TABLES: dict[int, tuple[weakref.ref[Analysis], str]] = {}
_TABLES_LOCK = threading.Lock()


def analysis_text(analysis: Analysis, *, title_width: int = 36) -> str:
    """The recommendations table of ``plansmith analyze`` (and of proposal commit messages): one row per
    phase and stage, columns padded to their widest cell, reasons at the end of the line."""
    if title_width != 36:
        return _table(analysis, title_width)
    key = id(analysis)
    with _TABLES_LOCK:
        hit = _TABLES.get(key)
    if hit is not None and hit[0]() is analysis:
        return hit[1]
    text = _table(analysis, title_width)
    ref = weakref.ref(analysis, lambda _: _forget(key))
    with _TABLES_LOCK:
        _TABLES[key] = (ref, text)
    return text


def _forget(key: int) -> None:
    with _TABLES_LOCK:
        hit = _TABLES.get(key)
        if hit is not None and hit[0]() is None:
            del _TABLES[key]


def _table(analysis: Analysis, title_width: int) -> str:
    head = analysis_heading(analysis)
    if not analysis.items:
        return f"{head}\nno phases found\n"
    rows = [("ID", "TITLE", "SCORE", "RECOMMENDATION", "REASONS")]
    for it in analysis.items:
        rows.append(
            (
                item_label(it),
                truncate(it.title, title_width),
                f"{it.score:.1f}",
                it.recommendation,
                "; ".join(it.reasons),
            )
        )
    widths = [max(len(r[c]) for r in rows) for c in range(4)]
    out = [head]
    for r in rows:
        cells = (
            f"{r[0]:<{widths[0]}}",
            f"{r[1]:<{widths[1]}}",
            f"{r[2]:>{widths[2]}}",
            f"{r[3]:<{widths[3]}}",
        )
        out.append("  ".join([*cells, r[4]]).rstrip())
    if any(it.expanded for it in analysis.items):
        out.append(EXPANDED_NOTE)
    return "\n".join(out) + "\n"
