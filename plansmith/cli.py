"""The ``plansmith`` command line: the argument parser and the one boundary from errors to exit codes.

Each command's glue lives in its own module of :mod:`plansmith.commands` (``main(args) -> int``),
imported only when that command runs, so that ``plansmith validate`` and the git hooks start fast
(heavy modules such as GitPython and pydantic are imported inside the commands that need them).
Nothing here knows what a command does; :func:`main` only parses, dispatches and turns exceptions into
``plansmith: error: ...`` lines (or the ``{"error": ...}`` JSON document) and exit codes.
It must not hold command logic: each command's work lives in its own module.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from plansmith import __version__
from plansmith.commands.common import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PROBLEM,
    EXIT_USAGE,
    emit_json,
)
from plansmith.commands.examples import EXAMPLES, TOP, epilog
from plansmith.errors import PlansmithError, UsageError

REPO_HELP = "the repository (default: found from the current folder)"
PLAN_HELP = "a plan file, its folder, or its id (specs/plans/001_feature.md, 001_feature)"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # The boundary prints "plansmith: error: ", so only a subcommand's name is added ("expand: ...").
        command = self.prog.removeprefix("plansmith").strip()
        raise UsageError(f"{command}: {message}" if command else message)


def _add_plan_commands(sub: _Adder) -> None:
    p = sub("analyze", "analyze", "score every phase and stage; show recommendations")
    p.add_argument("plan", help=PLAN_HELP)
    p.add_argument("--format", choices=["text", "mermaid"], default="text", help="mermaid: a Mermaid diagram")
    sub("review", "review", "hierarchy review: balance, still-complex items, merge candidates").add_argument(
        "plan", help=PLAN_HELP
    )
    p = sub("waves", "waves", "execution waves from phase dependencies")
    p.add_argument("plan", help=PLAN_HELP)
    p.add_argument("--format", choices=["text", "mermaid"], default="text", help="mermaid: a Mermaid diagram")
    p = sub("validate", "validate", "check plan structure and metadata (all plans when none given)")
    p.add_argument("plans", nargs="*", metavar="PLAN", help="plans to check (default: every plan)")
    p.add_argument("--staged", action="store_true", help="validate the versions in git's index")
    p.add_argument("--strict", action="store_true", help="fail on warnings too, not only on errors")
    p = sub("config", "config", "show the effective settings and where each comes from")
    p.add_argument("action", nargs="?", default="show", choices=["show"], help="show (the default)")


def _add_operations(sub: _Adder) -> None:
    for verb in ("expand", "collapse"):
        p = sub(verb, "operation", f"{verb} the named item, or every recommended one, into a proposal")
        p.add_argument("plan", help=PLAN_HELP)
        p.add_argument("item", nargs="*", help="phase N [stage M], one or more (phase 3 phase 4)")
        p.add_argument("--auto-analysis", action="store_true", help=f"{verb} every recommended item")
        p.add_argument("--yes", "-y", action="store_true", help="skip the approval prompt")
        p.add_argument("--dry-run", action="store_true", help="show what would be done; change nothing")
        p.add_argument("--merge", action="store_true", help="merge the proposal into the current branch")
        p.add_argument("--parallel", type=int, metavar="N", help="run up to N operations at once")
        p.add_argument("--sequential", action="store_true", help="one operation at a time")
        p.add_argument("--agent", metavar="NAME", help="elaborate content with this configured agent")
        p.add_argument("--agent-required", action="store_true", help="fail the item when the agent fails")
    p = sub("orchestrate", "orchestrate", "run a workflow of agent steps (research, plan, expand, implement)")
    p.add_argument("description", help="what to build, in a sentence")
    way = p.add_mutually_exclusive_group()
    way.add_argument("--parallel", action="store_true", help="run independent steps at once (default)")
    way.add_argument("--sequential", action="store_true", help="one step at a time")
    p.add_argument("--yes", "-y", action="store_true", help="skip the approval prompt")
    p.add_argument("--agent", metavar="NAME", help="the configured agent for the agent steps")
    p.add_argument("--restart", action="store_true", help="start over instead of resuming an unfinished run")
    p.add_argument(
        "--phases",
        metavar="all|N,M|wave:K",
        help="phases to implement, wave by wave of the plan (default: the first phase)",
    )


def _add_repository_commands(sub: _Adder) -> None:
    p = sub("proposals", "proposals", "open proposals: list, show, approve, reject")
    p.add_argument(
        "action",
        nargs="?",
        default="list",
        choices=["list", "show", "approve", "reject"],
        help="default: list",
    )
    p.add_argument("id", nargs="?", help="the proposal id (show, approve, reject)")
    diff = p.add_mutually_exclusive_group()
    diff.add_argument("--stat", action="store_true", help="show: files, moves and counts, no diff")
    diff.add_argument("--diff", action="store_true", help="show: the full diff even when it is large")
    p = sub("checkpoints", "checkpoints", "the scratch worktree's checkpoints: list, validate, restore")
    p.add_argument(
        "action", nargs="?", default="list", choices=["list", "validate", "restore"], help="default: list"
    )
    p.add_argument("id", nargs="?", help="the checkpoint id (validate, restore)")
    sub("daemon", "daemon", "watch the repository in the foreground").add_argument(
        "--once", action="store_true", help="handle the current state, then exit"
    )
    sub("status", "status", "daemon state, last runs, pending analyses, proposals, errors")
    p = sub("hooks", "hooks", "install, uninstall or run plansmith's git hooks")
    p.add_argument("action", choices=["install", "uninstall", "run"], help="what to do with the hooks")
    p.add_argument("hook", nargs="?", help="run: the hook's name (pre-commit, ...)")
    p.add_argument("hook_args", nargs="*", metavar="ARG", help="run: the arguments git passes the hook")
    p.add_argument("--force", action="store_true", help="replace a foreign hook instead of chaining it")
    p = sub("service", "service", "the systemd user service for this repository")
    p.add_argument("action", choices=["install", "uninstall", "status"], help="what to do with the service")
    sub("demo", "demo", "show the whole cycle on a throw-away repository").add_argument(
        "--keep", action="store_true", help="keep the throw-away repository"
    )
    sub("mcp", "mcp", "serve plansmith to coding agents over the Model Context Protocol (stdio)")
    p = sub("ci", "ci", "for CI runners: make or refresh the proposals of this branch and push them")
    p.add_argument(
        "--remote", default="origin", metavar="NAME", help="the remote to push to (default: origin)"
    )
    p.add_argument(
        "--branch", metavar="NAME", help="the branch proposed against (default: checked out, or CI's)"
    )
    p.add_argument("--open-pr", choices=["github", "gitlab"], help="open or update a pull/merge request each")
    p.add_argument(
        "--dashboard", action="store_true", help="keep the dashboard issue (or DASHBOARD.md) up to date"
    )
    p = sub("radar", "radar", "plan collisions across branches: numbers, ids, the same phase changed twice")
    p.add_argument("--remote", metavar="NAME", help="only this remote's branches (default: every remote)")
    p = sub(
        "dashboard", "dashboard", "one Markdown page: proposals, rejections, complex phases, progress, radar"
    )
    p.add_argument("--branch", metavar="NAME", help="the branch whose plans it shows (default: checked out)")


def _add_progress_commands(sub: _Adder) -> None:
    """Progress you can trust (docs/progress.md): next, verify, sync."""
    p = sub("next", "next", "the phases ready to work on, with their open tasks (all plans when none given)")
    p.add_argument("plan", nargs="?", help="a plan's path or id (default: every plan)")
    p.add_argument(
        "--budget", type=int, metavar="TOKENS", help="trim to about this many tokens (whole tasks)"
    )
    p = sub(
        "verify", "verify", "ticked tasks whose files no later commit changed (all plans when none given)"
    )
    p.add_argument("plan", nargs="?", help="a plan's path or id (default: every plan)")
    p.add_argument("--strict", action="store_true", help="exit 1 when a tick is unbacked")
    p = sub("sync", "sync", "propose the status markers the boxes say (all plans when none given)")
    p.add_argument("plan", nargs="?", help="a plan's path or id (default: every plan)")
    p.add_argument("--yes", "-y", action="store_true", help="skip the approval prompt")
    p.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")


class _Adder:
    """Adds a subcommand whose glue is ``plansmith.commands.<module>.main``."""

    def __init__(self, sub: argparse._SubParsersAction[_Parser], common: _Parser) -> None:
        self.sub, self.common = sub, common

    def __call__(self, name: str, module: str, help: str) -> argparse.ArgumentParser:
        p = self.sub.add_parser(
            name,
            parents=[self.common],
            help=help,
            description=help,
            epilog=epilog(EXAMPLES.get(name, (f"plansmith {name}", f"plansmith {name} --json"))),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.set_defaults(module=module)
        return p


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="plansmith",
        description="Keep Markdown implementation plans in shape.",
        epilog=epilog(TOP),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"plansmith {__version__}")
    # Before the command (like 'git -C DIR'); the command's own --repo, after it, wins.
    parser.add_argument("--repo", dest="global_repo", metavar="DIR", help=REPO_HELP)
    common = _Parser(add_help=False)
    common.add_argument("--repo", metavar="DIR", help=REPO_HELP)
    common.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    common.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    common.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        help="plain output: no live progress, no colour, no fitted tables",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")
    adder = _Adder(sub, common)
    _add_plan_commands(adder)
    _add_operations(adder)
    _add_repository_commands(adder)
    _add_progress_commands(adder)
    return parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The parsed command line, with ``args.repo`` from ``--repo`` before or after the command."""
    args = build_parser().parse_args(argv)
    args.repo = args.repo or args.global_repo
    if args.json and getattr(args, "format", "text") != "text":
        raise UsageError(f"--json and --format {args.format} do not go together; choose one")
    return args


