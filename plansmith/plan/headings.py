"""Reading one phase or stage heading as people write it: its id, its title and its status marker.

Forms read (docs/plan-format.md, "Heading forms, statuses and ids"):

- ``Phase 1: Title``, ``Phase 1 — Title``, ``Phase 1 – Title``, ``Phase 1 - Title``, ``Phase 1. Title``,
  ``Phase 1 Title``, ``Phase 1`` (no title), ``Phase 0：Title`` (full-width colon);
- a parenthetical before the separator: ``Phase 3 (optional) — Title`` (title ``(optional) Title``);
- a task box before the word: ``[x] Phase 1: Title`` (the box is the status: ``"x"`` or ``" "``);
- ``Implementation Phase 7: Title`` (hve-core's task planner);
- a linked heading ``[Phase 01: Title](phase-01-title.md)``: read as the text of the link, and the link
  target is returned so the section can point at the phase's file;
- status markers after the title: ``[COMPLETED]``, ``✅``, ``✅ COMPLETED (2026-01-02)``, ``⏭️ SKIPPED``,
  ``- DONE``, ``— TODO``, ``(Completed)``; before it: ``✅ Phase 1: Title``, ``Phase 1 (Completed): Title``.
  A bracket holding a colon (``[EXECUTOR: MAIN]``) is part of the title;
- emphasis and decoration: ``**Phase 1: Title**``, ``🚀 Phase 1: Title`` (the emoji is dropped);
- letter ids ``Phase A: Title``, ``Phase B`` (a lower-case letter only before a separator or the end:
  ``Phase a new start`` is prose, ``Phase a: Setup`` is phase A);
- the Chinese phase word: ``阶段 1：Title`` and ``第 1 阶段：Title`` read as ``Phase 1：Title``.

The status is the marker as written, without brackets or the dash before it; the title never holds it.
Never ``Phase 1-3: ...``: a range names several phases and is not one.

Pure: text in, values out. It must not know the plan (duplicates and gaps are validation's business).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from plansmith.plan.ids import ID_PATTERN, ItemId

# A dash followed by a number is a range ("Phase 1-3"), not a separator; a colon may be ("Phase 1: 2FA").
_SEPARATOR = r"[ \t]*(?:[:：]|\.(?=[ \t]|$)|[\-–—][ \t]*(?![\d.]))[ \t]*"
# A letter id: upper case as it comes, lower case only before a separator, "(" or the end, so that
# "Phase a new start" stays prose. Case-sensitive inside the case-insensitive pattern.
# "Phase A-C" names several phases (a range), like "Phase 1-3".
_LETTER = (
    r"(?:(?-i:[A-Z])|(?-i:[a-z])(?=[ \t]*[:：.(\-–—]|[ \t]*$))"
    r"(?![ \t]*[\-–—][ \t]*[A-Za-z](?:[ \t]*[:：.(]|[ \t]*$))"
)
_PAREN = r"[ \t]*\([^()]*\)|"


def _heading_pattern(kind: str, id_form: str, paren: str) -> re.Pattern[str]:
    return re.compile(rf"^{kind}[ \t]+({id_form})({paren})(?:{_SEPARATOR}|[ \t]+|$)(.*)$", re.I | re.A)


# Two forms of each pattern: headings without "(" (nearly all) skip the parenthetical's group.
_ITEM_HEADING, _ITEM_HEADING_PAREN = (
    {kind: _heading_pattern(kind, ID_PATTERN, paren) for kind in ("phase", "stage")} for paren in ("", _PAREN)
)


_LETTER_HEADINGS: dict[bool, dict[str, re.Pattern[str]]] = {}  # with a parenthetical? -> kind -> pattern


def _letter_headings(with_paren: bool) -> dict[str, re.Pattern[str]]:
    """The patterns of a letter id's heading (``Phase A: ...``), tried only when the numbered one fails
    (an alternative in one pattern cost every ``Phase 3:`` heading a branch) and compiled on first use
    (the four cost 2 ms at import, on the pre-commit hook's path too)."""
    paren = _PAREN if with_paren else ""
    patterns = {kind: _heading_pattern(kind, _LETTER, paren) for kind in ("phase", "stage")}
    return _LETTER_HEADINGS.setdefault(with_paren, patterns)


_IMPLEMENTATION = re.compile(r"^implementation[ \t]+(?=phase[ \t])", re.I)  # hve-core's planner
_BOX = re.compile(r"^\[([ xX])\][ \t]+")
_LINKED = re.compile(r"^\[((?:phase|stage|implementation)[^\]]*)\]\(<?([^)\s>]+)>?\)[ \t]*(.*)$", re.I)
_BRACKET_STATUS = re.compile(r"[ \t]*\[([A-Z][A-Z0-9 _/&-]*)\][ \t]*$")
_BRACKET_AT = re.compile(r"\[([A-Z][A-Z0-9 _/&-]*)\][ \t]*$")  # matched at the last "[" (no search)
_WORDS = (
    r"(?:DONE|COMPLETED?|FINISHED|TODO|TO DO|SKIPPED|SKIP|IN[ -]PROGRESS|WIP|PENDING|BLOCKED|"
    r"CANCELL?ED|DEFERRED|NOT[ -]STARTED|STARTED|PARTIAL|PLANNED|DROPPED|READY|OPEN)"
)
_DATE = r"(?:[ \t]*\([^()]*\))?"
# Emoji people use as a status: done, skipped, blocked, in progress, not started.
_EMOJI = "(?:[✅☑✔✓❌✗⏭⏩⏸⏳⌛🚧🔄⬜🟢🟡🔴🟠⚪⚫][\ufe0f]?)"
_EMOJI_STATUS = re.compile(rf"(?:^|[ \t]+)({_EMOJI}(?:[ \t]*{_WORDS})?{_DATE})[ \t]*$", re.I)
_DASH_STATUS = re.compile(rf"[ \t]+[-–—][ \t]+({_WORDS}{_DATE})[ \t]*$")
# "(Completed)", "(COMPLETED)", "(Completed: 2025-10-28)": a status word alone in parentheses.
_PAREN_STATUS = re.compile(rf"\(({_WORDS}(?:[ \t]*[:,;][^()]*)?)\)[ \t]*$", re.I)  # at the last "("
_EMPHASIS = re.compile(r"^(\*\*|__)(.+?)\1(.*)$")  # "**Phase 1: Title**", then maybe a status
_LEADING_SYMBOLS = re.compile(r"^((?:[^\w\s\[\]()*_#`<>]\ufe0f?)+)[ \t]+(?=\S)")  # "✅ ", "🚀 "
_STATUS_EMOJI = re.compile(rf"{_EMOJI}+")
# Phase words of other languages, as the English word they stand for: "阶段 1" and "第 1 阶段" (Chinese).
_PHASE_WORD = re.compile(rf"^(?:阶段[ \t]*(?=[0-9A-Za-z])|第[ \t]*({ID_PATTERN})[ \t]*阶段)", re.A)


class ItemHeading(NamedTuple):
    """A heading read as a phase or stage (built with ``_new`` on the hot path: same value)."""

    number: ItemId
    title: str
    status: str | None
    link: str | None  # the target of a linked heading, ``[Phase 1: X](phase-01-x.md)``


# Builds an ItemHeading without the named tuple's Python-level ``__new__`` (as parser.py does for tasks).
_new = tuple.__new__


# The first characters a heading of each kind can start with: most headings are decided by one.
_FIRST = {"phase": frozenset("pPiI["), "stage": frozenset("sS[")}


def read_item_heading(kind: str, text: str) -> ItemHeading | None:
    """The id, title, status and link of a ``Phase N``/``Stage N`` heading's text, else None."""
    first = text[:1]
    if first not in _FIRST[kind]:
        if first <= "\x7f":  # ASCII: decided as before phase words, with no more work
            return _read_decorated(kind, text) if first in "*_" else None
        if first in "阶第" and kind == "phase" and (wm := _PHASE_WORD.match(text)) is not None:
            return read_item_heading(kind, f"Phase {wm.group(1) or ''}{text[wm.end() :]}")
        return _read_decorated(kind, text)
    box = None
    if first == "[":
        if (bm := _BOX.match(text)) is not None:
            box, text = bm.group(1), text[bm.end() :]
            first = text[:1]
        elif (lm := _LINKED.match(text)) is not None:
            parsed = read_item_heading(kind, lm.group(1).strip())
            return None if parsed is None else _with_after(parsed, lm.group(3), lm.group(2))
    if first in "iI":  # "Implementation Phase 7: ..."
        im = _IMPLEMENTATION.match(text)
        if im is None:
            return None
        text = text[im.end() :]
    m = (_ITEM_HEADING_PAREN if "(" in text else _ITEM_HEADING)[kind].match(text)
    if m is None:  # "Phase A: ...", else no item heading
        with_paren = "(" in text
        m = (_LETTER_HEADINGS.get(with_paren) or _letter_headings(with_paren))[kind].match(text)
        if m is None:
            return None
    number, paren, rest = m.groups()
    rest = rest.strip()
    before = None
    if paren:  # "Phase 3 (optional) — Title": part of the title; "Phase 1 (Completed): ...": a status
        paren = paren.strip()
        if _PAREN_STATUS.match(paren) is not None:
            before = paren[1:-1]
        else:
            rest = f"{paren} {rest}".strip()
    if box is None and before is None:  # the usual forms, decided here: this runs for every heading
        last = rest[-1:]
        if last.islower() and rest.isascii():  # "Phase 3: Build it"
            return _new(ItemHeading, (ItemId(number), rest, None, None))
        if last == "]":  # "Phase 3: Build it [IN PROGRESS]"
            at = rest.rfind("[")
            sm = _BRACKET_AT.match(rest, at)
            title = rest[:at].rstrip()
            if sm is not None and title[-1:] != ")":
                return _new(ItemHeading, (ItemId(number), title, sm.group(1).strip(), None))
    title, status = _split_status(rest)
    if box is not None:
        status = box
    elif before is not None:
        status = f"{before} {status}" if status is not None else before
    return _new(ItemHeading, (ItemId(number), title, status, None))


def _read_decorated(kind: str, text: str) -> ItemHeading | None:
    """``**Phase 1: Title** ✅``, ``✅ Phase 1: Title`` (a leading status emoji is the status) and
    ``🚀 Phase 1: Title`` (a leading decoration is dropped from the title)."""
    em = _EMPHASIS.match(text)
    if em is not None:
        inner = read_item_heading(kind, em.group(2).strip())
        return None if inner is None else _with_after(inner, em.group(3), inner.link)
    sm = _LEADING_SYMBOLS.match(text)
    if sm is None:
        return None
    inner = read_item_heading(kind, text[sm.end() :])
    if inner is None:
        return None
    lead = sm.group(1) if _STATUS_EMOJI.fullmatch(sm.group(1)) else None
    return inner._replace(status=" ".join(filter(None, (lead, inner.status))) or None)


def _with_after(inner: ItemHeading, after: str, link: str | None) -> ItemHeading:
    """``inner`` with the text after its link or emphasis: more title, or a status."""
    title, status = _split_status(" ".join(filter(None, (inner.title, after.strip()))))
    return ItemHeading(inner.number, title, inner.status or status, link)


def _split_status(rest: str) -> tuple[str, str | None]:
    """``(title, status)``: trailing status markers taken off the title (at most two, as in
    ``(Completed) ✅``). A character or two decide which marker can be there at all."""
    title, status = _split_one(rest)
    if status is not None and title[-1:] == ")":
        title, more = _split_one(title)
        status = f"{more} {status}" if more is not None else status
    return title, status


def _split_one(rest: str) -> tuple[str, str | None]:
    last = rest[-1:]
    if last == "]":  # "[COMPLETED]": matched where the last bracket opens, not searched for
        at = rest.rfind("[")
        sm = _BRACKET_AT.match(rest, at)
    elif last == ")":  # "(Completed)", or "- DONE (2026-01-02)"
        at = rest.rfind("(")
        sm = _PAREN_STATUS.match(rest, at) if at == 0 or (at > 0 and rest[at - 1] in " \t") else None
        if sm is None and ("-" in rest or not rest.isascii()):
            at, sm = _search_status(rest)
    elif rest.isascii():  # no emoji: only "- DONE" (a capital at the end)
        at, sm = _search_status(rest) if last.isupper() and "-" in rest else (0, None)
    else:
        at, sm = _search_status(rest)
    if sm is None:
        return rest, None
    return rest[:at].rstrip(), sm.group(1).strip()


def _search_status(rest: str) -> tuple[int, re.Match[str] | None]:
    sm = _EMOJI_STATUS.search(rest) or _DASH_STATUS.search(rest)
    return (0, None) if sm is None else (sm.start(), sm)


def strip_status(text: str) -> str:
    """A heading's text without a trailing ``[STATUS]`` marker (for section names like
    ``## Implementation Phases [IN PROGRESS]``)."""
    sm = _BRACKET_STATUS.search(text)
    return text if sm is None else text[: sm.start()]


__all__ = ["ItemHeading", "read_item_heading", "strip_status"]
