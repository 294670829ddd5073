"""The plans of one revision, or of the working tree, read once: ``Snapshot.plan(id)``, ``.analysis(id)``.

Commands and CI that look at a plan as a commit has it (a proposal's base and tip) read the files of
the plan roots at that commit, decode them, catalogue the plans and build the one they want. This is
that sequence in one place, so that every reader finds a plan at a revision the same way. It reads
git only through :mod:`plansmith.discovery`; it must not write anything, and it leaves errors of a plan
that does not parse to its caller (:class:`plansmith.errors.PlansmithError`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from plansmith import discovery
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


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The Markdown files of the plan roots (decoded; undecodable ones left out), the plans they hold,
    and the limits their analyses use."""

    files: Mapping[str, str]
    refs: tuple[PlanRef, ...]
    thresholds: Thresholds

    @classmethod
    def at(cls, ws: Workspace, rev: str) -> Snapshot:
        """The plans as commit ``rev`` has them (the working tree is not read)."""
        raw = discovery.committed_files(ws.require_repo(), rev, ws.plan_roots)
        files, _problems = decode_files(raw, max_bytes=ws.settings.limits.max_plan_bytes)
        refs = discovery.catalog(files, patterns=ws.plan_roots)
        return cls(files, tuple(refs), ws.settings.thresholds)

    @classmethod
    def working_tree(cls, ws: Workspace) -> Snapshot:
        """The plans as the working tree has them now (what the workspace read)."""
        files, _problems = ws.files()
        return cls(files, tuple(ws.plans()), ws.settings.thresholds)

    def ref(self, plan_id: str) -> PlanRef | None:
        return next((r for r in self.refs if r.id == plan_id), None)

    def id_at(self, main_path: str) -> str | None:
        """The id of the plan whose main file is ``main_path``, if there is one."""
        return next((r.id for r in self.refs if r.location.main_path == main_path), None)

    def plan(self, plan_id: str) -> Plan | None:
        """The plan ``plan_id`` (a level-0 file or a folder), or ``None`` when this snapshot lacks it."""
        ref = self.ref(plan_id)
        return None if ref is None else plan_from_files(self.files, ref.location)

    def analysis(self, plan_id: str) -> Analysis | None:
        plan = self.plan(plan_id)
        return None if plan is None else analyze_plan(plan, self.thresholds)
