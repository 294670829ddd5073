"""Commit messages and identities of plansmith's commits.

The trailers are the machine-readable part of a proposal: ``proposals list`` reads them back from the
branch tip to know which plan, operation and base a proposal belongs to, and their absence on the tip
is how a user's own commit on a proposal branch is recognised. The body is for people (and for a
forge showing the proposal as a pull request): one line per item saying what moved where, the
analysis table, and the plan's structure before and after as a Mermaid block. This module only
composes text; it runs nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from plansmith.errors import ConfigError

if TYPE_CHECKING:
    from plansmith.plan.complexity import Analysis
    from plansmith.plan.model import Plan

DEFAULT_AUTHOR = "plansmith <plansmith@localhost>"

TRAILER_PLAN = "Plansmith-Plan"
TRAILER_OPERATION = "Plansmith-Operation"
TRAILER_ITEMS = "Plansmith-Items"
TRAILER_BASE = "Plansmith-Base"
TRAILER_RUN = "Plansmith-Run"

_IDENT = re.compile(r"^\s*(?P<name>[^<>\n]+?)\s*<(?P<email>[^<>\n]*)>\s*$")
_TRAILER_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")
_ITEM = re.compile(r"^phase_(?P<phase>[^_]+)(?:_stage_(?P<stage>[^_]+))?$")  # ids never hold "_"


@dataclass(frozen=True, slots=True)
class Identity:
    name: str
    email: str

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    def env(self) -> dict[str, str]:
        """Author and committer variables for git: commits never depend on the user's ``user.*`` config."""
        return {
            "GIT_AUTHOR_NAME": self.name,
            "GIT_AUTHOR_EMAIL": self.email,
            "GIT_COMMITTER_NAME": self.name,
            "GIT_COMMITTER_EMAIL": self.email,
        }


def parse_identity(text: str) -> Identity:
    """``"Name <email>"`` -> :class:`Identity`; a clear error for anything else (it comes from settings)."""
    match = _IDENT.match(text)
    if match is None:
        raise ConfigError(
            f"commit author {text!r} is not of the form 'Name <email>'",
            hint="set commit.author like 'plansmith <plansmith@localhost>'",
        )
    return Identity(match["name"], match["email"])


def format_message(
    subject: str, body: str = "", trailers: Mapping[str, str | Sequence[str]] | None = None
) -> str:
    """``subject``, a blank line, ``body``, a blank line, then ``Key: value`` trailer lines.

    Values that are sequences are joined with ``", "``. Newlines in the subject or in a trailer would
    corrupt the structure git parses, so they are refused rather than silently repaired.
    """
    subject = subject.strip()
    if not subject or "\n" in subject:
        raise ValueError("a commit subject must be one non-empty line")
    parts = [subject]
    if body.strip():
        parts.append(body.strip("\n"))
    lines: list[str] = []
    for key, value in (trailers or {}).items():
        text = value if isinstance(value, str) else ", ".join(value)
        if not _TRAILER_KEY.match(key) or "\n" in text:
            raise ValueError(f"invalid trailer {key!r}: {text!r}")
        lines.append(f"{key}: {text}")
    if lines:
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def parse_trailers(text: str) -> dict[str, str]:
    """``Key: value`` lines as printed by ``%(trailers:only,unfold)``; the last value of a key wins."""
    trailers: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and _TRAILER_KEY.match(key.strip()):
            trailers[key.strip()] = value.strip()
    return trailers


# git's own trailer prefixes: a block holding one of them needs only 25 % trailer lines.
_GIT_GENERATED = ("Signed-off-by: ", "(cherry picked from commit ")


