"""Where spec-kit keeps a plan: feature folders ``specs/NNN-feature/`` holding ``tasks.md``.

spec-kit (github/spec-kit) writes one folder per feature below ``specs/`` (or ``.specify/specs/``):
``spec.md``, ``plan.md`` (the design document), ``research.md``, ``data-model.md``, ``quickstart.md``,
``contracts/`` and ``tasks.md``, the phased task list. plansmith reads ``tasks.md`` as the folder's
one plan (id: the folder name) and writes expanded phase files beside it.

A root pattern whose last folder is ``*`` right below a folder named ``specs`` (``specs/*``,
``.specify/specs/*``) is a *feature pattern*: its ``*`` matches only folder names that start with a
number and a dash (``001-photo-albums``, ``001-``), so ``specs/plans`` and the topic folders of
``specs/*/plans`` (``specs/042_search``) are never feature folders; of a feature folder only
``tasks.md`` and expanded phase files (``phase_3_x.md``, ``phase_3_x/...``) belong to the plan, never
spec-kit's own ``spec.md``, ``plan.md`` or ``contracts/``.

Pure string rules with no import of plansmith: :mod:`plansmith.plan.roots` uses them on the pre-commit
hook's fast path, which must not load the parser.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence

TASKS_FILE = "tasks.md"
# spec-kit's own documents in a feature folder (templates of its commands): never plans of their own.
# Any other Markdown file directly in the folder is read like a file in any root: a plan when it has
# phase headings (a ``refactoring-plan.md`` a team keeps beside spec-kit's files), else skipped.
SPEC_KIT_DOCUMENTS = frozenset({"spec.md", "plan.md", "research.md", "data-model.md", "quickstart.md"})
# spec-kit numbers its features: ``001-photo-albums`` (a folder named ``001-`` occurs too).
FEATURE_NAME = re.compile(r"^\d+-")
_PARENT = "specs"
_WILDCARD = "*"


def is_feature_pattern(parts: Sequence[str]) -> bool:
    """A root pattern (split into folders) whose ``*`` names spec-kit feature folders: ``specs/*``."""
    return len(parts) >= 2 and parts[-1] == _WILDCARD and parts[-2] == _PARENT


def is_feature_name(name: str) -> bool:
    """A folder name spec-kit gives a feature: a number, a dash, anything (``001-photo-albums``)."""
    return FEATURE_NAME.match(name) is not None


def is_feature_folder(folder: str) -> bool:
    """``specs/001-photo-albums`` or ``.specify/specs/001-x``: a numbered folder right below ``specs``."""
    parts = folder.strip("/").split("/")
    return len(parts) >= 2 and parts[-2] == _PARENT and is_feature_name(parts[-1])


def is_other_plan_file(name: str) -> bool:
    """A file directly in a feature folder that may be a plan of its own: Markdown, neither
    ``tasks.md`` nor one of spec-kit's documents nor an expanded phase of ``tasks.md``."""
    lower = name.lower()
    return (
        lower.endswith(".md")
        and lower != TASKS_FILE
        and lower not in SPEC_KIT_DOCUMENTS
        and not lower.startswith("phase_")
    )


def is_tasks_file(path: str) -> bool:
    """``specs/001-x/tasks.md``: the main file of a spec-kit plan."""
    folder, name = posixpath.split(path.strip("/"))
    return name == TASKS_FILE and is_feature_folder(folder)
