"""Whether an ``elaborate`` attempt is acceptable, and tree snapshots to see which files it changed.

The check takes the plan parser as callables (``same_item``, ``tasks_of``) so it stays independent of it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping
from pathlib import Path

SameItem = Callable[[str, str], bool]
TasksOf = Callable[[str], list[tuple[str, bool]]]


def snapshot_tree(root: Path) -> dict[str, str]:
    """``{relative POSIX path: sha1 of the bytes}`` of every file under ``root``, ``.git`` excluded.

    Symbolic links are recorded by their target (never followed). Unreadable files get a marker value
    so that a change of readability still counts as a change.
    """
    snap: dict[str, str] = {}
    root = Path(root)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != ".git")
        base = Path(dirpath)
        for name in filenames:
            if name == ".git":
                continue  # a linked worktree's pointer file
            path = base / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                snap[rel] = "link:" + str(path.readlink())
                continue
            try:
                snap[rel] = hashlib.sha1(path.read_bytes(), usedforsecurity=False).hexdigest()
            except OSError:
                snap[rel] = "unreadable"
    return snap


def changed_paths(before: Mapping[str, str], after: Mapping[str, str]) -> set[str]:
    """Paths created, deleted or modified between two snapshots."""
    keys = set(before) | set(after)
    return {k for k in keys if before.get(k) != after.get(k)}


def _norm(text: str) -> str:
    return " ".join(text.split())


def check_elaboration(
    before_text: str,
    after_text: str | None,
    changed_paths: set[str],
    target: str,
    *,
    same_item: SameItem,
    tasks_of: TasksOf,
    exit_code: int | None = 0,
) -> list[str]:
    """Reasons to reject an elaboration (empty list: accepted).

    Rules: exit status 0; no file but ``target`` changed; ``after_text`` (``None``: the target is gone)
    is still the same phase/stage; every task of ``before_text`` is still there (matched by text with
    white space normalised, as a multiset; new tasks are fine); a ticked task stays ticked.
    """
    reasons: list[str] = []
    if exit_code != 0:
        reasons.append(f"the agent exited with status {exit_code}")
    others = sorted(p for p in changed_paths if p != target)
    if others:
        shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
        reasons.append(f"files other than {target} changed: {shown}")
    if after_text is None:
        reasons.append(f"{target} was deleted")
        return reasons
    if not same_item(before_text, after_text):
        reasons.append(f"{target} is no longer the same phase/stage")
    remaining: dict[str, list[bool]] = {}
    for text, checked in tasks_of(after_text):
        remaining.setdefault(_norm(text), []).append(checked)
    for text, checked in tasks_of(before_text):
        key = _norm(text)
        marks = remaining.get(key)
        if not marks:
            reasons.append(f"task dropped: {text.strip()!r}")
            continue
        if checked:
            if True in marks:
                marks.remove(True)
            else:
                marks.pop()
                reasons.append(f"ticked task unticked: {text.strip()!r}")
        elif False in marks:
            marks.remove(False)
        else:
            marks.pop()  # ticked by the agent: allowed
    return reasons
