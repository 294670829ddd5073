"""Measuring the items of a plan: how many tasks, files, risk terms, ... a phase or a stage holds.

:class:`Scorer` turns phases and stages (inline or expanded) into :class:`Counts`, reading each
document's line facts once (:func:`.features.line_facts`). It decides *what belongs to an item* (its
file when expanded, never the stub; not plansmith's Metadata block; a phase's expanded stages count for
the stages) and nothing about weights (see :mod:`.scoring`). Pure: no I/O, imports only
:mod:`plansmith.plan`. Phase and stage numbers are opaque here: compared and collected, never computed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from plansmith.plan.complexity.features import TASK_LINE, LineFacts, line_facts, metadata_lines, sets_in
from plansmith.plan.ids import ItemId
from plansmith.plan.model import Document, PhaseNode, Plan, Section, StageNode

_COUNT_FIELDS = ("tasks", "stages", "dependencies", "tests", "code_blocks", "lines")
FACTOR_NAMES = ("tasks", "files", "stages", "dependencies", "risk_terms", "tests", "code_blocks", "lines")


@dataclass(slots=True)
class Counts:
    """Measured quantities of an item before weighting; mergeable (sums and set unions)."""

    tasks: int = 0
    files: set[str] = field(default_factory=set)
    stages: int = 0
    dependencies: int = 0
    risks: set[str] = field(default_factory=set)
    tests: int = 0
    code_blocks: int = 0
    lines: int = 0

    def merge(self, other: Counts) -> None:
        """Add ``other``'s text to this one (stages and dependencies are the caller's business)."""
        self.tasks += other.tasks
        self.files |= other.files
        self.risks |= other.risks
        self.tests += other.tests
        self.code_blocks += other.code_blocks
        self.lines += other.lines

    def factors(self) -> dict[str, int]:
        """The factors in :data:`FACTOR_NAMES` order: the ``factors`` object of ``analyze --json``."""
        return {
            "tasks": self.tasks,
            "files": len(self.files),
            "stages": self.stages,
            "dependencies": self.dependencies,
            "risk_terms": len(self.risks),
            "tests": self.tests,
            "code_blocks": self.code_blocks,
            "lines": self.lines,
        }


def _count_lines(facts: LineFacts, start: int, end: int, skip: set[int]) -> Counts:
    """Counts of lines ``start..end`` of a document without the lines in ``skip``."""
    counts = Counts(
        lines=facts.nonblank_before[end] - facts.nonblank_before[start],
        code_blocks=facts.openers_before[end] - facts.openers_before[start],
        tests=facts.tests_before[end] - facts.tests_before[start],
    )
    for i in skip:
        if start <= i < end:
            counts.lines -= facts.nonblank[i]
            counts.code_blocks -= facts.opener[i]
            counts.tests -= facts.test[i]
    counts.files = sets_in(facts.file_lines, facts.file_sets, start, end, skip)
    counts.risks = sets_in(facts.risk_lines, facts.risk_sets, start, end, skip)
    return counts


class Scorer:
    """Measures items of one plan (or loose sections when ``plan`` is None), computing each
    document's line facts once."""

    def __init__(self, plan: Plan | None = None) -> None:
        self.plan = plan
        self._facts: dict[int, tuple[Document, LineFacts]] = {}
        self._documents: dict[str, Document] | None = None  # by path, the first of each: built once

    def facts(self, doc: Document) -> LineFacts:
        hit = self._facts.get(id(doc))
        if hit is None or hit[0] is not doc:
            hit = (doc, line_facts(doc))
            self._facts[id(doc)] = hit
        return hit[1]

    def measure(self, doc: Document, start: int, end: int, exclude: set[int]) -> Counts:
        """Lines ``start..end`` of ``doc`` (the item's heading line excluded by the caller), without
        ``exclude`` and a Metadata block inside the range."""
        skip = metadata_lines(doc, start - 1, end)
        skip |= exclude
        return _count_lines(self.facts(doc), start, end, skip)

    def section(self, doc: Document, section: Section, exclude: set[int] | None = None) -> Counts:
        """A phase or stage section (its tasks, stages and dependencies as the parser found them)."""
        excluded = exclude or set()
        counts = self.measure(doc, section.start + 1, section.end, excluded)
        counts.tasks = (
            sum(1 for t in section.tasks if t.index not in excluded) if excluded else len(section.tasks)
        )
        counts.stages = len(section.children)
        counts.dependencies = len(section.dependencies)
        return counts

    def document(self, doc: Document) -> Counts:
        """A file without a recognisable ``# Phase N:`` / ``# Stage N:`` title: the whole file."""
        first = doc.title.index + 1 if doc.title is not None else 0
        end = len(doc.lines)
        skip = metadata_lines(doc, first - 1, end)
        counts = _count_lines(self.facts(doc), first, end, skip)
        prose = self.facts(doc).prose
        counts.tasks = sum(
            1 for i in range(first, end) if prose[i] and i not in skip and TASK_LINE.match(doc.lines[i])
        )
        counts.stages = len(doc.sections)
        return counts

    def content(self, node: PhaseNode | StageNode) -> Counts:
        """What an item holds: its file when expanded (never the stub), else its inline section."""
        if node.document is not None:
            doc = node.document
            counts = self.section(doc, doc.root) if doc.root is not None else self.document(doc)
        else:
            counts = self.section(self._holder(node.holder), node.section)
        if isinstance(node, PhaseNode):
            counts.dependencies = len(node.dependencies)
        return counts

    def _holder(self, path: str) -> Document:
        assert self.plan is not None
        if self._documents is None:  # a scan per stage was quadratic on plans of many phase files
            self._documents = {}
            for doc in self.plan.documents:
                self._documents.setdefault(doc.path, doc)
        return self._documents.get(path, self.plan.main)

    def phase_total(self, node: PhaseNode) -> Counts:
        """The whole phase: its own text plus its expanded stage files (their stubs not counted)."""
        expanded = [s for s in node.stages if s.document is not None]
        doc = node.document
        if not expanded or doc is None or doc.root is None:
            return self.content(node)
        exclude: set[int] = set()
        for stage in expanded:
            exclude.update(range(stage.section.start + 1, stage.section.end))
        counts = self.section(doc, doc.root, exclude)
        counts.dependencies = len(node.dependencies)
        for stage in expanded:
            counts.merge(self.content(stage))
        return counts

    def merged(self, phases: Sequence[PhaseNode]) -> Counts:
        """The text of ``phases`` as one phase: dependencies on phases outside the group only."""
        group = MergedPhases(self)
        for p in phases:
            group.add(p)
        return group.counts()


