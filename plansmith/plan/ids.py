"""Phase and stage ids as people write them: ``3``, ``0.5``, ``2.5``, ``5a``, ``A``, ``CF-1``.

An :class:`ItemId` is a small immutable value with one canonical spelling and a natural order:

- integers ``0``, ``1``, ... (leading zeros dropped: ``02`` is ``2``);
- inserted ids ``0.5``, ``2.5``, ``3.1.2``: dot-separated integers, ordered segment by segment like
  versions (``2 < 2.5 < 2.10 < 3``);
- a one-letter suffix ``5a``, ``5b``, ``4A`` (lower case): after the bare number (``5 < 5a < 5b < 6``);
- sub-phases of a lettered phase ``10a.1``, ``10a.2``: after the lettered phase, before the next
  letter (``10a < 10a.1 < 10a.2 < 10b``);
- a single letter ``A``..``Z`` (upper case; ``Phase b`` is ``B``): after every numbered id, before
  every prefixed one (``9 < 10 < A < B < Z < CF-1``). A letter id has no number, so it is never part of
  a gap, and its file token is the letter alone (``phase_a_slug``), which a number always precedes in a
  suffix form (``phase_5a_slug``);
- a prefix of 1-8 letters and a dash ``CF-1`` (upper case): every prefixed id sorts after every
  unprefixed one, grouped by prefix (``9 < 10 < A < CF-1 < CF-2 < X-1``).

The order is total and consistent with equality: two ids are equal exactly when their canonical
spellings are. An integer id also equals (and hashes like) the ``int`` itself, so ``plan.phase(3)``
and ``{phase_id: ...}[3]`` keep working; it never equals a ``str`` (use :meth:`ItemId.parse`).

This module must stay pure (no I/O) and must not import anything from the rest of plansmith.
"""

from __future__ import annotations

import re
from typing import TypeAlias

ID_PATTERN = r"(?:[A-Za-z]{1,8}-)?[0-9]{1,9}(?:\.[0-9]{1,9})*(?:[A-Za-z](?:\.[0-9]{1,9})*)?"
_ID = re.compile(r"(?:([A-Za-z]{1,8})-)?([0-9]{1,9}(?:\.[0-9]{1,9})*)(?:([A-Za-z])((?:\.[0-9]{1,9})*))?")
# An id inside a file name (see ItemId.file_token): "3", "2_5", "5a", "cf_1", "a".
# A letter id's token is the letter alone, then "_" or the end ("a", "a_contracts").
FILE_ID_PATTERN = (
    r"(?:(?:[A-Za-z]{1,8}_)?[0-9]{1,9}(?:_[0-9]{1,9})*(?:[A-Za-z](?:_[0-9]{1,9})*)?|[A-Za-z](?=_|$))"
)
_FILE_ID = re.compile(r"(?:([A-Za-z]{1,8})_)?([0-9]{1,9}(?:_[0-9]{1,9})*)([A-Za-z](?:_[0-9]{1,9})*)?(?=_|$)")
# A letter id ("A", written "a" too).
LETTER_ID_PATTERN = r"[A-Za-z]"
# The sort-key prefix of letter ids: after "" (unprefixed numbers), before every "CF"-style prefix.
_LETTER_KEY = "\x01"

SortKey: TypeAlias = tuple[str, tuple[int, ...], str]
_INTERN_MAX = 4096
_INTERNED: dict[str, ItemId] = {}  # text as written -> its (immutable) id


