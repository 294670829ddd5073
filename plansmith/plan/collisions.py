"""Plan collisions across branches: the decisions behind ``plansmith radar``.

Given what each branch changed in the plans since its merge base with the default branch, and what the
default branch holds now, this module says where two lines of work collide before either merges:

* ``number-collision`` - two branches add plans with the same number in one root (``012_auth`` and
  ``012_billing``), or a branch adds a number the default branch has taken since the branch left it;
  a plan a branch renumbered (``git mv 003_auth.md 012_auth.md``) claims its new number like an added
  one; the hint names the next free number in that root;
* ``same-phase`` - two branches change the same phase (or stage) of one plan, differently; changes to
  different phases of one plan merge cleanly and are not reported;
* ``id-collision`` - the same plan id added in two different roots across branches (or a branch adds
  an id the default branch has in another root).

A phase is compared by a digest of its own text (:func:`item_digests`): its lines without those of its
stages (a stage is an item of its own), blank lines dropped and heading markers ignored (a heading
level is layout, not content); an expanded item's text is its file's, wherever the plan's files moved.

Pure: values in, values out; no git, no files, no clock. The shell
(:mod:`plansmith.git_backend.radar`) reads the revisions and decides which plans need digests.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from plansmith.plan.model import Document, Plan, Section

NUMBER = re.compile(r"^(\d{3,})[_-]")
# Two plans are one renamed plan when at least this share of the old one's phase digests survive.
RENAME_SHARE = 0.5
_T = TypeVar("_T")

Signature = tuple[tuple[str, str], ...]  # ((path, blob id), ...) of a plan's files: its content's identity


@dataclass(frozen=True, slots=True)
class PlanState:
    """One plan at one revision, as the radar needs it (no text: the files' blob ids say what it holds)."""

    id: str
    key: str  # the short id (two roots may give the same one)
    root: str  # the root folder, e.g. ``specs/plans``
    name: str  # ``012_auth``
    main_path: str
    signature: Signature

    @property
    def number(self) -> str | None:
        found = NUMBER.match(self.name)
        return found.group(1) if found else None


@dataclass(frozen=True, slots=True)
class BranchChange:
    """What one branch did to the plans since its merge base.

    ``added``: plans at the tip that were not at the merge base (renamed plans excluded);
    ``renumbered``: renamed plans, as the tip has them, whose number or root changed (they claim it);
    ``changed``: per plan (its id at the merge base), the items whose text differs, with the digest
    at the tip (``""`` for an item the branch removed); ``base_names``: ``(root, name)`` of every plan
    at the merge base (to tell what the default branch took since).
    """

    branch: str
    added: tuple[PlanState, ...] = ()
    changed: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    renamed: Mapping[str, str] = field(default_factory=dict)  # base id -> tip main path
    renumbered: tuple[PlanState, ...] = ()
    base_names: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str  # number-collision | same-phase | id-collision
    branches: tuple[str, ...]  # the default branch is named when it is one side
    plan: str  # a plan id, or the root folder for a number collision
    item: str | None  # phase_3 / phase_3_stage_1 for same-phase
    paths: tuple[str, ...]
    message: str
    hint: str

    def as_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "branches": list(self.branches),
            "plan": self.plan,
            "item": self.item,
            "paths": list(self.paths),
            "message": self.message,
            "hint": self.hint,
        }


# --- digests -----------------------------------------------------------------------------------------


def item_digests(plan: Plan) -> dict[str, str]:
    """``{phase_3: digest, phase_3_stage_1: digest, ...}``: each item's own text, digested (module doc)."""
    documents = {d.path: d for d in plan.documents}
    found: dict[str, str] = {}
    for item in plan.items():
        content = item.content
        document = item.document if item.document is not None else documents.get(item.holder)
        if document is None:
            continue
        found[item.id] = _digest(_own_lines(document, content))
    return found


def _own_lines(document: Document, section: Section) -> list[str]:
    skipped: set[int] = set()
    for child in section.children:
        skipped.update(range(child.start, child.end))
    lines = []
    for index in range(section.start, section.end):
        if index in skipped:
            continue
        text = document.lines[index].strip()
        if text:
            lines.append(text.lstrip("#").strip() if text.startswith("#") else text)
    return lines


