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
(:class:`plansmith.engine.handled.HandledDigests`, the same memory the daemon keeps in its state
folder); ``rejections``: plan content whose proposal was deleted without being merged.

The memory is pushed in one atomic push with the proposal branches it describes, each ref with a lease:
two runners at once cannot interleave, the slower one finds the remote changed and looks again.

Pure: JSON in, JSON out; no git, no files.
It must not push or fetch: :mod:`plansmith.ci.runner` does.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from plansmith.engine.handled import HandledDigests

VERSION = 1
FILE_NAME = "memory.json"
MEMORY_REF = "refs/plansmith/ci/memory"


@dataclass
class Memory:
    proposals: dict[str, dict[str, str]] = field(default_factory=dict)
    handled: HandledDigests = field(default_factory=HandledDigests)
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
        # Anyone who may push may write it: keep only entries of the documented shape.
        return cls(
            proposals=_strings(data.get("proposals"), depth=2),
            handled=HandledDigests.from_json(data.get("handled")),
            rejections=_strings(data.get("rejections"), depth=3),
        )

    def dumps(self) -> bytes:
        doc = {"version": VERSION, **self.sections()}
        return (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")

    def sections(self) -> dict[str, dict[str, Any]]:
        return {"proposals": self.proposals, "handled": self.handled, "rejections": self.rejections}

    def copy(self) -> Memory:
        return copy.deepcopy(self)

    def remember_rejection(self, plan: str, content_hash: str, *, proposal: str, commit: str) -> None:
        self.rejections.setdefault(plan, {})[content_hash] = {"proposal": proposal, "commit": commit}

    def all_rejections(self) -> list[tuple[str, str, dict[str, str]]]:
        """``(plan, content hash, details)`` of every remembered rejection."""
        return [
            (plan, h, details) for plan, by_hash in self.rejections.items() for h, details in by_hash.items()
        ]


def _strings(value: object, *, depth: int) -> dict[str, Any]:
    """``value`` if it is ``depth`` levels of objects ending in strings; wrong entries are dropped."""
    kept: dict[str, Any] = {}
    for key, inner in value.items() if isinstance(value, dict) else ():
        if depth == 1 and isinstance(key, str) and isinstance(inner, str):
            kept[key] = inner
        elif depth > 1 and isinstance(key, str):
            nested = _strings(inner, depth=depth - 1)
            if nested:
                kept[key] = nested
    return kept
