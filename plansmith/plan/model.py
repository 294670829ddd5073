"""Values produced by the parser. Immutable; positions are 0-based line indexes into ``Document.lines``.

A ``Document`` keeps every line with its own line ending, so any edit is a splice of whole lines and
every byte the user wrote that we do not touch stays exactly as it was.
It must not parse, validate or do any I/O: values only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from plansmith.plan.ids import IdLike, ItemId, item_id, item_name

ItemKind = Literal["phase", "stage"]
DocKind = Literal["plan", "phase", "stage"]


@dataclass(frozen=True, slots=True)
class Heading:
    index: int  # line index
    level: int  # 1..6 (ATX headings only)
    text: str  # content without the opening/closing hashes, stripped


class Task(NamedTuple):
    """One task line (``- [ ] text``). A named tuple, not a frozen dataclass: a plan has thousands of
    tasks and building a tuple costs a fraction of a frozen dataclass's ``__init__``."""

    # The line index. The field hides ``tuple.index`` (the method), on purpose: ``task.index`` is the
    # attribute everything reads, and nothing looks a task's values up by position.
    index: int  # type: ignore[assignment]
    indent: int  # columns of leading white space, tabs counted as 4
    mark: str  # the character between the brackets, as written: " ", "x", "X", "~", ...
    text: str

    @property
    def checked(self) -> bool:
        return self.mark in "xX"


@dataclass(frozen=True, slots=True)
class Field:
    """One ``- **Name**: value`` metadata line."""

    index: int
    name: str  # as written
    key: str  # lower case, single spaces: "structure level"
    value: str  # stripped value text
    value_start: int  # character offsets of the value inside the line (without line ending)
    value_end: int


@dataclass(frozen=True, slots=True)
class Metadata:
    heading_index: int | None  # the "## Metadata" heading, None for bare bullets after the title
    start: int  # first line of the block (the heading, or the first bullet)
    end: int  # exclusive
    fields: tuple[Field, ...]

    def get(self, key: str) -> Field | None:
        for f in self.fields:
            if f.key == key:
                return f
        return None


@dataclass(frozen=True, slots=True)
class Section:
    """A phase or a stage: from its heading to the next heading of the same or a higher level."""

    kind: ItemKind
    number: ItemId  # as written: 3, 2.5, 5a, CF-1
    title: str  # without "Phase N:" and without the status marker
    status: str | None  # the status marker as written, without brackets (plan/headings.py)
    heading: Heading
    start: int  # heading line
    end: int  # exclusive
    content_end: int  # exclusive; ``end`` without the trailing blank lines
    children: tuple[Section, ...]  # stages of a phase
    tasks: tuple[Task, ...]  # every task in the section, children included
    dependencies: tuple[ItemId, ...]  # phase ids for a phase, stage ids (same phase) for a stage
    dependencies_index: int | None
    dependencies_raw: str | None  # the value as written, for messages
    objective_index: int | None
    link: str | None  # target of a "see [Phase N Details](file.md)" line: the section is a stub
    link_index: int | None

    @property
    def id(self) -> str:
        return f"{self.kind}_{self.number}"

    def child(self, number: IdLike) -> Section | None:
        wanted = item_id(number)
        for c in self.children:
            if c.number == wanted:
                return c
        return None


@dataclass(frozen=True, slots=True, weakref_slot=True)  # weak: plan.layout's cache of parsed files
class Document:
    path: str
    kind: DocKind
    lines: tuple[str, ...]  # every line with its own ending; the last may have none
    newline: str  # the first line ending found ("\n" by default): what we write into this file
    headings: tuple[Heading, ...]
    code_lines: frozenset[int]  # lines inside fenced code or HTML blocks (not headings, tasks, fields)
    title: Heading | None  # level-1 heading (plan) or the phase/stage title heading
    metadata: Metadata | None
    sections: tuple[Section, ...]  # phases of a plan; stages of a phase file
    root: Section | None  # the whole phase/stage file as one section (None for a plan)

    @property
    def text(self) -> str:
        return "".join(self.lines)

    def section(self, number: IdLike) -> Section | None:
        wanted = item_id(number)
        for s in self.sections:
            if s.number == wanted:
                return s
        return None


class _Item:
    """What phases and stages share: the real content is the expanded file's, else the inline section."""

    __slots__ = ()
    section: Section  # inline section, or the stub, in the holder document
    holder: str  # path of the document that holds ``section``
    file: str | None  # the expanded file, when expanded
    document: Document | None

    @property
    def expanded(self) -> bool:
        return self.document is not None

    @property
    def content(self) -> Section:
        """What the item really holds: its file when expanded, else the inline section."""
        if self.document is not None and self.document.root is not None:
            return self.document.root
        return self.section

    @property
    def content_path(self) -> str:
        return self.file if self.file is not None else self.holder

    @property
    def title(self) -> str:
        return self.content.title

    @property
    def status(self) -> str | None:
        return self.content.status

    @property
    def dependencies(self) -> tuple[ItemId, ...]:
        """Phase ids (of a phase) or stage ids of the same phase (of a stage). The stub keeps the
        heading; a dependency line usually moves into the expanded file."""
        return self.section.dependencies or self.content.dependencies


@dataclass(frozen=True, slots=True)
class StageNode(_Item):
    phase: ItemId
    number: ItemId
    section: Section
    holder: str
    file: str | None
    document: Document | None

    @property
    def id(self) -> str:
        return item_name(self.phase, self.number)


@dataclass(frozen=True, slots=True)
class PhaseNode(_Item):
    number: ItemId
    section: Section
    holder: str
    file: str | None
    document: Document | None
    stages: tuple[StageNode, ...]

    @property
    def id(self) -> str:
        return item_name(self.number)

    def stage(self, number: IdLike) -> StageNode | None:
        wanted = item_id(number)
        for s in self.stages:
            if s.number == wanted:
                return s
        return None


@dataclass(frozen=True, slots=True)
class Plan:
    name: str  # "001_feature"
    main_path: str
    folder: str | None  # the plan folder at level >= 1
    level: int  # derived from the files
    main: Document
    phases: tuple[PhaseNode, ...]
    documents: tuple[Document, ...]  # every parsed file of the plan, main first
    stray_files: tuple[str, ...]  # .md files in the plan folder that belong to no phase or stage
    # Phase id -> the first phase with it, built once: callers look phases up per item (issue 18).
    _by_number: dict[ItemId, PhaseNode] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_number: dict[ItemId, PhaseNode] = {}
        for p in self.phases:
            by_number.setdefault(p.number, p)
        object.__setattr__(self, "_by_number", by_number)

    def phase(self, number: IdLike) -> PhaseNode | None:
        return self._by_number.get(item_id(number))

    def items(self) -> Iterator[PhaseNode | StageNode]:
        """Phases in order, each followed by its stages."""
        for p in self.phases:
            yield p
            yield from p.stages

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(d.path for d in self.documents)