def message_trailers(message: str) -> dict[str, str]:
    """The trailers of a commit message, as git's ``%(trailers:only,unfold)`` finds them, as a mapping
    (the last value of a key wins).

    git's rules (trailer.c): the trailer block is the last paragraph after the title paragraph; it
    counts if all its lines are trailers (``Token: value``; a token is letters, digits and ``-``) or
    continuation lines (starting with white space, joined to the line above), or if it holds a
    git-generated trailer (``Signed-off-by: ``) and at least a quarter of its lines are trailers.
    Comment lines (``#``) are not counted.
    """
    lines = message.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    start = _trailer_block_start(lines)
    if start is None:
        return {}
    pairs: list[list[str]] = []  # [key, value]; key "" for a non-trailer line of the block
    for line in lines[start:]:
        if line.startswith("#"):
            pairs.append(["", ""])  # never shown, but it ends the line above: no unfolding across it
            continue
        if line[:1].isspace() and pairs:
            pairs[-1][1] = f"{pairs[-1][1]} {line.strip()}".strip()  # unfold
            continue
        position = _separator(line)
        pairs.append([line[:position].strip(), line[position + 1 :].strip()] if position > 0 else ["", ""])
    # The keys parse_trailers accepts in git's printed output: both readings agree on every message.
    return {key: value for key, value in pairs if _TRAILER_KEY.match(key)}


def _trailer_block_start(lines: list[str]) -> int | None:
    """Index of the first line of the trailer block of ``lines``; ``None`` when there is none."""
    end_of_title = next((i for i, line in enumerate(lines) if not line.strip()), len(lines))
    trailer_lines = non_trailer_lines = continuation_lines = 0
    recognised, only_blank = False, True
    for i in range(len(lines) - 1, end_of_title - 1, -1):
        line = lines[i]
        if line.startswith("#"):
            non_trailer_lines += continuation_lines
            continuation_lines = 0
        elif not line.strip():
            if only_blank:
                continue
            non_trailer_lines += continuation_lines
            if (recognised and trailer_lines * 3 >= non_trailer_lines) or (
                trailer_lines and not non_trailer_lines
            ):
                return i + 1
            return None
        else:
            only_blank = False
            if line.startswith(_GIT_GENERATED):
                trailer_lines, continuation_lines, recognised = trailer_lines + 1, 0, True
            elif _separator(line) >= 1:
                trailer_lines, continuation_lines = trailer_lines + 1, 0
            elif line[:1].isspace():
                continuation_lines += 1
            else:
                non_trailer_lines += 1 + continuation_lines
                continuation_lines = 0
    return None


def _separator(line: str) -> int:
    """Position of the ``:`` after a trailer token (letters, digits, ``-``, then maybe blanks); -1."""
    seen_blank = False
    for position, char in enumerate(line):
        if char == ":":
            return position
        if not seen_blank and (char.isascii() and (char.isalnum() or char == "-")):
            continue
        if position and char in " \t":
            seen_blank = True
            continue
        break
    return -1


def split_items(value: str) -> list[str]:
    """The ``Plansmith-Items`` trailer back into item ids."""
    return [item.strip() for item in value.split(",") if item.strip()]


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
    from plansmith.plan.mermaid import structure_change_block
    from plansmith.terminal.text import analysis_text

    moves = item_moves(operation, items, before_analysis, after_analysis)
    block = structure_change_block(before, before_analysis, after, after_analysis)
    body = proposal_body(moves, analysis_text(before_analysis), block)
    return f"{proposal_subject(operation, items, plan_name)}\n\n{body}", moves


def proposal_subject(operation: str, items: Sequence[str], plan_name: str) -> str:
    """E.g. ``plansmith: expand phase 3 of 001_feature`` (``plansmith: review 001_feature`` without items)."""
    if items:
        return f"plansmith: {operation} {describe_items(items)} of {plan_name}"
    return f"plansmith: {operation} {plan_name}"


def proposal_trailers(
    *, plan: str, operation: str, items: Sequence[str], base: str, run: str
) -> dict[str, str | Sequence[str]]:
    """The five trailers every proposal commit carries (see :mod:`plansmith.git_backend.proposals`)."""
    return {
        TRAILER_PLAN: plan,
        TRAILER_OPERATION: operation,
        TRAILER_ITEMS: list(items),
        TRAILER_BASE: base,
        TRAILER_RUN: run,
    }
