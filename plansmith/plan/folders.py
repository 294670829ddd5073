"""Expanded plans kept as folders the way the field keeps them: main-file names and phase-file names.

Besides plansmith's own ``NAME/NAME.md`` + ``phase_3_slug.md``, people (and their tools) keep an
expanded plan as a folder holding

* a **main file**: ``NAME.md`` (the folder's name), ``plan.md`` (ClaudeKit), ``index.md``,
  ``README.md`` or ``NAME-index.md`` (PIDEA), looked for in that order;
* **phase files** in one of three namings: ``phase_3_slug.md`` (plansmith's), ``phase-03-slug.md``
  (ClaudeKit, zero-padded) or ``NAME-phase-3.md`` (PIDEA).

The main file says which phase files are the plan's: a person reads the links in it (a linked heading
``### [Phase 01: Setup](phase-01-setup.md)``, a table row, a ``**File**:`` line, a ``see [..](..)``
line) and this module reads them the same way. Pure: names and text in, values out; no file system.
It must not decide what a phase heading is (that is :mod:`plansmith.plan.parser`'s).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from plansmith.plan.ids import FILE_ID_PATTERN, ItemId
from plansmith.plan.model import Document, Section

# Main-file names of a plan folder besides ``NAME.md`` (which comes first) and ``NAME-index.md``.
MAIN_NAMES = ("plan.md", "index.md", "README.md")
UNDERSCORE = "underscore"  # phase_3_slug.md
DASH = "dash"  # phase-03-slug.md
SUFFIX = "suffix"  # NAME-phase-3.md
_DASH_NAME = re.compile(r"^phase-(\d+[a-z]?)(?:-[^/]*)?$", re.I)
_SUFFIX_NAME = re.compile(r"^(?P<slug>[^/]+?)-phase-(\d+[a-z]?)$", re.I)
_UNDERSCORE_NAME = re.compile(rf"^phase_({FILE_ID_PATTERN})(?:_[^/]*)?$", re.I)
# A Markdown link's target: ``[text](target)`` or ``[text](<target>)``, an optional title after it.
_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


@dataclass(frozen=True, slots=True)
class PhaseFileName:
    """What a phase file's name says: its naming style and the id token it carries (``03``, ``2_5``)."""

    style: str
    token: str


def phase_file_name(stem: str) -> PhaseFileName | None:
    """The naming of a phase file's stem (without ``.md``), or ``None`` if it is not named like one."""
    if (m := _UNDERSCORE_NAME.match(stem)) is not None:
        return PhaseFileName(UNDERSCORE, m.group(1))
    if (m := _DASH_NAME.match(stem)) is not None:
        return PhaseFileName(DASH, m.group(1))
    if (m := _SUFFIX_NAME.match(stem)) is not None:
        return PhaseFileName(SUFFIX, m.group(2))
    return None


def phase_id_of_name(stem: str) -> ItemId | None:
    """The phase id a ``phase-03-slug`` or ``NAME-phase-3`` file name gives (``3``), else ``None``."""
    name = phase_file_name(stem)
    if name is None or name.style == UNDERSCORE:
        return None  # plansmith's own names are read by ids.id_from_file_stem
    return ItemId.parse(re.sub(r"^0+(?=\d)", "", name.token))


def is_phase_file_name(stem: str) -> bool:
    return phase_file_name(stem) is not None


def main_file_of(folder_name: str, names: Iterable[str]) -> str | None:
    """The main file among the file names directly in a folder, in the order of the module docstring."""
    present = set(names)
    for candidate in (f"{folder_name}.md", *MAIN_NAMES, f"{folder_name}-index.md"):
        if candidate in present:
            return candidate
    return None


def folder_style(stems: Iterable[str]) -> str | None:
    """The phase-file naming a folder already uses (the most common one; ``None`` when it has none)."""
    counts: dict[str, int] = {}
    for stem in stems:
        name = phase_file_name(stem)
        if name is not None:
            counts[name.style] = counts.get(name.style, 0) + 1
    return max(counts, key=lambda style: counts[style]) if counts else None


def phase_file_stem(style: str | None, token: str, slug: str, folder_name: str) -> str:
    """A new phase file's stem in a folder's naming: ``phase_3_slug``, ``phase-03-slug``, ``NAME-phase-3``.

    ``token`` is the id's file token (``3``, ``2_5``); ClaudeKit pads integers to two digits. A letter
    id (``a``) gets plansmith's naming in every folder: ClaudeKit's and PIDEA's names carry numbers only.
    """
    if len(token) == 1 and token.isalpha():
        style = None
    if style == DASH:
        padded = token.zfill(2) if token.isdigit() else token.replace("_", "-")
        return f"phase-{padded}-{slug.replace('_', '-')}" if slug else f"phase-{padded}"
    if style == SUFFIX:
        return f"{folder_name}-phase-{token}"
    return f"phase_{token}_{slug}" if slug else f"phase_{token}"


