"""Tables for a person at a terminal: analysis, review, proposals, settings, drawn with ``rich``.

Every table fits the console's width: long cells (reasons, messages, values) wrap inside their own
column, short identifying ones (ids, scores, states) never wrap. The plain versions for scripts are in
:mod:`plansmith.terminal.text`; this module is imported only when output goes to a terminal, and it
returns renderables without printing, reading files or running git.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich import box
from rich.cells import chop_cells
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from plansmith.terminal.text import EXPANDED_NOTE, analysis_heading, analysis_text, item_label

if TYPE_CHECKING:
    from plansmith.git_backend.proposals import Proposal
    from plansmith.plan.complexity import Analysis
    from plansmith.plan.review import Review

RECOMMENDATION_STYLE = {"expand": "bold yellow", "collapse": "bold cyan", "keep": "dim"}
STATE_STYLE = {"open": "green", "stale": "yellow", "edited": "magenta"}
# rich measures and wraps every cell, about 1-2 ms a row: the table of a 100,000-phase plan took minutes
# (issue 18). Above this many rows the plain table is shown as it is (the terminal wraps long lines).
RICH_ROWS_MAX = 2_000


class PlainLines:
    """Text shown line by line, each cut at the console's width as a terminal wraps it: cheap for any
    length (no measuring, no word wrapping)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(options.max_width, 1)
        for line in self.text.splitlines():
            if line.isascii():  # one cell per character: slices are the rows
                rows = [line[i : i + width] for i in range(0, len(line), width)] or [""]
            else:
                rows = chop_cells(line, width) or [""]
            for row in rows:
                yield Segment(row)
                yield Segment.line()


def new_table(*columns: str, title: str | None = None) -> Table:
    """A light table: a rule under the header, no outer box, so that the text has the width."""
    table = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1, 0, 0),
        title=title,
        title_justify="left",
    )
    for name in columns:
        table.add_column(name, header_style="bold")
    return table


def analysis_view(analysis: Analysis) -> RenderableType:
    """``plansmith analyze`` on a terminal: the heading, one row per phase and stage, the footnote."""
    heading = Text(analysis_heading(analysis), style="bold")
    if not analysis.items:
        return Group(heading, Text("no phases found"))
    if len(analysis.items) > RICH_ROWS_MAX:
        return PlainLines(analysis_text(analysis))
    table = new_table("ID", "TITLE", "SCORE", "RECOMMENDATION", "REASONS")
    ident, title, score, recommendation, reasons = table.columns
    ident.no_wrap = score.no_wrap = recommendation.no_wrap = True
    title.max_width, title.overflow = 36, "fold"
    score.justify = "right"
    reasons.overflow = "fold"
    for item in analysis.items:
        table.add_row(
            item_label(item),
            item.title,
            f"{item.score:.1f}",
            Text(item.recommendation, style=RECOMMENDATION_STYLE.get(item.recommendation, "")),
            "; ".join(item.reasons),
        )
    parts: list[RenderableType] = [heading, table]
    if any(item.expanded for item in analysis.items):
        parts.append(Text(EXPANDED_NOTE, style="dim"))
    return Group(*parts)


def review_view(review: Review) -> RenderableType:
    """``plansmith review`` on a terminal: the balance line, then each finding in a table."""
    b = review.balance
    if b.verdict == "empty":
        balance = "no phases"
    else:
        balance = (
            f"{b.verdict} ({b.phases} phases; scores {b.min:.1f}..{b.max:.1f}, mean {b.mean:.1f}; "
            f"heaviest {b.heaviest}, lightest {b.lightest})"
        )
    head = Text.assemble((f"{review.plan}: hierarchy review\n", "bold"), ("balance: ", "bold"), balance)
    sections: list[tuple[str, list[str]]] = [
        ("recommended now", [x.message for x in review.recommended]),
        ("still too complex after expanding", [x.message for x in review.still_complex]),
        ("worth merging", [x.message for x in review.merge_candidates]),
        ("second round", [x.message for x in review.second_round]),
    ]
    table = new_table("FINDING", "DETAIL")
    table.columns[0].no_wrap = True
    table.columns[1].overflow = "fold"
    for title, lines in sections:
        if not lines:
            table.add_row(title, Text("none", style="dim"))
        for n, line in enumerate(lines):
            table.add_row(title if n == 0 else "", line)
    return Group(head, table)


def age(seconds: float) -> str:
    """``42s``, ``5m``, ``3h``, ``2d``: how long ago, at a glance."""
    seconds = max(0.0, seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


def proposals_view(found: Sequence[Proposal], now: float) -> RenderableType:
    """``plansmith proposals`` on a terminal: id, state, age, what it does, branch and base."""
    if not found:
        return Text("no open proposals")
    table = new_table("ID", "STATE", "AGE", "OPERATION", "BRANCH", "BASE")
    for name in ("ID", "STATE", "AGE", "BASE"):
        next(c for c in table.columns if c.header == name).no_wrap = True
    for p in found:
        table.add_row(
            p.id,
            Text(p.state, style=STATE_STYLE.get(p.state, "")),
            age(now - p.created) if p.created else "?",
            f"{p.operation} {', '.join(p.items)}".strip(),
            p.branch,
            p.base[:10],
        )
    return table


def config_view(rows: Sequence[tuple[str, object, str, str]], warnings: Sequence[str]) -> RenderableType:
    """``plansmith config show`` on a terminal: every setting, its value, and where it came from."""
    table = new_table("SETTING", "VALUE", "SOURCE")
    table.columns[0].no_wrap = True
    table.columns[1].overflow = "fold"
    for key, value, source, origin in rows:
        where = source if not origin else f"{source} ({origin})"
        table.add_row(key, json.dumps(value, ensure_ascii=False), Text(where, style="dim"))
    parts: list[RenderableType] = [table]
    parts += [Text(f"warning: {w}", style="yellow") for w in warnings]
    return Group(*parts)
