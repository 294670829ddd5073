"""The one reader of git's file listings: ``ls-files --stage -z`` and ``ls-tree -r -z`` output.

Both list one file per NUL-terminated record, ``<meta>TAB<path>``, with the same three fields in a
different order (``mode oid stage`` for the index, ``mode type oid`` for a tree). They become the same
:class:`Entry`, which is also what the object reader (:mod:`~plansmith.git_backend.trees`) yields for
tree objects, so every caller filters files the same way (:meth:`Entry.is_file`).

Pure functions on bytes, standard library only: the git hook's fast path imports this module.
It must not run git itself: callers pass the output in.
"""

from __future__ import annotations

from dataclasses import dataclass

MODE_FILE = "100644"
MODE_EXECUTABLE = "100755"
MODE_SYMLINK = "120000"
MODE_GITLINK = "160000"
MODE_TREE = "40000"  # as tree objects write it; ls-tree prints "040000"


@dataclass(frozen=True, slots=True)
class Entry:
    """One file of a listing: repository-relative ``path``, git ``mode`` (octal text), object id, and
    the merge ``stage`` (0 unless the index holds a conflict)."""

    path: str
    mode: str
    oid: str
    stage: int = 0

    @property
    def is_file(self) -> bool:
        """A regular file (executable or not) at stage 0: the only kind of entry that can be a plan.
        Symbolic links, submodules and conflicted entries have no single content to read."""
        return self.stage == 0 and self.mode in (MODE_FILE, MODE_EXECUTABLE)

    @property
    def is_blob(self) -> bool:
        """A file or a symbolic link (whose blob is the link's target) at stage 0."""
        return self.is_file or (self.stage == 0 and self.mode == MODE_SYMLINK)

    @property
    def is_tree(self) -> bool:
        return self.mode.lstrip("0") == MODE_TREE


def decode_path(raw: bytes) -> str:
    """A path from git (bytes) as text: surrogateescape keeps non-UTF-8 names round-trippable."""
    return raw.decode("utf-8", "surrogateescape")


def encode_path(path: str) -> bytes:
    return path.encode("utf-8", "surrogateescape")


def parse_ls_files(out: bytes) -> list[Entry]:
    """``git ls-files --stage -z`` -> entries (``mode oid stage<TAB>path``)."""
    entries: list[Entry] = []
    for meta, path in _records(out):
        fields = meta.split(b" ")
        if len(fields) == 3:
            entries.append(Entry(path, fields[0].decode("ascii"), fields[1].decode("ascii"), int(fields[2])))
    return entries


def parse_ls_tree(out: bytes) -> list[Entry]:
    """``git ls-tree [-r] -z`` -> entries (``mode type oid<TAB>path``); tree modes as ``40000``."""
    entries: list[Entry] = []
    for meta, path in _records(out):
        fields = meta.split(b" ")
        if len(fields) == 3:
            mode = fields[0].decode("ascii").lstrip("0") or "0"
            entries.append(Entry(path, mode, fields[2].decode("ascii")))
    return entries


def _records(out: bytes) -> list[tuple[bytes, str]]:
    found: list[tuple[bytes, str]] = []
    for record in out.split(b"\0"):
        meta, tab, raw_path = record.partition(b"\t")
        if tab:
            found.append((meta, decode_path(raw_path)))
    return found
