"""``plansmith config show``: every effective setting and where it came from. Changes nothing.

It must not hold settings logic: it only prints what the loader found.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from plansmith.commands.common import EXIT_OK, emit_json, open_workspace
from plansmith.terminal.display import display_for
from plansmith.terminal.output import print_config

if TYPE_CHECKING:
    from plansmith.workspace import Workspace


def config_document(ws: Workspace) -> dict[str, object]:
    """The ``config show --json`` document: ``settings`` (key, value, source, origin) and ``warnings``."""
    return ws.loaded.to_json()


def main(args: argparse.Namespace) -> int:
    ws = open_workspace(args.repo)
    if args.json:
        emit_json(config_document(ws))
    else:
        print_config(display_for(args), ws.loaded)
    return EXIT_OK
