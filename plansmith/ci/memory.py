"""What CI runners remember between runs, kept in the remote (runners are thrown away after each run).

One JSON document, ``memory.json``, in the commit the remote's ``refs/plansmith/ci/memory`` points at::

    {"version": 1,
     "proposals": {"001_feature": {"branch": "plansmith/001_feature", "commit": "<sha>",
                                   "plan": "specs/plans/001_feature.md", "base_branch": "main",
                                   "content_hash": "sha256:..."}},
     "handled": {"main": {"001_feature": "sha256:..."}},
     "rejections": {"specs/plans/001_feature.md": {"sha256:...": {"proposal": "001_feature",
                                                                "commit": "<sha>"}}}}

``proposals``: what a runner pushed last, per proposal id (a branch gone from the remote that is still
listed here was deleted by someone); ``handled``: the plan content handled last per base branch and plan
(the same memory the daemon keeps in its state folder); ``rejections``: plan content whose proposal was
deleted without being merged.

Two runners may update the memory at once. A push that loses the race is merged again onto the newer
memory with :func:`merge` (three-way, per entry: what this run changed wins unless the other run
changed the same entry too) and pushed again.

Pure: dictionaries in, dictionaries out; no git, no files.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

VERSION = 1
FILE_NAME = "memory.json"
MEMORY_REF = "refs/plansmith/ci/memory"
# How deep each section nests before its entries (the unit a three-way merge compares).
_DEPTH = {"proposals": 1, "handled": 2, "rejections": 2}
Entries = dict[tuple[str, ...], Any]


@dataclass
class Memory:
    proposals: dict[str, dict[str, str]] = field(default_factory=dict)
    handled: dict[str, dict[str, str]] = field(default_factory=dict)
    rejections: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)

    @classmethod
    def parse(cls, raw: bytes | None) -> Memory:
        """The memory in ``raw`` (``None`` or anything unreadable: an empty memory, as on a first run)."""
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        sections = {name: data.get(name) for name in _DEPTH}
        return cls(**{name: value for name, value in sections.items() if isinstance(value, dict)})

    def dumps(self) -> bytes:
        doc = {"version": VERSION, **self.sections()}
        return (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")

    def sections(self) -> dict[str, dict[str, Any]]:
        return {"proposals": self.proposals, "handled": self.handled, "rejections": self.rejections}

    def copy(self) -> Memory:
        return copy.deepcopy(self)

    def handled_digest(self, base_branch: str, plan: str) -> str | None:
        return self.handled.get(base_branch, {}).get(plan)

    def remember_handled(self, base_branch: str, plan: str, digest: str) -> None:
        self.handled.setdefault(base_branch, {})[plan] = digest

    def remember_rejection(self, plan: str, content_hash: str, *, proposal: str, commit: str) -> None:
        self.rejections.setdefault(plan, {})[content_hash] = {"proposal": proposal, "commit": commit}

    def all_rejections(self) -> list[tuple[str, str, dict[str, str]]]:
        """``(plan, content hash, details)`` of every remembered rejection."""
        return [
            (plan, h, details) for plan, by_hash in self.rejections.items() for h, details in by_hash.items()
        ]


def _flatten(section: dict[str, Any], depth: int) -> Entries:
    if depth == 1:
        return {(key,): value for key, value in section.items()}
    return {
        (key, *rest): value
        for key, inner in section.items()
        if isinstance(inner, dict)
        for rest, value in _flatten(inner, depth - 1).items()
    }


def _nest(entries: Entries) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path, value in sorted(entries.items()):
        node = tree
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value
    return tree


def merge(base: Memory, ours: Memory, theirs: Memory) -> Memory:
    """``theirs`` (the remote's newer memory) with this run's changes from ``base`` to ``ours`` on top.

    An entry both sides changed keeps ``theirs``: the other run wrote it later, from a newer look at the
    remote, and the next run looks again anyway.
    """
    merged: dict[str, dict[str, Any]] = {}
    for name, depth in _DEPTH.items():
        old = _flatten(base.sections()[name], depth)
        mine = _flatten(ours.sections()[name], depth)
        result = _flatten(theirs.sections()[name], depth)
        for key in old.keys() | mine.keys():
            if old.get(key) == mine.get(key) or result.get(key) != old.get(key):
                continue  # not changed by this run, or changed by the other run too
            if key in mine:
                result[key] = mine[key]
            else:
                result.pop(key, None)
        merged[name] = _nest(result)
    return Memory(**merged)
