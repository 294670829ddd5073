"""git's object formats, as bytes: trees and commits read and written exactly as git does.

plansmith writes its own trees and commits into the object database (no ``mktree``/``commit-tree``
process per object), so the bytes must be git's canonical ones: the same content gives the same object
id as git would compute, and ``git fsck`` finds nothing to complain about. The rules kept here:

* tree entries are ``<octal mode without leading zeros> <name>\\0<20-byte id>``, sorted by name where
  a folder's name sorts as if it ended in ``/``;
* a commit is ``tree``, ``parent`` lines, ``author``, ``committer`` (``Name <email> <seconds> <+hhmm>``),
  a blank line and the message as given (``git commit-tree -F`` adds nothing either).

Pure functions (no I/O, standard library only).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from plansmith.git_backend.listing import MODE_TREE, Entry, decode_path, encode_path

_HEX40 = re.compile(r"^[0-9a-f]{40}$")
_EMAIL = re.compile(r"<([^<>]*)>")


def is_oid(text: str) -> bool:
    """A full, lower-case SHA-1 object id."""
    return bool(_HEX40.match(text))


@dataclass(frozen=True, slots=True)
class CommitInfo:
    """The parts of a commit plansmith reads: tree, parents, the two identity lines and the message."""

    oid: str
    tree: str
    parents: tuple[str, ...]
    author: str  # "Name <email> 1795000000 +0000"
    committer: str
    message: str

    @property
    def author_email(self) -> str:
        return _email(self.author)

    @property
    def committer_email(self) -> str:
        return _email(self.committer)

    @property
    def committer_time(self) -> int:
        fields = self.committer.rsplit(" ", 2)
        return int(fields[1]) if len(fields) == 3 and fields[1].isdigit() else 0


def _email(ident: str) -> str:
    # With the brackets, as git's %(authoremail) prints it.
    found = _EMAIL.search(ident)
    return f"<{found.group(1)}>" if found else ""


def parse_commit(oid: str, data: bytes) -> CommitInfo:
    """A commit object's content -> :class:`CommitInfo` (header continuation lines, e.g. signatures,
    are skipped; the message is decoded as UTF-8, invalid bytes replaced)."""
    header, _, message = data.partition(b"\n\n")
    tree = ""
    parents: list[str] = []
    author = committer = ""
    for line in header.split(b"\n"):
        key, _, value = line.partition(b" ")
        text = value.decode("utf-8", "replace")
        if key == b"tree":
            tree = text
        elif key == b"parent":
            parents.append(text)
        elif key == b"author":
            author = text
        elif key == b"committer":
            committer = text
    return CommitInfo(oid, tree, tuple(parents), author, committer, message.decode("utf-8", "replace"))


def format_commit(tree: str, parents: Sequence[str], author: str, committer: str, message: str) -> bytes:
    """The content of a commit object (see the module doc); ``author``/``committer`` as :func:`ident`."""
    lines = [f"tree {tree}", *(f"parent {p}" for p in parents), f"author {author}", f"committer {committer}"]
    return ("\n".join(lines) + "\n\n" + message).encode("utf-8")


def ident(name: str, email: str, seconds: int, utc_offset_s: int) -> str:
    """``Name <email> 1795000000 +0100``: an author or committer line as git writes it."""
    sign = "-" if utc_offset_s < 0 else "+"
    minutes = abs(utc_offset_s) // 60
    return f"{name} <{email}> {seconds} {sign}{minutes // 60:02d}{minutes % 60:02d}"


def parse_tree(data: bytes) -> list[Entry]:
    """A tree object's content -> one :class:`Entry` per name (``path`` is the bare name)."""
    entries: list[Entry] = []
    pos = 0
    while pos < len(data):
        space = data.index(b" ", pos)
        nul = data.index(b"\0", space)
        mode = data[pos:space].decode("ascii")
        oid = data[nul + 1 : nul + 21].hex()
        entries.append(Entry(decode_path(data[space + 1 : nul]), mode, oid))
        pos = nul + 21
    return entries


def format_tree(entries: Iterable[Entry]) -> bytes:
    """The content of a tree object holding ``entries`` (bare names), in git's order."""

    def order(entry: Entry) -> bytes:
        name = encode_path(entry.path)
        return name + b"/" if entry.is_tree else name

    out = bytearray()
    for entry in sorted(entries, key=order):
        mode = MODE_TREE if entry.is_tree else entry.mode.lstrip("0")
        out += mode.encode("ascii") + b" " + encode_path(entry.path) + b"\0" + bytes.fromhex(entry.oid)
    return bytes(out)
