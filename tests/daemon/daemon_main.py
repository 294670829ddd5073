"""Test entry point: run the real daemon loop with a handler that records its calls as JSON lines.

Usage: python daemon_main.py REPO RECORD_FILE [--once] [--debounce-ms N] [--block-commits]
       [--fail-analyse] [--reconcile-s S] [--reload-debounce-ms N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from plansmith.daemon.entry import run_daemon
from plansmith.daemon.handler import DaemonOptions, PendingAnalysis, RunContext, RunRecord
from plansmith.daemon.log import setup_logging
from plansmith.daemon.scheduler import JobIntervals
from plansmith.errors import PlansmithError


class RecordingHandler:
    def __init__(self, path: Path, args: argparse.Namespace) -> None:
        self.path = path
        self.args = args
        self.out = path.open("a", encoding="utf-8", buffering=1)

    def record(self, call: str, **data: Any) -> None:
        self.out.write(json.dumps({"call": call, "t": time.monotonic(), **data}) + "\n")
        self.out.flush()

    def recover(self, ctx: RunContext) -> None:
        self.record("recover", trigger=ctx.trigger)

    def analyse_uncommitted(self, plans: Sequence[str], ctx: RunContext) -> Sequence[PendingAnalysis]:
        self.record("analyse_uncommitted", plans=list(plans), trigger=ctx.trigger)
        if self.args.fail_analyse:
            raise RuntimeError("analysis exploded")
        return [
            PendingAnalysis(p, "phase_3", 9.1, "phase 3 scores 9.1: a proposal follows once it is committed")
            for p in plans
        ]

    def handle_committed(self, plans: Sequence[str] | None, ctx: RunContext) -> Sequence[RunRecord]:
        self.record("handle_committed", plans=None if plans is None else list(plans), trigger=ctx.trigger)
        if self.args.block_commits and ctx.trigger == "commit":
            # A long run that checks for cancellation, then "rolls back".
            while not ctx.is_cancelled():
                ctx.progress("working")
                time.sleep(0.05)
            self.record("cancelled", trigger=ctx.trigger)
            return [RunRecord(None, "cancelled")]
        return [RunRecord(p, "nothing-to-do") for p in plans or []]

    def refresh_stale(self, ctx: RunContext) -> None:
        self.record("refresh_stale")

    def cleanup(self, ctx: RunContext) -> None:
        self.record("cleanup")

    def prune(self, ctx: RunContext) -> None:
        self.record("prune")

    def reload_settings(self) -> DaemonOptions | None:
        self.record("reload_settings")
        if self.args.reload_debounce_ms is not None:
            return DaemonOptions(debounce_ms=self.args.reload_debounce_ms, intervals=self._intervals())
        return None

    def _intervals(self) -> JobIntervals:
        return JobIntervals(reconcile_s=self.args.reconcile_s)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("repo", type=Path)
    parser.add_argument("record", type=Path)
    parser.add_argument("--once", action="store_true")
    parser.add_argument("--debounce-ms", type=int, default=100)
    parser.add_argument("--block-commits", action="store_true")
    parser.add_argument("--fail-analyse", action="store_true")
    parser.add_argument("--reconcile-s", type=float, default=300.0)
    parser.add_argument("--reload-debounce-ms", type=int, default=None)
    args = parser.parse_args(argv)
    setup_logging()
    handler = RecordingHandler(args.record, args)
    try:
        return run_daemon(
            args.repo,
            handler,
            debounce_ms=args.debounce_ms,
            once=args.once,
            intervals=handler._intervals(),
        )
    except PlansmithError as exc:
        print(f"plansmith: error: {exc}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