class ItemId:
    """The id of a phase or stage (see the module docstring)."""

    __slots__ = ("_hash", "_key", "_text", "is_letter")
    _key: SortKey
    _text: str
    _hash: int
    # A letter id (``A``): no number, so no range of numbers and no gap. A slot, not a property: the
    # parser asks it of every phase and stage heading it reads.
    is_letter: bool

    def __new__(cls, value: ItemId | int | str) -> ItemId:
        if isinstance(value, str) and (known := _INTERNED.get(value)) is not None:
            return known  # parsing the same few ids again and again is the parser's hot path
        if isinstance(value, ItemId):
            return value
        if isinstance(value, str) and len(value) < 10 and value.isdecimal() and value.isascii():
            return cls._integer(value)  # the usual "12": what the general path gives, without the regex
        key: SortKey
        if isinstance(value, int) and not isinstance(value, bool):
            if value < 0:
                raise ValueError(f"a phase or stage id is not negative: {value}")
            key = ("", (value,), "")
        elif isinstance(value, str) and (m := _ID.fullmatch(value.strip())) is not None:
            written_prefix, written_numbers, letter, subs = m.groups()
            numbers = tuple(int(n) for n in written_numbers.split("."))
            key = ((written_prefix or "").upper(), numbers, _suffix_key(letter or "", subs or ""))
        elif isinstance(value, str) and _is_letter(written := value.strip()):
            return cls._letter(value, written)
        else:
            raise ValueError(f"not a phase or stage id: {value!r} (ids look like 3, 2.5, 5a, A or CF-1)")
        self = super().__new__(cls)
        prefix, numbers, suffix = key
        self._key = key
        self._text = (f"{prefix}-" if prefix else "") + ".".join(map(str, numbers)) + _suffix_text(suffix)
        self._hash = hash(numbers[0]) if self.is_integer else hash(self._text)
        self.is_letter = False
        if isinstance(value, str) and len(_INTERNED) < _INTERN_MAX:
            _INTERNED[value] = self
        return self

    @classmethod
    def _integer(cls, written: str) -> ItemId:
        number = int(written)
        self = super().__new__(cls)
        self._key = ("", (number,), "")
        self._text = str(number)
        self._hash = hash(number)
        self.is_letter = False
        if len(_INTERNED) < _INTERN_MAX:
            _INTERNED[written] = self
        return self

    @classmethod
    def _letter(cls, value: str, written: str) -> ItemId:
        self = super().__new__(cls)
        self._key = (_LETTER_KEY, (), written.lower())
        self._text = written.upper()
        self._hash = hash(self._text)
        self.is_letter = True
        if len(_INTERNED) < _INTERN_MAX:
            _INTERNED[value] = self
        return self

    @classmethod
    def parse(cls, text: str) -> ItemId | None:
        """The id written as ``text``, or None when it is not one."""
        try:
            return cls(text)
        except ValueError:
            return None

    @property
    def key(self) -> SortKey:
        """The natural sort key: ``(prefix, numbers, suffix)``."""
        return self._key

    @property
    def is_integer(self) -> bool:
        return not self._key[0] and len(self._key[1]) == 1 and not self._key[2]

    @property
    def whole(self) -> int | None:
        """The integer an unprefixed id belongs to (``2`` for ``2``, ``2.5`` and ``2a``), for gap
        detection; None for prefixed and letter ids."""
        return None if self._key[0] else self._key[1][0]

    @property
    def file_token(self) -> str:
        """The id as it appears in file names: ``3``, ``2_5``, ``5a``, ``a``, ``cf_1``."""
        return self._text.lower().replace(".", "_").replace("-", "_")

    def as_json(self) -> int | str:
        """A JSON integer for integer ids (as before ids could be anything else), else the text."""
        return self._key[1][0] if self.is_integer else self._text

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return f"ItemId({self._text!r})"

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ItemId):
            return self._key == other._key
        if isinstance(other, int) and not isinstance(other, bool):
            return self.is_integer and self._key[1][0] == other
        return NotImplemented

    def __lt__(self, other: object) -> bool:
        key = _comparable(other)
        return NotImplemented if key is None else self._key < key

    def __le__(self, other: object) -> bool:
        key = _comparable(other)
        return NotImplemented if key is None else self._key <= key

    def __gt__(self, other: object) -> bool:
        key = _comparable(other)
        return NotImplemented if key is None else self._key > key

    def __ge__(self, other: object) -> bool:
        key = _comparable(other)
        return NotImplemented if key is None else self._key >= key

    def __reduce__(self) -> tuple[type[ItemId], tuple[str]]:
        return (ItemId, (self._text,))


IdLike: TypeAlias = ItemId | int | str


def _is_letter(text: str) -> bool:
    return len(text) == 1 and text.isascii() and text.isalpha()


def _suffix_key(letter: str, subs: str) -> str:
    """The sort key of a letter suffix and its sub-numbers (``a``, ``.1``): the numbers zero-padded
    so that string order is numeric order (``a.000000002 < a.000000010``)."""
    return letter.lower() + "".join(f".{int(n):09d}" for n in subs.split(".")[1:])


def _suffix_text(key: str) -> str:
    letter, *subs = key.split(".")
    return letter + "".join(f".{int(n)}" for n in subs)


def _comparable(other: object) -> SortKey | None:
    """The sort key of an ``ItemId`` or a non-negative ``int``; None for anything else."""
    if isinstance(other, ItemId):
        return other.key
    if isinstance(other, int) and not isinstance(other, bool) and other >= 0:
        return ("", (other,), "")
    return None


def item_id(value: IdLike) -> ItemId:
    """``value`` as an :class:`ItemId` (the value itself when it already is one)."""
    return value if isinstance(value, ItemId) else ItemId(value)


def natural_key(value: IdLike) -> SortKey:
    """The natural sort key of an id given as an ``ItemId``, an ``int`` or its text."""
    return item_id(value).key


def id_json(value: ItemId | None) -> int | str | None:
    """``value.as_json()``, or None."""
    return None if value is None else value.as_json()


def id_from_file_stem(kind: str, stem: str) -> ItemId | None:
    """The id a ``phase_2_5_slug`` / ``stage_1`` file name gives, reading as many ``_N`` parts as the
    name has (``phase_2_5_x`` is 2.5; ``phase_a_x`` is A). Only a fallback for files whose title names
    no id: the part after the id may itself start with digits, so the title always wins."""
    if not stem.lower().startswith(f"{kind}_"):
        return None
    m = _FILE_ID.match(stem, len(kind) + 1)
    if m is None:
        letter = stem[len(kind) + 1 : len(kind) + 2]
        rest = stem[len(kind) + 2 : len(kind) + 3]
        return ItemId(letter) if _is_letter(letter) and rest in ("", "_") else None
    prefix, numbers, suffix = m.groups()
    return ItemId((f"{prefix}-" if prefix else "") + (numbers + (suffix or "")).replace("_", "."))


def item_name(phase: ItemId, stage: ItemId | None = None) -> str:
    """The item id used in JSON and artifacts: ``phase_3``, ``phase_2.5``, ``phase_3_stage_1``.

    Unambiguous: an id never contains ``_``, so ``_stage_`` separates the two parts.
    """
    return f"phase_{phase}" if stage is None else f"phase_{phase}_stage_{stage}"


__all__ = [
    "FILE_ID_PATTERN",
    "ID_PATTERN",
    "LETTER_ID_PATTERN",
    "IdLike",
    "ItemId",
    "SortKey",
    "id_from_file_stem",
    "id_json",
    "item_id",
    "item_name",
    "natural_key",
]
