"""Plain text for scripts, pipes and commit messages: the tables and summaries without ``rich``.

What is printed here is a contract of sorts (scripts read it, commit messages keep it), so it changes
only on purpose. It must not import ``rich`` or anything that runs git: values in, text out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

# The analysis table moved down to the render layer (git_backend and the engine draw it too); its
# names stay importable from here for the terminal's modules and scripts.
from plansmith.render.analysis_table import (
    EXPANDED_NOTE,
    analysis_heading,
    analysis_text,
    item_label,
    truncate,
)

__all__ = [
    "EXPANDED_NOTE",
    "analysis_heading",
    "analysis_text",
    "change_counts",
    "change_label",
    "file_summary_text",
    "item_label",
    "proposal_line",
    "review_text",
    "totals",
    "truncate",
]

if TYPE_CHECKING:
    from plansmith.git_backend.diffs import FileChange
    from plansmith.git_backend.proposals import Proposal
    from plansmith.plan.review import Review


def review_text(review: Review) -> str:
    """The report printed by ``plansmith review`` (moved here from the plan core, unchanged)."""
    b = review.balance
    out = [f"{review.plan}: hierarchy review"]
    if b.verdict == "empty":
        out.append("balance: no phases")
    else:
        out.append(
            f"balance: {b.verdict} ({b.phases} phases; scores {b.min:.1f}..{b.max:.1f}, mean {b.mean:.1f}; "
            f"heaviest {b.heaviest}, lightest {b.lightest})"
        )
    sections: list[tuple[str, list[str]]] = [
        ("recommended now", [x.message for x in review.recommended]),
        ("still too complex after expanding", [x.message for x in review.still_complex]),
        ("worth merging", [x.message for x in review.merge_candidates]),
        ("second round", [x.message for x in review.second_round]),
    ]
    for title, lines in sections:
        out.append(f"{title}:" + ("" if lines else " none"))
        out.extend(f"  - {line}" for line in lines)
    return "\n".join(out) + "\n"


def proposal_line(p: Proposal) -> str:
    """One proposal in ``plansmith proposals`` (plain)."""
    items = ", ".join(p.items)
    return f"{p.id:<32} {p.state:<7} {p.operation} {items}  branch {p.branch}  base {p.base[:10]}"


def change_label(change: FileChange) -> str:
    """``old → new`` for a rename or copy, else the path."""
    if change.old_path is not None and change.old_path != change.path:
        return f"{change.old_path} → {change.path}"
    return change.path


def change_counts(change: FileChange) -> str:
    if change.binary:
        return "binary"
    parts = [f"+{change.added}"] if change.added or not change.deleted else []
    parts += [f"-{change.deleted}"] if change.deleted else []
    similar = f"{change.similarity}% similar, " if change.similarity is not None else ""
    return similar + " ".join(parts)


def file_summary_text(changes: Sequence[FileChange]) -> str:
    """The ``files:`` block of ``proposals show``: one line per file (renamed, added, modified, deleted)
    with its line counts, then a total as ``git diff --stat`` ends."""
    if not changes:
        return "files: none changed\n"
    width = max(len(c.status) for c in changes)
    lines = ["files:"]
    lines += [f"  {c.status:<{width}}  {change_label(c)}  ({change_counts(c)})" for c in changes]
    lines.append("  " + totals(changes))
    return "\n".join(lines) + "\n"


def totals(changes: Iterable[FileChange]) -> str:
    found = list(changes)
    added = sum(c.added for c in found)
    deleted = sum(c.deleted for c in found)
    files = "file" if len(found) == 1 else "files"
    return f"{len(found)} {files} changed, {added} insertions(+), {deleted} deletions(-)"
