"""``plansmith mcp``: serve plansmith's commands to coding agents over the Model Context Protocol (stdio).

Glue only. The MCP SDK is heavy, so it is imported here, when this command runs, and nowhere else
(:mod:`plansmith.mcp_server`).
It must not hold server logic: that is :mod:`plansmith.mcp_server`.
"""

from __future__ import annotations

import argparse

from plansmith.commands.common import EXIT_OK
from plansmith.mcp_server import serve


def main(args: argparse.Namespace) -> int:
    serve(args.repo)
    return EXIT_OK
