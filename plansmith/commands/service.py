"""``plansmith service install|uninstall|status``: the systemd user service of one repository.

What installing and removing do lives in :mod:`plansmith.daemon.systemd_install`. The repository is
taken as given (``--repo`` or the current folder) without loading its settings, so that ``uninstall``
also works for a repository that was moved or deleted.
It must not hold engine logic: it only turns arguments into calls and prints results.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from plansmith.commands.common import EXIT_OK, emit_json
from plansmith.daemon import systemd_install as service
from plansmith.errors import UsageError

if TYPE_CHECKING:
    from plansmith.daemon.systemd_install import ServiceReport

ACTIONS = ("install", "uninstall", "status")


def run_action(action: str, repo: Path) -> ServiceReport:
    """Install, uninstall or inspect the service of the repository at ``repo``; what was found and done."""

    if action == "install":
        return service.install_service(repo)
    if action == "uninstall":
        return service.uninstall_service(repo)
    if action == "status":
        return service.service_status(repo)
    raise UsageError(f"unknown service action {action!r}", hint=f"use one of: {', '.join(ACTIONS)}")


def service_document(action: str, repo: Path) -> dict[str, object]:
    """The ``service ACTION --json`` document: the report of :func:`run_action`."""
    return run_action(action, repo).as_json()


def main(args: argparse.Namespace) -> int:
    report = run_action(args.action, Path(args.repo) if args.repo else Path.cwd())
    if args.json:
        emit_json(report.as_json())
    else:
        print(report.render())
    return EXIT_OK
