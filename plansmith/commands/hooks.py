"""``plansmith hooks install|uninstall [--force]`` and ``plansmith hooks run HOOK``: plansmith's git hooks.

Also the entry the installed hook script starts on every commit (``python -m plansmith.hooks``, through
:func:`main_hooks`): that one is its own process boundary, because git reads its exit status (0 go on,
1 refused, 2 unknown hook, 3 internal error) and nothing may end in a bare traceback. So this module
imports nothing at the top beyond the standard library's cheapest parts; each command imports its own
code. What installing and validating do lives in :mod:`plansmith.hooks`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from plansmith.errors import PlansmithError, UsageError

if TYPE_CHECKING:
    import argparse  # only for a type: the hook's path must not load it (with gettext, ~3 ms)

    from plansmith.hooks.install import HookReport

USAGE = """\
usage: plansmith hooks install [--force] [--repo DIR]
       plansmith hooks uninstall [--force] [--repo DIR]
       plansmith hooks [--repo DIR] run HOOK [ARG ...]"""


def install(repo: Path | None = None, *, force: bool = False) -> list[HookReport]:
    """Install plansmith's git hooks (pre-commit) in the repository containing ``repo`` (default: cwd).

    ``force``: set an existing foreign hook aside without running it, instead of chaining it.
    """
    # lazy: the hook's run path must not load the installer (hook budget < 150 ms)
    from plansmith.hooks import install as installer

    return installer.install(Path.cwd() if repo is None else repo, force=force)


def uninstall(repo: Path | None = None) -> list[HookReport]:
    """Remove plansmith's git hooks and put back the hooks they had set aside.

    ``plansmith hooks uninstall --force`` means the same: a hook that is not plansmith's is never deleted.
    """
    # lazy: the hook's run path must not load the installer (hook budget < 150 ms)
    from plansmith.hooks import install as installer

    return installer.uninstall(Path.cwd() if repo is None else repo)


def hooks_document(reports: Sequence[HookReport]) -> dict[str, object]:
    """The ``hooks install|uninstall --json`` document: what was done to each hook."""
    return {
        "hooks": [
            {
                "hook": r.hook,
                "path": str(r.path),
                "action": r.action,
                "kept": None if r.kept is None else str(r.kept),
                "notes": list(r.notes),
            }
            for r in reports
        ]
    }


def run_hook(name: str, argv: Sequence[str] = (), *, repo: Path | None = None) -> int:
    """Run the hook ``name`` as git would (arguments ``argv``, in ``repo`` or the current folder).

    The exit status for git: 0 go on; 1 refused (problems printed on stderr); 2 unknown hook;
    3 internal error (printed).
    """
    try:
        if name == "pre-commit":
            # lazy: install/uninstall need not load the validator
            from plansmith.hooks.precommit import run_pre_commit

            return run_pre_commit(argv, cwd=repo)
        print(f"plansmith: error: unknown hook {name!r}", file=sys.stderr)
        print("hint: plansmith runs these hooks: pre-commit", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the hook must explain itself, never end in a bare traceback
        return _report_error(name, exc)


def main(args: argparse.Namespace) -> int:
    """``plansmith hooks ...`` from the command line; errors of install/uninstall go to the CLI boundary."""
    # lazy: common loads argparse and the workspace, which the hook's fast path avoids
    from plansmith.commands.common import EXIT_OK, emit_json

    repo = Path(args.repo) if args.repo else None
    if args.action == "run":
        return run_hook(args.hook or "pre-commit", args.hook_args, repo=repo)
    if args.hook or args.hook_args:
        raise UsageError(
            f"'hooks {args.action}' takes no hook name", hint="plansmith hooks install|uninstall [--force]"
        )
    reports = install(repo, force=args.force) if args.action == "install" else uninstall(repo)
    if args.json:
        emit_json(hooks_document(reports))
    else:
        for report in reports:
            print(report.render())
    return EXIT_OK


def main_hooks(argv: Sequence[str]) -> int:
    """``python -m plansmith.hooks ARGV`` (what the hook script starts): the exit status.

    ``--repo DIR`` and ``--force`` may come before or after the command; after ``run HOOK`` every
    argument is git's and is passed on as it is.
    """
    command: str | None = None
    rest: list[str] = []
    repo: Path | None = None
    force = False
    args = list(argv)
    while args:
        arg = args.pop(0)
        if command == "run":
            rest.append(arg)
        elif arg == "--repo" and args:
            repo = Path(args.pop(0))
        elif arg.startswith("--repo="):
            repo = Path(arg.removeprefix("--repo="))
        elif arg == "--force":
            force = True
        elif command is None:
            command = arg
        else:
            rest.append(arg)
    if command == "run" and rest:
        return run_hook(rest[0], rest[1:], repo=repo)
    if command not in ("install", "uninstall") or rest:
        print(USAGE, file=sys.stderr)
        return 2
    try:
        reports = install(repo, force=force) if command == "install" else uninstall(repo)
    except Exception as exc:
        return _report_error(f"hooks {command}", exc)
    for report in reports:
        print(report.render())
    return 0


def _report_error(where: str, exc: Exception) -> int:
    if os.environ.get("PLANSMITH_DEBUG") == "1":
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    if isinstance(exc, PlansmithError):
        print(f"plansmith: error: {exc.located()}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return 1
    print(f"plansmith: error: internal error in {where}: {type(exc).__name__}: {exc}", file=sys.stderr)
    bypass = "" if where.startswith("hooks ") else "; to commit meanwhile: git commit --no-verify"
    print(f"hint: set PLANSMITH_DEBUG=1 for the traceback and report it{bypass}", file=sys.stderr)
    return 3
