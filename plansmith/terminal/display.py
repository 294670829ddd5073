"""Plain or rich: the one decision of how a command's output looks, and the rich console when it is rich.

The usual conventions (https://no-color.org, ``TERM=dumb``): live display and colour only when stdout
is a terminal and nobody asked for plain output (``--json``, ``--quiet``, ``NO_COLOR``). This module
must not import ``rich`` at import time; :meth:`Display.console` does, when a rich display needs one.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console


@dataclass(frozen=True)
class Display:
    """``rich``: live progress, coloured tables fitted to the width. ``stream``: where output goes."""

    rich: bool
    stream: TextIO | None = field(default=None, compare=False)  # None: sys.stdout as it is at the time

    @property
    def out(self) -> TextIO:
        return self.stream if self.stream is not None else sys.stdout

    def console(self) -> Console:
        """A rich console on ``out`` (the terminal's width; no colour when not rich)."""
        from rich.console import Console

        if not self.rich:
            return Console(file=self.out, no_color=True, highlight=False, emoji=False, color_system=None)
        return Console(file=self.out, highlight=False, emoji=False)


PLAIN = Display(rich=False)


def wants_plain(env: Mapping[str, str]) -> bool:
    """The environment asks for plain output: ``NO_COLOR`` set to anything non-empty, or a dumb terminal."""
    return bool(env.get("NO_COLOR")) or env.get("TERM") == "dumb"


def choose_display(
    *,
    json_out: bool = False,
    quiet: bool = False,
    stream: TextIO | None = None,
    env: Mapping[str, str] | None = None,
) -> Display:
    """How to show a command's output on ``stream`` (default: stdout) for these flags and environment."""
    out = stream if stream is not None else sys.stdout
    environment = os.environ if env is None else env
    try:
        tty = out.isatty()
    except (AttributeError, ValueError):  # a closed or exotic stream: plain is always safe
        tty = False
    return Display(rich=tty and not json_out and not quiet and not wants_plain(environment), stream=stream)


def display_for(args: object) -> Display:
    """:func:`choose_display` for parsed command-line arguments (``--json``, ``--quiet``)."""
    return choose_display(
        json_out=bool(getattr(args, "json", False)), quiet=bool(getattr(args, "quiet", False))
    )