def _run(args: argparse.Namespace) -> int:
    command = importlib.import_module(f"plansmith.commands.{args.module}")
    status: int = command.main(args)
    return status


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


def _fail(json_out: bool, kind: str, message: str, hint: str) -> None:
    if json_out:
        emit_json({"error": {"type": kind, "message": message, "hint": hint or None}})
        return
    print(f"plansmith: error: {message}", file=sys.stderr)
    for line in hint.splitlines() if hint else ():
        print(f"hint: {line}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit status (0 done, 1 a problem to fix, 2 bad usage, 3 internal, 130)."""
    words = list(sys.argv[1:] if argv is None else argv)
    args: argparse.Namespace | None = None
    try:
        args = parse_args(words)
        return _run(args)
    except UsageError as exc:
        _fail(_wants_json(args, words), exc.kind, exc.message, exc.hint)
        return EXIT_USAGE
    except PlansmithError as exc:
        if _debug(args):
            traceback.print_exc()
        message = exc.located() if exc.path and not exc.message.startswith(exc.path) else exc.message
        _fail(_wants_json(args, words), exc.kind, message, exc.hint)
        return EXIT_PROBLEM
    except KeyboardInterrupt:
        print("plansmith: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        if _debug(args):
            raise
        report = _report_internal_error(exc)
        message, hint = f"unexpected internal error: {exc!r}", f"a report was written to {report}"
        _fail(_wants_json(args, words), "internal", message, hint)
        return EXIT_INTERNAL


def _wants_json(args: argparse.Namespace | None, words: list[str]) -> bool:
    # When the command line itself is wrong there are no parsed arguments: a '--json' anywhere counts.
    return bool(args.json) if args is not None else "--json" in words


def _debug(args: argparse.Namespace | None) -> bool:
    return os.environ.get("PLANSMITH_DEBUG") == "1" or bool(args is not None and args.debug)
