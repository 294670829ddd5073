"""The ``plansmith`` command line: argument parsing, output and exit codes. Nothing else.

Heavy modules (GitPython, pydantic, watchdog) are imported inside the commands that need them so
that ``plansmith validate`` and the git hooks start fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from plansmith import __version__
from plansmith.errors import PlansmithError

if TYPE_CHECKING:
    from plansmith.plan.ids import ItemId
    from plansmith.workspace import Workspace

EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def emit_json(document: object) -> None:
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def _workspace(args: argparse.Namespace, **overrides: object) -> Workspace:
    from plansmith.workspace import open_workspace

    flags = {k: v for k, v in overrides.items() if v is not None}
    ws = open_workspace(args.repo, flags)
    for warning in ws.loaded.warnings:
        print(f"plansmith: warning: {warning}", file=sys.stderr)
    return ws


def _thresholds(ws: Workspace) -> Any:
    from plansmith.plan.complexity import Thresholds

    t = ws.settings.thresholds
    return Thresholds(expand=t.expand, collapse=t.collapse)


# --- plan commands -------------------------------------------------------------------------------


def cmd_analyze(args: argparse.Namespace) -> int:
    from plansmith.plan.complexity import analyze_plan, format_table

    ws = _workspace(args)
    analysis = analyze_plan(ws.plan(args.plan), _thresholds(ws))
    if args.json:
        emit_json(analysis.as_json())
    else:
        print(format_table(analysis))
    return EXIT_OK


def cmd_review(args: argparse.Namespace) -> int:
    from plansmith.plan.review import format_review, review_plan

    ws = _workspace(args)
    review = review_plan(ws.plan(args.plan), _thresholds(ws))
    if args.json:
        emit_json(review.as_json())
    else:
        print(format_review(review))
    return EXIT_OK


def cmd_waves(args: argparse.Namespace) -> int:
    from plansmith.plan.waves import compute_waves

    ws = _workspace(args)
    plan = ws.plan(args.plan)
    waves = compute_waves({p.number: list(p.dependencies) for p in plan.phases})
    if args.json:
        emit_json(waves.as_json(plan.main_path))
    elif waves.waves is not None:
        for n, wave in enumerate(waves.waves, 1):
            print(f"wave {n}: " + ", ".join(f"phase {p}" for p in wave))
    if waves.cycle is not None:
        chain = " -> ".join(str(n) for n in (*waves.cycle, waves.cycle[0]))
        if not args.json:
            print(f"plansmith: error: {plan.main_path}: dependency cycle {chain}", file=sys.stderr)
            print("hint: remove one of these dependencies", file=sys.stderr)
        return EXIT_PROBLEM
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from plansmith.plan.api import validate_files
    from plansmith.plan.problems import Problem

    ws = _workspace(args)
    problems: list[Problem]
    if args.staged:
        from plansmith.git_backend.repo import read_index_files

        raw = read_index_files(ws.require_repo(), ws.plans_dir)
        problems = validate_files(raw, ws.plans_dir, max_bytes=ws.settings.limits.max_plan_bytes)
    else:
        from plansmith.plan.validate import validate_tree

        texts, problems = ws.files()
        problems = sorted(set(problems + validate_tree(texts, ws.plans_dir)))
    if args.plans:
        wanted = []
        for arg in args.plans:
            loc, _ = ws.locate(arg) if not args.staged else (None, None)
            prefix = (loc.folder or loc.main_path) if loc is not None else ws.rel(arg)
            wanted.append(prefix)
        problems = [p for p in problems if any(p.path == w or p.path.startswith(w + "/") for w in wanted)]
    if args.json:
        emit_json({"ok": not problems, "problems": [p.as_json() for p in problems]})
    else:
        for p in problems:
            print(p.render(), file=sys.stderr)
        if problems:
            count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
            print(f"plansmith: error: {count} found", file=sys.stderr)
            print("hint: fix them and run 'plansmith validate' again", file=sys.stderr)
        else:
            print("ok: no problems found")
    return EXIT_PROBLEM if problems else EXIT_OK


def cmd_config(args: argparse.Namespace) -> int:
    ws = _workspace(args)
    if args.json:
        emit_json(ws.loaded.to_json())
    else:
        sys.stdout.write(ws.loaded.show())
    return EXIT_OK


# --- operations -------------------------------------------------------------------------------------


def _parse_item(words: Sequence[str]) -> tuple[ItemId, ItemId | None]:
    """``phase N [stage M]`` -> (N, M); ids as written: ``phase 2.5``, ``phase 5a stage 1``."""
    from plansmith.plan.ids import ItemId

    try:
        if len(words) in (2, 4) and words[0] == "phase" and (len(words) == 2 or words[2] == "stage"):
            return ItemId(words[1]), (ItemId(words[3]) if len(words) == 4 else None)
    except ValueError:
        pass
    raise UsageError("name the item as 'phase N' or 'phase N stage M', or use --auto-analysis")


def cmd_operation(args: argparse.Namespace) -> int:
    from plansmith.engine.coordinator import OperationRequest, run_request

    if bool(args.item) == bool(args.auto_analysis):
        raise UsageError("give either 'phase N [stage M]' or --auto-analysis")
    phase, stage = _parse_item(args.item) if args.item else (None, None)
    parallel = 1 if args.sequential else args.parallel
    ws = _workspace(args, max_parallel=parallel, agent=args.agent, agent_required=args.agent_required or None)
    request = OperationRequest(
        plan=args.plan,
        operation=args.command,
        phase=phase,
        stage=stage,
        auto=args.auto_analysis,
        dry_run=args.dry_run,
        merge=args.merge,
        assume_yes=args.yes or (args.json and not sys.stdin.isatty()),
        interactive=sys.stdin.isatty() and not args.json,
        agent=ws.settings.agent,
        agent_required=ws.settings.agent_required,
    )
    outcome = run_request(ws, request, out=None if args.json else sys.stdout)
    if args.json:
        emit_json(outcome.as_json())
    return outcome.exit_code


def cmd_orchestrate(args: argparse.Namespace) -> int:
    from plansmith.engine.orchestrate import OrchestrateRequest, run_orchestrate

    ws = _workspace(args, max_parallel=1 if args.sequential else None, agent=args.agent)
    request = OrchestrateRequest(
        description=args.description,
        agent=ws.settings.agent,
        assume_yes=args.yes or (args.json and not sys.stdin.isatty()),
        interactive=sys.stdin.isatty() and not args.json,
        restart=args.restart,
    )
    outcome = run_orchestrate(ws, request, out=None if args.json else sys.stdout)
    if args.json:
        emit_json(outcome.as_json())
    return outcome.exit_code


def cmd_proposals(args: argparse.Namespace) -> int:
    from plansmith.engine import proposals_cmd

    return proposals_cmd.run(_workspace(args), args.action, args.id, json_out=args.json)


def cmd_checkpoints(args: argparse.Namespace) -> int:
    from plansmith.engine import checkpoints_cmd

    return checkpoints_cmd.run(_workspace(args), args.action, args.id, json_out=args.json)


def cmd_daemon(args: argparse.Namespace) -> int:
    from plansmith.daemon.main import daemon_main

    return daemon_main(_workspace(args), once=args.once)


def cmd_status(args: argparse.Namespace) -> int:
    from plansmith.daemon.main import status_main

    return status_main(_workspace(args), json_out=args.json)


def cmd_hooks(args: argparse.Namespace) -> int:
    from plansmith.hooks import cli_hooks

    argv = [args.action]
    if args.action == "run":
        argv += [args.hook or "pre-commit", *args.hook_args]
    elif args.force:
        argv.append("--force")
    if args.repo:
        argv = ["--repo", args.repo, *argv]
    return cli_hooks.main_hooks(argv)


def cmd_service(args: argparse.Namespace) -> int:
    from plansmith import service

    ws = _workspace(args)
    return service.main_service(args.action, ws.root)


def cmd_demo(args: argparse.Namespace) -> int:
    from plansmith.demo import run_demo

    return run_demo(keep=args.keep)


# --- parser --------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="plansmith", description="Keep Markdown implementation plans in shape.")
    parser.add_argument("--version", action="version", version=f"plansmith {__version__}")
    common = _Parser(add_help=False)
    common.add_argument(
        "--repo", metavar="DIR", help="the repository (default: found from the current folder)"
    )
    common.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    common.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")

    def add(name: str, func: Callable[[argparse.Namespace], int], help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help, description=help)
        p.set_defaults(func=func)
        return p

    add("analyze", cmd_analyze, "score every phase and stage; show recommendations").add_argument("plan")
    add(
        "review", cmd_review, "hierarchy review: balance, still-complex items, merge candidates"
    ).add_argument("plan")
    add("waves", cmd_waves, "execution waves from phase dependencies").add_argument("plan")
    p = add("validate", cmd_validate, "check plan structure and metadata (all plans when none given)")
    p.add_argument("plans", nargs="*", metavar="PLAN")
    p.add_argument("--staged", action="store_true", help="validate the versions in git's index")

    for name, verb in (("expand", "expand"), ("collapse", "collapse")):
        p = add(name, cmd_operation, f"{verb} the named item, or every recommended one, into a proposal")
        p.add_argument("plan")
        p.add_argument("item", nargs="*", help="phase N [stage M]")
        p.add_argument("--auto-analysis", action="store_true", help=f"{verb} every recommended item")
        p.add_argument("--yes", "-y", action="store_true", help="skip the approval prompt")
        p.add_argument("--dry-run", action="store_true", help="show what would be done; change nothing")
        p.add_argument("--merge", action="store_true", help="merge the proposal into the current branch")
        p.add_argument("--parallel", type=int, metavar="N", help="run up to N operations at once")
        p.add_argument("--sequential", action="store_true", help="one operation at a time")
        p.add_argument("--agent", metavar="NAME", help="elaborate content with this configured agent")
        p.add_argument("--agent-required", action="store_true", help="fail the item when the agent fails")

    p = add(
        "orchestrate", cmd_orchestrate, "run a workflow of agent steps (research, plan, expand, implement)"
    )
    p.add_argument("description", help="what to build, in a sentence")
    way = p.add_mutually_exclusive_group()
    way.add_argument("--parallel", action="store_true", help="run independent steps at once (default)")
    way.add_argument("--sequential", action="store_true", help="one step at a time")
    p.add_argument("--yes", "-y", action="store_true", help="skip the approval prompt")
    p.add_argument("--agent", metavar="NAME", help="the configured agent for the agent steps")
    p.add_argument("--restart", action="store_true", help="start over instead of resuming an unfinished run")

    p = add("proposals", cmd_proposals, "open proposals: list, show, approve, reject")
    p.add_argument("action", nargs="?", default="list", choices=["list", "show", "approve", "reject"])
    p.add_argument("id", nargs="?")
    p = add("checkpoints", cmd_checkpoints, "the scratch worktree's checkpoints: list, validate, restore")
    p.add_argument("action", nargs="?", default="list", choices=["list", "validate", "restore"])
    p.add_argument("id", nargs="?")
    add("daemon", cmd_daemon, "watch the repository in the foreground").add_argument(
        "--once", action="store_true", help="handle the current state, then exit"
    )
    add("status", cmd_status, "daemon state, last runs, pending analyses, proposals, errors")
    p = add("hooks", cmd_hooks, "install, uninstall or run plansmith's git hooks")
    p.add_argument("action", choices=["install", "uninstall", "run"])
    p.add_argument("hook", nargs="?")
    p.add_argument("hook_args", nargs="*")
    p.add_argument("--force", action="store_true", help="replace a foreign hook instead of chaining it")
    p = add("service", cmd_service, "the systemd user service for this repository")
    p.add_argument("action", choices=["install", "uninstall", "status"])
    p = add("config", cmd_config, "show the effective settings and where each comes from")
    p.add_argument("action", nargs="?", default="show", choices=["show"])
    add("demo", cmd_demo, "show the whole cycle on a throw-away repository").add_argument(
        "--keep", action="store_true", help="keep the throw-away repository"
    )
    return parser


def _report_internal_error(exc: BaseException) -> Path:
    folder = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "plansmith"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.gettempdir())
    path = folder / f"crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.txt"
    text = "".join(traceback.format_exception(exc))
    path.write_text(f"plansmith {__version__}\nargv: {sys.argv!r}\n\n{text}", encoding="utf-8")
    return path


def _fail(args: argparse.Namespace | None, kind: str, message: str, hint: str) -> None:
    if args is not None and getattr(args, "json", False):
        emit_json({"error": {"type": kind, "message": message, "hint": hint or None}})
        return
    print(f"plansmith: error: {message}", file=sys.stderr)
    for line in hint.splitlines() if hint else ():
        print(f"hint: {line}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args: argparse.Namespace | None = None
    debug = os.environ.get("PLANSMITH_DEBUG") == "1"
    try:
        args = build_parser().parse_args(argv)
        debug = debug or args.debug
        result: int = args.func(args)
        return result
    except UsageError as exc:
        _fail(args, "usage", str(exc), "run 'plansmith --help' or 'plansmith COMMAND --help'")
        return EXIT_USAGE
    except PlansmithError as exc:
        if debug:
            traceback.print_exc()
        _fail(
            args,
            exc.kind,
            exc.located() if exc.path and not exc.message.startswith(exc.path) else exc.message,
            exc.hint,
        )
        return EXIT_PROBLEM
    except KeyboardInterrupt:
        print("plansmith: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        if debug:
            raise
        report = _report_internal_error(exc)
        _fail(args, "internal", f"unexpected internal error: {exc!r}", f"a report was written to {report}")
        return EXIT_INTERNAL
