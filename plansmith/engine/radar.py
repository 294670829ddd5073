"""The radar's reading of a workspace: every branch compared with the default branch.

Shared by the ``radar`` command, the dashboard and the CI runner, so it lives below all three. It
only reads (through :mod:`plansmith.git_backend.radar`); it must not print, decide or write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from plansmith.git_backend.radar import scan
from plansmith.git_backend.remote import check_remote

if TYPE_CHECKING:
    from plansmith.git_backend.radar import RadarReport
    from plansmith.workspace import Workspace


def radar_report(ws: Workspace, remote: str | None = None) -> RadarReport:
    """Every branch compared with the default branch (of ``remote`` only, when named)."""
    repo = ws.require_repo()
    if remote is not None:
        check_remote(repo, remote)
    return scan(
        repo,
        ws.plan_roots,
        remotes=None if remote is None else [remote],
        skip_prefix=ws.settings.proposal_prefix,
        max_bytes=ws.settings.limits.max_plan_bytes,
    )
