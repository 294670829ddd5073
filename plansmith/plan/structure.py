"""Which items of a plan are expanded, and a digest of each item's own text: the facts behind "the user
decided this structure".

A person who collapses a phase (by hand, or by approving a collapse) or expands one has decided its
structure; plansmith must not propose the reverse until the item's text changes. This module only
computes the facts (pure: text in, values out); the memory of what was seen and decided is kept by
:mod:`plansmith.engine.decisions` through :mod:`plansmith.git_backend.rejections`. It must not read
files, git or the clock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from plansmith.plan.model import Document, PhaseNode, Plan, StageNode


@dataclass(frozen=True, slots=True)
class ItemState:
    expanded: bool
    digest: str  # sha256 of the item's own text where it lives now (its file, or its inline section)

    def as_json(self) -> dict[str, object]:
        return {"expanded": self.expanded, "digest": self.digest}


def _text_of(item: PhaseNode | StageNode, documents: Mapping[str, Document]) -> str:
    if item.document is not None:
        return item.document.text
    # The inline section's own lines; the plan around it may change without changing the item.
    lines = documents[item.holder].lines
    return "".join(lines[item.section.start : item.section.content_end])


def item_states(plan: Plan) -> dict[str, ItemState]:
    """Every phase and stage of ``plan`` by id (``phase_2``, ``phase_2_stage_1``): expanded, and digest."""
    documents = {doc.path: doc for doc in plan.documents}
    states: dict[str, ItemState] = {}
    for item in plan.items():
        digest = "sha256:" + hashlib.sha256(_text_of(item, documents).encode("utf-8")).hexdigest()
        states[item.id] = ItemState(item.expanded, digest)
    return states


def flipped(seen: Mapping[str, bool], now: Mapping[str, ItemState]) -> dict[str, ItemState]:
    """The items whose structure changed since ``seen`` (item id -> was expanded): a person's decision.
    Items new to the plan, or gone from it, are not decisions about structure."""
    return {item: state for item, state in now.items() if item in seen and seen[item] != state.expanded}
