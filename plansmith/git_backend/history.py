"""History facts for ``plansmith verify``, read in two git processes per run whatever the plan's size.

1. one walk of every commit reachable from HEAD with the files it changed (renames detected), and
2. one walk of the Markdown files' patches, to find the commit that first added each task line.

From them :class:`History` answers "was this file changed by a commit after that one?", following
renames both ways (a file's names are joined into one identity). It reads history only: it never
writes a ref, the index or a file, and never runs git per task.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from plansmith.git_backend.cmd import git
from plansmith.plan.ready import task_line_text

if TYPE_CHECKING:
    from plansmith.git_backend.repo import RepoPaths

_COMMIT = "\x01"


@dataclass
class History:
    """Commits from newest (index 0) to oldest, the files each changed, and when task lines appeared."""

    order: dict[str, int] = field(default_factory=dict)  # commit -> index, 0 = newest
    newest_change: dict[str, int] = field(default_factory=dict)  # identity -> newest changing commit
    first_added: dict[str, int] = field(default_factory=dict)  # task text -> oldest adding commit
    _alias: dict[str, str] = field(default_factory=dict)  # union-find over the names a file had

    def identity(self, path: str) -> str:
        """The one name that stands for all names ``path`` had (renames joined, both ways)."""
        root = path
        while (up := self._alias.get(root)) is not None and up != root:
            root = up
        while path != root:  # path compression keeps later lookups short
            path, self._alias[path] = self._alias.get(path, root), root
        return root

    def join(self, old: str, new: str) -> None:
        a, b = self.identity(old), self.identity(new)
        if a != b:
            self._alias[a] = b

    def task_added(self, text: str) -> int | None:
        """The index of the commit that first added a task with this text (None: never committed)."""
        return self.first_added.get(text)

    def changed_after(self, path: str, index: int | None) -> bool:
        """Whether a commit newer than the one at ``index`` changed ``path`` (a file, or a folder's
        files) under any name it had; ``index`` None (the task is not committed) is never backed."""
        if index is None:
            return False
        newest = self.newest_change.get(self.identity(path))
        if newest is not None:
            return newest < index
        prefix = path.rstrip("/") + "/"
        return any(p.startswith(prefix) and n < index for p, n in self.newest_change.items())


def _changes(chunk: str) -> Iterable[tuple[str, str, str | None]]:
    """``(status, path, new_path)`` of one commit's ``--name-status -z`` part."""
    tokens = chunk.lstrip("\n").split("\0")
    i = 0
    while i < len(tokens):
        status = tokens[i].strip()
        if not status:
            i += 1
            continue
        if status[0] in "RC" and i + 2 < len(tokens):
            yield status, tokens[i + 1], tokens[i + 2]
            i += 3
        elif i + 1 < len(tokens):
            yield status, tokens[i + 1], None
            i += 2
        else:
            break


def _read_changes(history: History, out: str) -> None:
    touched: list[tuple[str, int]] = []
    for index, chunk in enumerate(out.split(_COMMIT)[1:]):
        commit, _, rest = chunk.partition("\0")
        history.order[commit.strip()] = index
        for status, path, new in _changes(rest):
            if new is not None:
                if status[0] == "R":
                    history.join(path, new)
                if status != "R100":  # a pure rename moves a file; it implements nothing
                    touched.append((new, index))
            else:
                touched.append((path, index))
    for path, index in touched:  # after every rename is joined, so each name finds its identity
        root = history.identity(path)
        if index < history.newest_change.get(root, index + 1):
            history.newest_change[root] = index


def _read_additions(history: History, out: str) -> None:
    index = -1
    for line in out.splitlines():
        if line.startswith(_COMMIT):
            index = history.order.get(line[1:].strip(), -1)
        elif line.startswith("+") and not line.startswith("+++") and index >= 0:
            text = task_line_text(line[1:])
            if text is not None and index > history.first_added.get(text, -1):
                history.first_added[text] = index  # newest first: the last one seen is the oldest


def read_history(repo: RepoPaths, rev: str = "HEAD") -> History:
    """The history below ``rev`` (two git processes; an empty repository has none)."""
    history = History()
    base = ["log", "--topo-order", "--no-color", "--no-ext-diff", f"--format={_COMMIT}%H"]
    walk = git([*base, "-z", "-M", "--name-status", rev, "--"], cwd=repo.worktree, check=False)
    if walk.returncode != 0:
        return history  # no commit yet: nothing is backed
    _read_changes(history, walk.stdout.decode("utf-8", "replace"))
    patches = git([*base, "-p", "-U0", "--no-renames", rev, "--", "*.md"], cwd=repo.worktree)
    _read_additions(history, patches.stdout.decode("utf-8", "replace"))
    return history
