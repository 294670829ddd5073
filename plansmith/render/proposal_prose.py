"""The prose of a proposal's commit message: its subject, what moved where, and its body.

The body is for people (and for a forge showing the proposal as a pull request): one line per item
saying what moved where, the analysis table before the change, and the plan's structure before and
after as a Mermaid block. The machine-readable trailers stay in :mod:`plansmith.git_backend.messages`.
Values in, text out: this module must not run git, read files or write anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from plansmith.plan import mermaid  # the module: its tree limit is read when a message is made
from plansmith.render.analysis_table import analysis_text

if TYPE_CHECKING:
    from plansmith.plan.complexity import Analysis
    from plansmith.plan.model import Plan

_ITEM = re.compile(r"^phase_(?P<phase>[^_]+)(?:_stage_(?P<stage>[^_]+))?$")  # ids never hold "_"


def describe_items(items: Sequence[str]) -> str:
    """``["phase_3", "phase_4_stage_1"]`` -> ``"phase 3, phase 4 stage 1"`` for a readable subject."""
    words: list[str] = []
    for item in items:
        match = _ITEM.match(item)
        if match is None:
            words.append(item)
        elif match["stage"] is None:
            words.append(f"phase {match['phase']}")
        else:
            words.append(f"phase {match['phase']} stage {match['stage']}")
    return ", ".join(words)


def describe_item(item: str) -> str:
    """``phase_4_stage_1`` -> ``phase 4 stage 1`` (other ids as they are)."""
    return describe_items([item])


def item_moves(operation: str, items: Sequence[str], before: Analysis, after: Analysis) -> list[str]:
    """One line per item saying where its content went, e.g. ``phase 3 → specs/plans/001_x/phase_3_db.md``.

    An expanded item names its new file; a collapsed one the file that holds it again and, in
    parentheses, the file it came from. Items neither analysis knows are left out.
    """
    lines: list[str] = []
    for item in items:
        old, new = before.item(item), after.item(item)
        if new is None:
            continue
        line = f"{describe_item(item)} → {new.path}"
        if operation == "collapse" and old is not None and old.path != new.path:
            line += f" (from {old.path})"
        lines.append(line)
    return lines


def proposal_body(moves: Sequence[str], analysis_table: str, structure_block: str | None = None) -> str:
    """The body of a proposal's commit message: the moves, the analysis table as it was before the
    change, and the before/after structure as a fenced ``mermaid`` block (when given)."""
    parts = ["\n".join(moves)] if moves else []
    parts.append("Analysis before the change:\n\n" + analysis_table.rstrip("\n"))
    if structure_block:
        parts.append("Structure before and after:\n\n" + structure_block.rstrip("\n"))
    return "\n\n".join(parts) + "\n"


def proposal_message(
    operation: str,
    items: Sequence[str],
    plan_name: str,
    before: Plan,
    before_analysis: Analysis,
    after: Plan,
    after_analysis: Analysis,
) -> tuple[str, list[str]]:
    """The subject and body of a proposal commit (trailers are added when committing), and its moves:
    what moved where, the analysis table before the change, the structure before and after (Mermaid)."""

    moves = item_moves(operation, items, before_analysis, after_analysis)
    block = mermaid.structure_change_block(before, before_analysis, after, after_analysis, items)
    # said in words too: the picture is not the whole plan
    if mermaid.tree_is_cut(before) or mermaid.tree_is_cut(after):
        block = (
            f"(a plan of more than {mermaid.MAX_TREE_PHASES:,} phases: "
            f"the first {mermaid.MAX_TREE_PHASES:,} "
            "and the changed ones are drawn)\n\n" + block
        )
    body = proposal_body(moves, analysis_text(before_analysis), block)
    return f"{proposal_subject(operation, items, plan_name)}\n\n{body}", moves


def proposal_subject(operation: str, items: Sequence[str], plan_name: str) -> str:
    """E.g. ``plansmith: expand phase 3 of 001_feature`` (``plansmith: review 001_feature`` without items)."""
    if items:
        return f"plansmith: {operation} {describe_items(items)} of {plan_name}"
    return f"plansmith: {operation} {plan_name}"
