"""Trees through an open session: list a folder of a commit, replace a subtree, make the tree of an index.

Everything here runs in-process on the session's object reader and writer: listing the plans folder of
a commit costs one ``cat-file`` request per tree on the way (no ``ls-tree`` process), replacing the
plans folder of a big repository's tree reads and writes one small tree per level of the folder's path
(no ``ls-tree``/``mktree`` processes), and the tree of the scratch worktree's index is made from the
index file (no ``write-tree`` process; ``None`` when the index uses a format GitPython's reader does
not know, and the caller asks git).

Reads the user's objects and writes only new loose objects; never a ref, the index or a working tree.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from pathlib import Path

from plansmith.errors import GitError
from plansmith.git_backend.listing import MODE_TREE, Entry
from plansmith.git_backend.objects import format_tree, parse_tree
from plansmith.git_backend.session import GitSession

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


def entries(session: GitSession, tree: str) -> list[Entry]:
    """The entries of tree object ``tree`` (bare names)."""
    found = session.read(tree)
    if found is None or found[0] != "tree":
        raise GitError(f"{tree} is not a tree in {session.paths.worktree}")
    return parse_tree(found[1])


def lookup(session: GitSession, tree: str, path: str) -> Entry | None:
    """The entry at ``path`` (``specs/plans``) inside ``tree``, with the full path; ``None`` if absent.
    The empty path is the tree itself."""
    parts = [p for p in path.split("/") if p]
    found = Entry("", MODE_TREE, tree)
    for depth, name in enumerate(parts):
        if not found.is_tree:
            return None
        child = next((e for e in entries(session, found.oid) if e.path == name), None)
        if child is None:
            return None
        found = Entry("/".join(parts[: depth + 1]), child.mode, child.oid)
    return found


def files_under(session: GitSession, tree: str, folder: str) -> list[Entry]:
    """Every non-folder entry below ``folder`` of ``tree``, recursively, with repository paths, in git's
    order (what ``git ls-tree -r TREE -- folder/`` lists). Empty when the folder is missing."""
    return [e for e in everything_under(session, tree, folder) if not e.is_tree]


def everything_under(session: GitSession, tree: str, folder: str) -> list[Entry]:
    """Every entry below ``folder`` of ``tree``, folders included (each before what it holds), with
    repository paths: what ``git ls-tree -r -t TREE -- folder/`` lists. Empty when the folder is missing."""
    start = lookup(session, tree, folder)
    if start is None or not start.is_tree:
        return []
    found: list[Entry] = [start] if start.path else []
    _walk(session, start.oid, start.path, found)
    return found


def _walk(session: GitSession, tree: str, base: str, found: list[Entry]) -> None:
    for entry in entries(session, tree):
        path = f"{base}/{entry.path}" if base else entry.path
        found.append(Entry(path, entry.mode, entry.oid))
        if entry.is_tree:
            _walk(session, entry.oid, path, found)


def splice(session: GitSession, tree: str | None, parts: list[str], new: str | None) -> str | None:
    """``tree`` with the subtree at ``parts`` replaced by ``new`` (removed when ``None``).

    Returns ``None`` for a tree left empty (git does not record empty folders). Reads and writes one
    small tree per level, so the cost depends on the folder's depth, not the repository's size.
    """
    current = entries(session, tree) if tree is not None else []
    name = parts[0]
    kept = [e for e in current if e.path != name]
    old = next((e for e in current if e.path == name and e.is_tree), None)
    child = new if len(parts) == 1 else splice(session, old.oid if old else None, parts[1:], new)
    if child is not None:
        kept.append(Entry(name, MODE_TREE, child))
    if not kept:
        return None
    return session.write("tree", format_tree(kept))


def build(session: GitSession, files: Iterable[Entry]) -> str:
    """The root tree holding ``files`` (repository paths; stage 0): what ``git write-tree`` makes of an
    index holding them. Folders are written bottom-up; an empty listing gives the empty tree."""
    root: dict[str, object] = {}
    for entry in files:
        *folders, name = entry.path.split("/")
        node = root
        for folder in folders:
            child = node.setdefault(folder, {})
            if not isinstance(child, dict):
                raise GitError(f"{entry.path}: a file and a folder of the same name in one index")
            node = child
        node[name] = entry
    return _write_node(session, root)


def _write_node(session: GitSession, node: dict[str, object]) -> str:
    items: list[Entry] = []
    for name, value in node.items():
        if isinstance(value, Entry):
            items.append(Entry(name, value.mode, value.oid))
        else:
            assert isinstance(value, dict)
            items.append(Entry(name, MODE_TREE, _write_node(session, value)))
    return session.write("tree", format_tree(items))


def index_files(index: Path) -> list[Entry] | None:
    """The entries of the index file ``index`` (an empty list when it does not exist); ``None`` when
    it cannot be read here (a newer index format, a split index, a conflict): ask git instead.

    Uses GitPython's low-level index reader, not its ``IndexFile`` (see the design notes)."""
    if not index.exists():
        return []
    from git.index.fun import read_cache

    try:
        with index.open("rb") as stream:
            _version, found, _extensions, _sha = read_cache(stream)
    except (ValueError, AssertionError, OSError, struct.error):
        return None
    listed: list[Entry] = []
    for (path, stage), entry in found.items():
        if stage != 0:
            return None
        listed.append(Entry(str(path), f"{entry.mode:o}", entry.binsha.hex()))
    return sorted(listed, key=lambda e: e.path.encode("utf-8", "surrogateescape"))
