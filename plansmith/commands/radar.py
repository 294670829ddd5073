"""``plansmith radar [--json] [--remote NAME]``: plan collisions across branches, before they merge.

Glue only: the reading is :func:`plansmith.git_backend.radar.scan`, the decisions
:mod:`plansmith.plan.collisions`; this module turns the report into the ``radar --json`` document or
lines for people. Exit 1 when something collides (as ``validate`` does on an error), so a CI step can
fail on it.
It must not hold radar logic and must not write anything: it only reads and prints.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from plansmith.commands.common import EXIT_OK, EXIT_PROBLEM, emit_json, open_workspace
from plansmith.engine.radar import radar_report

if TYPE_CHECKING:
    from plansmith.git_backend.radar import RadarReport


def report_lines(report: RadarReport) -> list[str]:
    """The report for people: one line per finding and its hint, then a summary line."""
    lines: list[str] = []
    for finding in report.findings:
        lines.append(f"{finding.kind}: {finding.message}")
        lines.append(f"  hint: {finding.hint}")
    compared = sum(1 for b in report.branches if b.base is not None)
    summary = f"{compared} branch{'es' if compared != 1 else ''} compared with {report.default_branch}"
    if report.default_tip is None:
        summary = f"no default branch {report.default_branch!r} here: nothing to compare with"
    count = len(report.findings)
    lines.append(
        f"{summary}: {count} collision{'s' if count != 1 else ''}" if report.default_tip else summary
    )
    return lines


def main(args: argparse.Namespace) -> int:
    report = radar_report(open_workspace(args.repo), args.remote)
    if args.json:
        emit_json(report.as_json())
    else:
        print("\n".join(report_lines(report)))
    return EXIT_PROBLEM if report.findings else EXIT_OK