def _digest(lines: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:16]


# --- one branch ---------------------------------------------------------------------------------------


def branch_change(
    branch: str,
    base: Sequence[PlanState],
    tip: Sequence[PlanState],
    digests: Mapping[Signature, Mapping[str, str]],
) -> BranchChange:
    """What ``branch`` changed between its merge base and its tip. ``digests`` holds the item digests
    of every plan whose signature differs between the two (the shell computes exactly those)."""
    base_by_id = {p.id: p for p in base}
    tip_by_id = {p.id: p for p in tip}
    removed = [p for p in base if p.id not in tip_by_id]
    added = [p for p in tip if p.id not in base_by_id]
    renamed = _renames(removed, added, digests)
    pairs = [(b, tip_by_id[b.id]) for b in base if b.id in tip_by_id]
    pairs += [(b, next(p for p in added if p.main_path == renamed[b.id])) for b in removed if b.id in renamed]
    changed: dict[str, dict[str, str]] = {}
    for old, new in pairs:
        if old.signature == new.signature:
            continue
        items = _changed_items(digests.get(old.signature, {}), digests.get(new.signature, {}))
        if items:
            changed[old.id] = items
    new_paths = set(renamed.values())
    return BranchChange(
        branch,
        added=tuple(p for p in added if p.main_path not in new_paths),
        changed=changed,
        renamed=renamed,
        renumbered=_renumbered(removed, added, renamed),
        base_names=frozenset((p.root, p.name) for p in base),
    )


def _renames(
    removed: Sequence[PlanState], added: Sequence[PlanState], digests: Mapping[Signature, Mapping[str, str]]
) -> dict[str, str]:
    """Removed plan id -> the added plan's main path it became: the added plan that keeps the largest
    share (at least :data:`RENAME_SHARE`) of its phase digests, or any of its files unchanged."""
    found: dict[str, str] = {}
    taken: set[str] = set()
    for old in removed:
        old_items = set(digests.get(old.signature, {}).values())
        old_blobs = {oid for _path, oid in old.signature}
        best: tuple[float, str] | None = None
        for new in added:
            if new.main_path in taken:
                continue
            new_items = set(digests.get(new.signature, {}).values())
            share = len(old_items & new_items) / len(old_items) if old_items else 0.0
            if old_blobs & {oid for _path, oid in new.signature}:
                share = max(share, 1.0)
            if share >= RENAME_SHARE and (best is None or share > best[0]):
                best = (share, new.main_path)
        if best is not None:
            found[old.id] = best[1]
            taken.add(best[1])
    return found


def _renumbered(
    removed: Sequence[PlanState], added: Sequence[PlanState], renamed: Mapping[str, str]
) -> tuple[PlanState, ...]:
    """The renamed plans (as the tip has them) that now carry another number, or their number in
    another root: the slot they moved into is claimed like an added plan's."""
    new_by_path = {p.main_path: p for p in added}
    moved = [(old, new_by_path[renamed[old.id]]) for old in removed if old.id in renamed]
    return tuple(
        new
        for old, new in moved
        if new.number is not None and (new.root, new.number) != (old.root, old.number)
    )


def _changed_items(old: Mapping[str, str], new: Mapping[str, str]) -> dict[str, str]:
    return {item: new.get(item, "") for item in sorted(set(old) | set(new)) if old.get(item) != new.get(item)}


# --- across branches ---------------------------------------------------------------------------------


def find_collisions(
    default_branch: str, default_tip: Sequence[PlanState], changes: Sequence[BranchChange]
) -> list[Finding]:
    """Every collision between two branches, or between a branch and what the default branch took."""
    findings = _number_collisions(default_branch, default_tip, changes)
    findings += _id_collisions(default_branch, default_tip, changes)
    findings += _same_phase(changes)
    return sorted(findings, key=lambda f: (f.kind, f.plan, f.item or "", f.branches))


def next_free_number(taken: Iterable[str]) -> str:
    """The number after the highest one taken, as wide as the widest (at least three digits)."""
    numbers = list(taken)
    width = max([3, *(len(n) for n in numbers)])
    return str(max((int(n) for n in numbers), default=0) + 1).zfill(width)


