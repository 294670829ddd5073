"""Print a command's result for people: the rich view on a terminal, the plain text anywhere else.

The command modules call these; each takes the :class:`~plansmith.terminal.display.Display` chosen for
the command. ``rich`` is imported only on the rich branch. Nothing here computes a result or reads the
repository: values in, output out.
It must not run git or touch files.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from plansmith.terminal.text import analysis_text, proposal_line, review_text

if TYPE_CHECKING:
    from plansmith.config import LoadedSettings
    from plansmith.git_backend.proposals import Proposal
    from plansmith.plan.complexity import Analysis
    from plansmith.plan.review import Review
    from plansmith.terminal.display import Display


def print_analysis(display: Display, analysis: Analysis) -> None:
    """The recommendations table (``analyze``, and ``expand``/``collapse`` before the prompt)."""
    if not display.rich:
        display.out.write(analysis_text(analysis) + "\n")  # as print() always wrote it: a blank line after
        return
    # lazy: rich, only for a terminal that shows it
    from plansmith.terminal.tables import analysis_view

    display.console().print(analysis_view(analysis))


def print_review(display: Display, review: Review) -> None:
    if not display.rich:
        display.out.write(review_text(review) + "\n")
        return
    # lazy: rich, only for a terminal that shows it
    from plansmith.terminal.tables import review_view

    display.console().print(review_view(review))


def print_proposals(display: Display, found: Sequence[Proposal], now: float | None = None) -> None:
    """``plansmith proposals``: one line each (plain), or a table with their ages (terminal)."""
    if not display.rich:
        display.out.write("".join(proposal_line(p) + "\n" for p in found) if found else "no open proposals\n")
        return
    # lazy: rich, only for a terminal that shows it
    from plansmith.terminal.tables import proposals_view

    display.console().print(proposals_view(found, time.time() if now is None else now))


def print_config(display: Display, loaded: LoadedSettings) -> None:
    if not display.rich:
        display.out.write(loaded.show())
        return
    # lazy: rich, only for a terminal that shows it
    from plansmith.terminal.tables import config_view

    rows = [(key, value, str(source), origin) for key, value, source, origin in loaded.rows()]
    display.console().print(config_view(rows, loaded.warnings))
