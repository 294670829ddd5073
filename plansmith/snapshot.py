"""The plans of one revision, or of the working tree, read once: ``Snapshot.plan(id)``, ``.analysis(id)``.

Commands, CI, rejections and orchestrate look at a plan as a commit has it (a proposal's base and tip,
an orchestrate wave's head) by reading the files of the plan roots at that commit, decoding them,
cataloguing the plans and building the one they want. This is that sequence in one place, so that every
reader finds a plan at a revision the same way, and :func:`plan_digest` is the one selection of a plan's
files that the rejection memory hashes (``reject`` records it, the daemon and CI ask with it).

It reads git only through :mod:`plansmith.discovery`; it must not write anything, and it leaves errors
of a plan that does not parse to its caller (:class:`plansmith.errors.PlansmithError`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from plansmith import discovery
from plansmith.git_backend.rejections import plan_content_hash
from plansmith.plan.api import decode_files
from plansmith.plan.complexity import Analysis, Thresholds, analyze_plan
from plansmith.plan.layout import build_plan, plan_files

if TYPE_CHECKING:
    from plansmith.plan.layout import PlanLocation
    from plansmith.plan.model import Plan
    from plansmith.plan.roots import PlanRef
    from plansmith.workspace import Workspace


def plan_from_files(files: Mapping[str, str], loc: PlanLocation) -> Plan:
    """The plan at ``loc`` built from the files of its roots (only its own files are read): the one
    spelling of "this plan, as these files have it" for the engine, the daemon, CI and the commands."""
    return build_plan(plan_files(files, loc), loc)


def plan_digest(files: Mapping[str, str], loc: PlanLocation) -> str:
    """The content hash of the plan at ``loc`` (its own files among ``files``): what the rejection
    memory keeps, so a rejection recorded from a snapshot is found by the decision that reads one."""
    return plan_content_hash({path: text.encode("utf-8") for path, text in plan_files(files, loc).items()})


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The Markdown files of the plan roots (decoded; undecodable ones left out), the plans they hold,
    and the limits their analyses use."""

    files: Mapping[str, str]
    refs: tuple[PlanRef, ...]
    thresholds: Thresholds

    @classmethod
    def at(cls, ws: Workspace, rev: str, *, roots: Sequence[str] | None = None) -> Snapshot:
        """The plans as commit ``rev`` has them (the working tree is not read). ``roots``: root patterns
        to read instead of the settings' (orchestrate reads only the folder it writes its plan in)."""
        patterns = ws.plan_roots if roots is None else tuple(roots)
        raw = discovery.committed_files(ws.require_repo(), rev, patterns)
        files, _problems = decode_files(raw, max_bytes=ws.settings.limits.max_plan_bytes)
        return cls.of_files(ws, files, roots=patterns)

    @classmethod
    def of_files(
        cls, ws: Workspace, files: Mapping[str, str], *, roots: Sequence[str] | None = None
    ) -> Snapshot:
        """The plans that these decoded files of the roots hold (a run's files, an agent's worktree)."""
        patterns = ws.plan_roots if roots is None else tuple(roots)
        return cls(files, tuple(discovery.catalog(files, patterns=patterns)), ws.settings.thresholds)

    @classmethod
    def working_tree(cls, ws: Workspace) -> Snapshot:
        """The plans as the working tree has them now (what the workspace read)."""
        files, _problems = ws.files()
        return cls(files, tuple(ws.plans()), ws.settings.thresholds)

    def ref(self, plan_id: str) -> PlanRef | None:
        return next((r for r in self.refs if r.id == plan_id), None)

    def ref_at(self, main_path: str) -> PlanRef | None:
        """The plan whose main file is ``main_path``, if there is one."""
        return next((r for r in self.refs if r.location.main_path == main_path), None)

    def id_at(self, main_path: str) -> str | None:
        """The id of the plan whose main file is ``main_path``, if there is one."""
        ref = self.ref_at(main_path)
        return None if ref is None else ref.id

    def plan(self, plan_id: str) -> Plan | None:
        """The plan ``plan_id`` (a level-0 file or a folder), or ``None`` when this snapshot lacks it."""
        ref = self.ref(plan_id)
        return None if ref is None else plan_from_files(self.files, ref.location)

    def analysis(self, plan_id: str) -> Analysis | None:
        plan = self.plan(plan_id)
        return None if plan is None else analyze_plan(plan, self.thresholds)

    def digest(self, plan_id: str) -> str | None:
        """Plan ``plan_id``'s content hash (:func:`plan_digest`); ``None`` when this snapshot lacks it."""
        ref = self.ref(plan_id)
        return None if ref is None else plan_digest(self.files, ref.location)
