"""The plain-text recommendations table of ``plansmith analyze``: one row per phase and stage.

Rendering only: it reads an :class:`~.analysis.Analysis` and must not score, decide or touch files.
Kept in the plan core for now; a later change moves rendering to the commands layer.
"""

from __future__ import annotations

from plansmith.plan.complexity.analysis import Analysis


def _truncate(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(analysis: Analysis, *, title_width: int = 36) -> str:
    """The recommendations table printed by ``plansmith analyze``: one row per phase and stage."""
    t = analysis.thresholds
    head = (
        f"{analysis.plan} (structure level {analysis.structure_level}; "
        f"expand at >= {t.expand:.1f}, collapse at <= {t.collapse:.1f})"
    )
    if not analysis.items:
        return f"{head}\nno phases found\n"
    rows = [("ID", "TITLE", "SCORE", "RECOMMENDATION", "REASONS")]
    for it in analysis.items:
        ident = ("  " if it.kind == "stage" else "") + it.id + (" *" if it.expanded else "")
        rows.append(
            (
                ident,
                _truncate(it.title, title_width),
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
        out.append("* expanded into its own file (scored on that file)")
    return "\n".join(out) + "\n"


__all__ = ["format_table"]