class MergedPhases:
    """:meth:`Scorer.merged` of a group that grows one phase at a time, each phase measured once: the
    review grows runs of mergeable phases, and measuring the whole run again for every phase added was
    quadratic on a plan of many empty phases (issue 18)."""

    def __init__(self, scorer: Scorer) -> None:
        self.scorer = scorer
        self.total = Counts()
        self.inside: set[ItemId] = set()
        self.named: set[ItemId] = set()  # every dependency of the group
        self.outside = 0  # how many of ``named`` are not ``inside``

    def counts(self, extra: PhaseNode | None = None) -> Counts:
        """The group's counts, with ``extra`` added when given (the group itself does not change)."""
        counts = Counts(**{name: getattr(self.total, name) for name in _COUNT_FIELDS})
        counts.files, counts.risks = set(self.total.files), set(self.total.risks)
        outside = self.outside
        if extra is not None:
            part = self.scorer.content(extra)
            counts.merge(part)
            counts.stages += part.stages
            if extra.number not in self.inside:
                outside -= extra.number in self.named  # now inside the group
            named_now = {d for d in extra.dependencies if d not in self.named}
            outside += len({d for d in named_now if d not in self.inside and d != extra.number})
        counts.dependencies = outside
        return counts

    def add(self, phase: PhaseNode) -> None:
        part = self.scorer.content(phase)
        self.total.merge(part)
        self.total.stages += part.stages
        if phase.number not in self.inside:
            self.outside -= phase.number in self.named
            self.inside.add(phase.number)
        for d in phase.dependencies:
            if d not in self.named:
                self.named.add(d)
                self.outside += d not in self.inside


__all__ = ["FACTOR_NAMES", "Counts", "MergedPhases", "Scorer"]
