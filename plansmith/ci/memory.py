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
listed here was deleted by someone), each a :class:`PushedProposal`; ``handled``: the plan content
handled last per base branch and plan (:class:`plansmith.engine.handled.HandledDigests`, the same memory
the daemon keeps in its state folder); ``rejections``: plan content whose proposal was deleted without
being merged, a :class:`RememberedRejection` per plan and content hash.

Inside plansmith the entries are typed values; the JSON shape above exists only in :meth:`Memory.parse`
and :meth:`Memory.dumps`, and it must not change: a runner of the previous version reads what this one
writes, and a document it wrote is written back byte for byte.

The memory is pushed in one atomic push with the proposal branches it describes, each ref with a lease:
two runners at once cannot interleave, the slower one finds the remote changed and looks again.

Pure: JSON in, values, JSON out; no git, no files.
It must not push or fetch: :mod:`plansmith.ci.runner` does.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import TypeVar

from plansmith.engine.handled import HandledDigests

VERSION = 1
FILE_NAME = "memory.json"
MEMORY_REF = "refs/plansmith/ci/memory"


@dataclass(frozen=True, slots=True)
class PushedProposal:
    """A proposal branch a runner pushed: where, which commit, made from which plan content."""

    branch: str
    commit: str
    plan: str  # the plan's main file
    base_branch: str
    content_hash: str  # the plan's content the proposal was made from

    def ref(self) -> str:
        return f"refs/heads/{self.branch}"


@dataclass(frozen=True, slots=True)
class RememberedRejection:
    """The proposal deleted without being merged, remembered under its plan and content hash."""

    proposal: str
    commit: str


_Record = TypeVar("_Record", PushedProposal, RememberedRejection)


@dataclass
class Memory:
    proposals: dict[str, PushedProposal] = field(default_factory=dict)
    handled: HandledDigests = field(default_factory=HandledDigests)
    rejections: dict[str, dict[str, RememberedRejection]] = field(default_factory=dict)

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
            proposals=_records(data.get("proposals"), PushedProposal),
            handled=HandledDigests.from_json(data.get("handled")),
            rejections={
                plan: by_hash
                for plan, inner in _objects(data.get("rejections"))
                if (by_hash := _records(inner, RememberedRejection))
            },
        )

    def dumps(self) -> bytes:
        """The JSON document, exactly as every version of the runner has written it."""
        doc = {
            "version": VERSION,
            "proposals": {pid: asdict(p) for pid, p in self.proposals.items()},
            "handled": self.handled,
            "rejections": {
                plan: {h: asdict(r) for h, r in by_hash.items()} for plan, by_hash in self.rejections.items()
            },
        }
        return (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")

    def copy(self) -> Memory:
        return copy.deepcopy(self)

    def remember_rejection(self, plan: str, content_hash: str, rejection: RememberedRejection) -> None:
        self.rejections.setdefault(plan, {})[content_hash] = rejection

    def all_rejections(self) -> list[tuple[str, str, RememberedRejection]]:
        """``(plan, content hash, rejection)`` of every remembered rejection."""
        return [(plan, h, r) for plan, by_hash in self.rejections.items() for h, r in by_hash.items()]


def _objects(value: object) -> Iterator[tuple[str, object]]:
    """The string-keyed entries of ``value`` when it is a JSON object (none otherwise)."""
    for key, inner in value.items() if isinstance(value, dict) else ():
        if isinstance(key, str):
            yield key, inner


def _records(value: object, record: type[_Record]) -> dict[str, _Record]:
    """The entries of ``value`` that are objects with every field of ``record`` as a string; others
    (a missing field, a number, a list) are dropped, and keys the record does not know are ignored."""
    names = [f.name for f in fields(record)]
    kept: dict[str, _Record] = {}
    for key, inner in _objects(value):
        if isinstance(inner, Mapping) and all(isinstance(inner.get(n), str) for n in names):
            kept[key] = record(**{n: inner[n] for n in names})
    return kept
