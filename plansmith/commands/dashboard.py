"""``plansmith dashboard [--branch NAME] [--json]``: print the dashboard ``plansmith ci --dashboard`` keeps.

Glue only: the facts are gathered by :func:`plansmith.ci.dashboard.dashboard_data`, the Markdown made by
:func:`plansmith.render.dashboard_markdown.render`.
It must not publish or write anything: it only prints the document.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from plansmith.ci.dashboard import dashboard_data
from plansmith.commands.common import EXIT_OK, emit_json, open_workspace
from plansmith.render.dashboard_markdown import render

if TYPE_CHECKING:
    from plansmith.workspace import Workspace


def dashboard_document(ws: Workspace, branch: str | None = None) -> dict[str, object]:
    """The ``dashboard --json`` document: ``{"branch", "commit", "markdown"}``."""

    data = dashboard_data(ws, branch=branch)
    return {"branch": data.branch, "commit": data.commit, "markdown": render(data)}


def main(args: argparse.Namespace) -> int:
    document = dashboard_document(open_workspace(args.repo), args.branch)
    if args.json:
        emit_json(document)
    else:
        sys.stdout.write(str(document["markdown"]))
    return EXIT_OK
