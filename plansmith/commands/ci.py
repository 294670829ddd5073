"""``plansmith ci [--remote NAME] [--branch NAME] [--open-pr github|gitlab]``: proposals from CI runners.

Glue only: the run is :func:`plansmith.ci.runner.run_ci`; this module turns its report into the
``ci --json`` document or lines for people (with the runs' live progress when a person watches at a
terminal; CI logs get the plain lines).
It must not hold CI logic: it only turns arguments into calls and prints results.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from plansmith.ci.runner import run_ci
from plansmith.commands.common import emit_json, open_workspace
from plansmith.terminal.display import display_for
from plansmith.terminal.progress import progress_for

if TYPE_CHECKING:
    from plansmith.ci.runner import CiReport
    from plansmith.engine.progress import ProgressSink
    from plansmith.workspace import Workspace


def ci_report(
    ws: Workspace,
    *,
    remote: str = "origin",
    branch: str | None = None,
    open_pr: str | None = None,
    progress: ProgressSink | None = None,
    dashboard: bool = False,
) -> CiReport:
    return run_ci(ws, remote=remote, branch=branch, open_pr=open_pr, progress=progress, dashboard=dashboard)


def ci_document(
    ws: Workspace, *, remote: str = "origin", branch: str | None = None, open_pr: str | None = None
) -> dict[str, object]:
    """The ``ci --json`` document: ``{"pushed": [...], "unchanged": [...], "skipped": [...]}``."""
    return ci_report(ws, remote=remote, branch=branch, open_pr=open_pr).as_json()


def main(args: argparse.Namespace) -> int:
    ws = open_workspace(args.repo)
    with progress_for(display_for(args)) as view:
        sink = view.sink if view.live is not None else None
        report = ci_report(
            ws,
            remote=args.remote,
            branch=args.branch,
            open_pr=args.open_pr,
            progress=sink,
            dashboard=args.dashboard,
        )
    if args.json:
        emit_json(report.as_json())
        return report.exit_code
    for entry in report.pushed:
        print(f"pushed {entry['branch']} ({str(entry['commit'])[:10]}) to {report.remote}")
        for line in review_lines(entry.get("review")):
            print(f"  {line}")
    for pid in report.unchanged:
        print(f"unchanged {pid}")
    for finding in report.radar or ():
        print(f"radar: {finding['kind']}: {finding['message']}")
    if report.dashboard is not None:
        board = report.dashboard
        print(f"dashboard {board['action']}: {board['mode']} {board['where'] or ''}".rstrip())
        if board["detail"]:
            print(f"  ({board['detail']})")
    for skipped in report.skipped:
        print(f"skipped {skipped['id']}: {skipped['reason']}")
    if report.memory is not None:
        ref, commit = report.memory["ref"], report.memory["commit"][:10]
        print(f"pushed plansmith's memory {ref} ({commit}) to {report.remote}: what this run handled")
    if not (report.pushed or report.unchanged or report.skipped):
        print(f"no plans on {report.base_branch}")
    elif not report.pushed and report.memory is None:
        print(f"nothing new on {report.base_branch}: nothing was pushed")
    return report.exit_code


def review_lines(review: dict[str, str | None] | None) -> list[str]:
    """What a person reads about one review request: its page, or why there is none."""
    if not review:
        return []
    url, detail = review["url"], review["detail"]
    if review["action"] == "link":
        first = f"review request: open it by hand at {url}" if url else "review request: none (no link)"
    else:
        first = f"review request: {review['action']} {url or ''}".rstrip()
    return [first] + ([f"({detail})"] if detail else [])
