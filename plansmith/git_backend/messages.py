"""Commit messages and identities of plansmith's commits.

The trailers are the machine-readable part of a proposal: ``proposals list`` reads them back from the
branch tip to know which plan, operation and base a proposal belongs to, and their absence on the tip
is how a user's own commit on a proposal branch is recognised. The body is for people; its prose is
drawn by :mod:`plansmith.render.proposal_prose` (re-exported here). This module only composes text;
it runs nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from plansmith.errors import ConfigError

# The prose of the body moved down to the render layer; its names stay importable from here.
from plansmith.render.proposal_prose import (
    describe_item,
    describe_items,
    item_moves,
    proposal_body,
    proposal_message,
    proposal_subject,
)

__all__ = [
    "DEFAULT_AUTHOR",
    "TRAILER_BASE",
    "TRAILER_ITEMS",
    "TRAILER_OPERATION",
    "TRAILER_PLAN",
    "TRAILER_RUN",
    "Identity",
    "describe_item",
    "describe_items",
    "format_message",
    "item_moves",
    "message_trailers",
    "parse_identity",
    "parse_trailers",
    "proposal_body",
    "proposal_message",
    "proposal_subject",
    "proposal_trailers",
    "split_items",
]

DEFAULT_AUTHOR = "plansmith <plansmith@localhost>"

TRAILER_PLAN = "Plansmith-Plan"
TRAILER_OPERATION = "Plansmith-Operation"
TRAILER_ITEMS = "Plansmith-Items"
TRAILER_BASE = "Plansmith-Base"
TRAILER_RUN = "Plansmith-Run"

_IDENT = re.compile(r"^\s*(?P<name>[^<>\n]+?)\s*<(?P<email>[^<>\n]*)>\s*$")
_TRAILER_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")


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
