"""Which plan file names plansmith can carry through a commit: the one rule, pure.

A plan's path goes into the ``Plansmith-Plan`` trailer of every proposal commit and into its subject
line; git's trailers and subjects are lines, so a name holding a line break (or any other control
character, which git and terminals treat as structure too) cannot be written there without corrupting
the message. Such a plan is refused on its own, with this module's words, and every other plan goes on.
Characters that a *branch name* cannot hold are not refused: :func:`plansmith.plan.roots.branch_component`
escapes them (``%XX``).

Text in, values out: no I/O.
"""

from __future__ import annotations

# What str.splitlines() also breaks at: trailer readers split on these too.
_LINE_BREAKS = frozenset("\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_NAMES = {"\n": "a newline", "\r": "a carriage return", "\t": "a tab"}


def _unusable(char: str) -> bool:
    code = ord(char)
    return code < 0x20 or 0x7F <= code <= 0x9F or char in _LINE_BREAKS or 0xD800 <= code <= 0xDFFF


def shown(path: str) -> str:
    """``path`` on one line: unusable characters written as ``\\n``, ``\\t``, ``\\x1b``, ``\\u2028``."""
    return "".join(
        char.encode("unicode_escape").decode("ascii") if _unusable(char) else char for char in path
    )


def name_problem(path: str) -> str | None:
    """Why the plan at ``path`` cannot be proposed (``None``: it can), in words for the user."""
    for char in path:
        if not _unusable(char):
            continue
        if 0xD800 <= ord(char) <= 0xDFFF:
            return "its name is not valid UTF-8, so it cannot be written into a commit message"
        what = _NAMES.get(char, f"the control character {shown(char)}")
        return f"its name holds {what}, which cannot be written into a commit message"
    return None