def links_in(doc: Document, start: int = 0, end: int | None = None) -> list[tuple[int, str]]:
    """``(line index, target)`` of every relative ``.md`` link on the document's lines outside code."""
    found: list[tuple[int, str]] = []
    stop = len(doc.lines) if end is None else end
    code = doc.code_lines
    for i in range(start, stop):
        line = doc.lines[i]
        if "](" not in line or i in code:
            continue
        for m in _LINK.finditer(line):
            target = m.group(1).split("#", 1)[0]
            if target.lower().endswith(".md") and "://" not in target and not target.startswith("/"):
                found.append((i, target))
    return found


def resolve(holder: str, target: str) -> str:
    return posixpath.normpath(posixpath.join(posixpath.dirname(holder), target))


def section_phase_link(doc: Document, section: Section) -> tuple[str, int] | None:
    """The phase file a section of a folder's main file names: the first link to a phase-named file
    on its own lines (its heading included, its subsections not)."""
    own_end = section.children[0].start if section.children else section.end
    for index, target in links_in(doc, section.start, own_end):
        if is_phase_file_name(posixpath.splitext(posixpath.basename(target))[0]):
            return target, index
    return None


def phase_links(doc: Document, folder: str) -> list[tuple[int, str]]:
    """``(line index, path)`` of the links of a main file to phase-named files directly in ``folder``."""
    found: list[tuple[int, str]] = []
    for index, target in links_in(doc):
        path = resolve(doc.path, target)
        stem = posixpath.splitext(posixpath.basename(path))[0]
        if posixpath.dirname(path) == folder and is_phase_file_name(stem):
            found.append((index, path))
    return found


def folder_link_problems(
    doc: Document, folder: str, files: Mapping[str, str], reported_lines: Sequence[int]
) -> list[tuple[int, str, str]]:
    """Links of a folder's main file to phase files that do not exist, as ``(line, code, message)``;
    lines in ``reported_lines`` (a phase's own link, checked with the phase) are left out."""
    problems: list[tuple[int, str, str]] = []
    for index, path in phase_links(doc, folder):
        if path not in files and index not in reported_lines:
            name = posixpath.basename(path)
            message = f"links to {name}, which does not exist; fix the link or restore the file"
            problems.append((index + 1, "broken-link", message))
    return problems


def is_foreign_main(main_path: str, folder: str | None) -> bool:
    """True for a plan folder whose main file is not plansmith's ``NAME/NAME.md`` (``plan.md``, ...):
    expanding never moves such a main file and collapsing never moves it out of its folder."""
    if folder is None:
        return False
    return posixpath.basename(main_path) != posixpath.basename(folder) + ".md"


def is_own_folder(main_path: str, folder: str | None) -> bool:
    """True for plansmith's own ``NAME/NAME.md`` plan folder (a collapse may move the plan out of it)."""
    return folder is not None and not is_foreign_main(main_path, folder)


def new_phase_stem(paths: Iterable[str], folder: str, token: str, slug: str) -> str:
    """The stem of a new phase file in ``folder``, in the naming its phase files already use
    (plansmith's ``phase_N_slug`` in a folder that has none)."""
    prefix = folder + "/"
    stems = [
        posixpath.splitext(p[len(prefix) :])[0]
        for p in paths
        if p.startswith(prefix) and "/" not in p[len(prefix) :] and p.endswith(".md")
    ]
    return phase_file_stem(folder_style(stems), token, slug, posixpath.basename(folder))


def relative_link(from_doc: str, to_path: str) -> str:
    """The link target from the document ``from_doc`` to ``to_path`` (both repository paths)."""
    return posixpath.relpath(to_path, posixpath.dirname(from_doc))


def parent_link_index(doc: Document) -> int | None:
    """The line of an expanded file's ``Parent Plan`` field (its link to the plan), if it has one."""
    if doc.metadata is None:
        return None
    f = doc.metadata.get("parent plan")
    return f.index if f is not None else None


def retarget_link(doc: Document, index: int | None, old: str, new: str) -> str:
    """The document's text with the link ``](old)`` on line ``index`` pointing to ``new`` instead."""
    if index is None:
        return doc.text
    lines = list(doc.lines)
    lines[index] = lines[index].replace(f"]({old})", f"]({new})", 1)
    return "".join(lines)