def _number_collisions(
    default_branch: str, default_tip: Sequence[PlanState], changes: Sequence[BranchChange]
) -> list[Finding]:
    by_slot: dict[tuple[str, str], list[tuple[str, PlanState]]] = {}
    for change in changes:
        for plan in (*change.added, *change.renumbered):
            if plan.number is not None:
                by_slot.setdefault((plan.root, plan.number), []).append((change.branch, plan))
    taken: dict[str, list[str]] = {}
    for plan in [*default_tip, *(p for c in changes for p in (*c.added, *c.renumbered))]:
        if plan.number is not None:
            taken.setdefault(plan.root, []).append(plan.number)
    findings: list[Finding] = []
    for (root, number), claims in sorted(by_slot.items()):
        hint = f"renumber one of them to {next_free_number(taken[root])}, the next free number in {root}"
        for (branch_a, a), (branch_b, b) in _pairs(claims):
            if branch_a != branch_b and (a.name != b.name or a.signature != b.signature):
                findings.append(
                    _number_finding(default_branch, root, number, ((branch_a, a), (branch_b, b)), hint)
                )
        for branch, plan in claims:
            change = next(c for c in changes if c.branch == branch)
            for held in default_tip:
                new_there = (held.root, held.name) not in change.base_names
                if held.root == root and held.number == number and held.name != plan.name and new_there:
                    findings.append(
                        _number_finding(
                            default_branch, root, number, ((branch, plan), (default_branch, held)), hint
                        )
                    )
    return findings


def _number_finding(
    default_branch: str,
    root: str,
    number: str,
    claims: tuple[tuple[str, PlanState], tuple[str, PlanState]],
    hint: str,
) -> Finding:
    (branch_a, a), (branch_b, b) = sorted(claims, key=lambda pair: pair[0])
    verb_a, verb_b = ("has" if branch == default_branch else "adds" for branch in (branch_a, branch_b))
    return Finding(
        "number-collision",
        (branch_a, branch_b),
        root,
        None,
        (a.main_path, b.main_path),
        f"{branch_a} {verb_a} {a.main_path} and {branch_b} {verb_b} {b.main_path}: both number {number} "
        f"in {root}",
        hint,
    )


def _id_collisions(
    default_branch: str, default_tip: Sequence[PlanState], changes: Sequence[BranchChange]
) -> list[Finding]:
    claims = [(c.branch, p) for c in changes for p in c.added]
    claims += [(default_branch, p) for p in default_tip]
    by_key: dict[str, list[tuple[str, PlanState]]] = {}
    for branch, plan in claims:
        by_key.setdefault(plan.key, []).append((branch, plan))
    findings: list[Finding] = []
    default_pairs = {(default_branch, default_branch)}
    for key, found in sorted(by_key.items()):
        for (branch_a, a), (branch_b, b) in _pairs(found):
            if a.root == b.root or (branch_a, branch_b) in default_pairs or branch_a == branch_b:
                continue
            findings.append(
                Finding(
                    "id-collision",
                    (branch_a, branch_b),
                    key,
                    None,
                    (a.main_path, b.main_path),
                    f"{branch_a} has {a.main_path} and {branch_b} has {b.main_path}: the same plan id "
                    f"{key!r} in two roots",
                    "rename one of them (or move it into the other's root) so that each plan has one id",
                )
            )
    return findings


def _same_phase(changes: Sequence[BranchChange]) -> list[Finding]:
    by_item: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for change in changes:
        for plan, items in change.changed.items():
            for item, digest in items.items():
                by_item.setdefault((plan, item), []).append((change.branch, digest))
    findings: list[Finding] = []
    for (plan, item), edits in sorted(by_item.items()):
        for (branch_a, digest_a), (branch_b, digest_b) in _pairs(edits):
            if digest_a == digest_b:  # the same text on both (one branch holds the other's commit)
                continue
            findings.append(
                Finding(
                    "same-phase",
                    tuple(sorted((branch_a, branch_b))),
                    plan,
                    item,
                    (),
                    f"{branch_a} and {branch_b} both change {item} of {plan}",
                    "agree on one version: merge one branch first, then rebase the other onto it",
                )
            )
    return findings


def _pairs(items: Sequence[_T]) -> list[tuple[_T, _T]]:
    return [(items[i], items[j]) for i in range(len(items)) for j in range(i + 1, len(items))]
