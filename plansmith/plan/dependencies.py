"""Reading a Dependencies value as people write it, into phase (or stage) ids.

Forms read (the value after ``**Dependencies**:``, ``dependencies:`` or ``depends_on:``):
``[1, 2]``, ``1, 2``, ``[phase_1]``, ``[Phase 1, Phase 2]``, ``depends_on: [0.5]`` (a nested
spelling), ``Phase 1 complete``, ``Phases 1-3`` and ``Phase 1–3`` (ranges), ``Phase 1 and Phase 2``,
``**Depends on**: 3``, ``None``, ``[]`` and an empty value. ``All previous phases`` names every phase
before this one (:func:`names_all_previous`; the parser, which knows them, fills them in). A package
list (``requests, pydantic>=2``, ```` `rs-core` ````) or a code block below the field names no phase
and is not prose either: no dependency and no warning. A range of integers means every integer in
it (``1-3`` is 1, 2 and 3; an inserted ``2.5`` is included only when named), a range of letters every
letter in it (``Phases A-C``); a range with other ends means its two ends. Letter ids are read in a
list (``[A, B]``, ``a, b``) and after the kind word (``Phase A``, ``Phases A and B``), there only as
a capital standing alone, so that ``the phase a user starts`` names no phase. Text that names no
phase (``All analysis reports complete``) is prose: no dependency, and the caller may warn.

Pure: text in, ids out. It must not know the plan (it cannot tell whether an id exists; validation
does that).
"""

from __future__ import annotations

import re

from plansmith.plan.ids import ID_PATTERN, LETTER_ID_PATTERN, ItemId

RANGE_MAX = 100  # a longer integer range is read as its two ends (a typo must not make 10^9 ids)

_NESTED = re.compile(r"^(?:depends[_ ]on|dependencies)[ \t]*:[ \t]*", re.I)
_EMPTY = re.compile(r"^(?:none|n/a|na|-|nothing|\[\s*\]|\{\s*\})(?:$|[\s.;:(,])", re.I)
_SEP = r"[ \t]*(?:-|–|—|\.\.|to|through)[ \t]*"
_AND = r"[ \t]*(?:,|&|and|or)[ \t]*"
_LABEL = {kind: rf"(?:{kind}s?[ _]?)?" for kind in ("phase", "stage")}
# A list entry is an id alone ("A", "b" too); in prose only a capital standing alone ("Phase A") is one.
_ANY_ID = rf"(?:{ID_PATTERN}|{LETTER_ID_PATTERN})"
_PROSE_ID = rf"(?:{ID_PATTERN}|(?<![A-Za-z])(?-i:[A-Z])(?![A-Za-z0-9]))"
_ITEM = {
    kind: re.compile(rf"{_LABEL[kind]}({_ANY_ID})(?:{_SEP}{_LABEL[kind]}({_ANY_ID}))?", re.I | re.A)
    for kind in ("phase", "stage")
}
# "Phase 2 complete", "Phases 1-3", "Phases 1, 2 and 4", "phase_1", "Phases A-C": a kind word, then ids.
_MENTION = {
    kind: re.compile(
        rf"\b{kind}s?[ _]?({_PROSE_ID}(?:(?:{_SEP}|{_AND})(?:{kind}[ _]?)?{_PROSE_ID})*)(?![\w.-])",
        re.I | re.A,
    )
    for kind in ("phase", "stage")
}
_IDS_IN_MENTION = re.compile(rf"({_PROSE_ID})(?:{_SEP}(?:(?:phase|stage)[ _]?)?({_PROSE_ID}))?", re.I | re.A)


_ALL_PREVIOUS = re.compile(
    r"^(?:after[ \t]+)?(?:all[ \t]+(?:the[ \t]+)?|every[ \t]+)(?:previous|prior|preceding|earlier|above)"
    r"[ \t]+(?:phases|stages)(?:[ \t]+(?:complete|completed|done|finished))?[ \t.]*$",
    re.I,
)
_PACKAGE = re.compile(r"^[A-Za-z@][\w@/.+-]*(?:[ \t]*(?:[<>=!~^]=?|@)?[ \t]*v?\d[\w.*+-]*)?$", re.A)


