"""What the command modules share: exit codes, opening the workspace of one run, PLAN arguments, JSON.

No command logic lives here, and nothing is printed but JSON documents and settings warnings.
It must not hold engine logic.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from plansmith.workspace import Workspace

EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def emit_json(document: object, *, as_text: bool = False) -> None:
    """Print ``document`` as the one JSON document of the command on stdout.

    ``as_text``: values JSON has no type for (timestamps, paths) are written as their text.
    """
    text = json.dumps(document, indent=2, ensure_ascii=False, default=str if as_text else None)
    sys.stdout.write(text + "\n")


def open_workspace(repo: str | None, **flags: object) -> Workspace:
    """The repository at ``repo`` (default: found from the current folder) and its settings.

    ``flags`` are settings given on the command line (None: not given); they win over every file.
    Settings warnings go to stderr once, here, for every command.
    """
    # lazy: cli.py imports this module, and --version must not load the plan core
    from plansmith.workspace import open_workspace as open_ws

    ws = open_ws(repo, {key: value for key, value in flags.items() if value is not None})
    for warning in ws.loaded.warnings:
        print(f"plansmith: warning: {warning}", file=sys.stderr)
    return ws


def plan_arg(ws: Workspace, arg: str) -> str:
    """A PLAN argument as the workspace reads it.

    Relative to the current folder, as people type paths; when nothing is there but the path exists
    below the repository's top folder, that one (so ``plansmith --repo DIR analyze specs/plans/x.md``
    works from anywhere, as ``git -C DIR`` does).
    """
    path = Path(arg)
    if path.is_absolute() or _exists(Path.cwd() / path) or not _exists(ws.root / path):
        return arg
    return str(ws.root / path)


def _exists(path: Path) -> bool:
    """``path.exists()``, but a name the system refuses (too long) exists nowhere instead of failing."""
    try:
        return path.exists()
    except OSError:
        return False