def _range(low: ItemId, high: ItemId | None) -> list[ItemId]:
    if high is None or high == low:
        return [low]
    if low.is_integer and high.is_integer and 0 < high.key[1][0] - low.key[1][0] <= RANGE_MAX:
        return [ItemId(n) for n in range(low.key[1][0], high.key[1][0] + 1)]
    if low.is_letter and high.is_letter and low < high:  # "Phases A-C": A, B and C
        return [ItemId(chr(n)) for n in range(ord(str(low)), ord(str(high)) + 1)]
    return [low, high]


def _unique(ids: list[ItemId]) -> tuple[ItemId, ...]:
    return tuple(dict.fromkeys(ids))


def _list_items(inner: str, kind: str) -> list[ItemId] | None:
    """The ids of a comma-separated list, or None when any part is not an id or a range."""
    found: list[ItemId] = []
    for part in inner.split(","):
        part = part.strip()
        if part.isascii() and part.isdecimal() and len(part) < 10:  # the usual "[1, 2]": no regex needed
            found.append(ItemId(part))
            continue
        m = _ITEM[kind].fullmatch(part.strip("`'\"*_ "))
        if m is None:
            return None
        found += _range(ItemId(m.group(1)), ItemId(m.group(2)) if m.group(2) else None)
    return found


def _mentions(text: str, kind: str) -> list[ItemId]:
    found: list[ItemId] = []
    for mention in _MENTION[kind].finditer(text):
        for m in _IDS_IN_MENTION.finditer(mention.group(1)):
            found += _range(ItemId(m.group(1)), ItemId(m.group(2)) if m.group(2) else None)
    return found


def parse_dependencies(value: str, kind: str = "phase") -> tuple[ItemId, ...] | None:
    """The ids a Dependencies value names (``kind`` "phase", or "stage" for a stage's own list);
    ``()`` for an empty value; None when it is prose that names no ``kind`` at all."""
    v = value.strip().strip("*_` ").strip()
    if v[:1] in ("d", "D"):
        v = _NESTED.sub("", v)
    if v[:1] == "[" and v[-1:] == "]":  # the usual list: no need to look for "none" and friends
        inner = v[1:-1]
    elif not v or _EMPTY.match(v):
        return ()
    else:
        inner = v
    listed = _list_items(inner, kind) if inner.strip() else []
    if listed is not None:
        return _unique(listed)
    named = _mentions(v, kind)
    return _unique(named) if named else None


def names_all_previous(value: str | None) -> bool:
    """``All previous phases`` (``all prior stages``, ``every earlier phase`` ...): every item before."""
    if value is None or value.lstrip("*_` \t")[:1] not in ("a", "A", "e", "E"):
        return False  # the usual "[1, 2]" or "Phase 1": decided without the regex
    return _ALL_PREVIOUS.match(value.strip().strip("*_` ").strip()) is not None


def is_package_list(value: str) -> bool:
    """A Dependencies value that lists software, not phases: ```` `rs-core`, `syn` ```` (code
    spans), ``requests, pydantic>=2``, ``python 3.11``. It names no phase and is not prose."""
    if "`" in value:
        return True
    items = [item.strip() for item in re.split(r"[,;]", re.sub(r"\([^()]*\)", "", value).rstrip(". "))]
    return all(_PACKAGE.match(item) for item in items) and (
        len(items) > 1 or any(c in value for c in "0123456789-@/.")
    )


def is_prose(value: str | None, kind: str = "phase") -> bool:
    """A Dependencies value that names no phase (or stage) at all, is not empty, not ``All previous
    phases`` and not a package list: text a reader cannot turn into dependencies (a warning)."""
    return (
        value is not None
        and parse_dependencies(value, kind) is None
        and not names_all_previous(value)
        and not is_package_list(value)
    )


__all__ = ["RANGE_MAX", "is_package_list", "is_prose", "names_all_previous", "parse_dependencies"]
