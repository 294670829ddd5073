"""The systemd template unit and its instance names. Pure: text in, text out; it must not write files.

The unit text lives in one place, the package data file ``plansmith/data/plansmith@.service``
(``systemd/plansmith@.service`` in the source tree is an identical copy for people who install by hand;
a test keeps them equal). :func:`render_unit` only replaces its ``ExecStart=`` line.
"""

from __future__ import annotations

import os
import re
from importlib.resources import files

TEMPLATE_NAME = "plansmith@.service"
UNIT_PREFIX = "plansmith@"
UNIT_SUFFIX = ".service"
_UNIT_NAME_MAX = 255  # systemd's UNIT_NAME_MAX (256) less the terminating NUL
_VALID = re.compile(rb"[A-Za-z0-9:_.]")


def template_text() -> str:
    """The unit template as shipped (``ExecStart=plansmith daemon --repo %f``)."""
    return (files("plansmith") / "data" / TEMPLATE_NAME).read_text(encoding="utf-8")


def render_unit(python: str) -> str:
    """The template with ``ExecStart`` running ``python -P -m plansmith daemon --repo %f``.

    ``-P`` keeps the working directory (the repository) off ``sys.path``: a repository holding a folder
    named ``plansmith`` must not get its code run by the service.
    """
    exec_start = f"ExecStart={systemd_quote(python)} -P -m plansmith daemon --repo %f"
    lines = template_text().splitlines(keepends=True)
    replaced = [exec_start + "\n" if line.startswith("ExecStart=") else line for line in lines]
    if replaced == lines:
        raise AssertionError(f"{TEMPLATE_NAME} has no ExecStart= line")
    return "".join(replaced)


def systemd_quote(word: str) -> str:
    """``word`` as one word of a systemd command line, with ``%`` and ``$`` taken literally."""
    text = word.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%").replace("$", "$$")
    return f'"{text}"' if re.search(r"[\s\"'\\;]", word) else text


def escape_path(path: str) -> str:
    """``systemd-escape --path PATH``: ``/home/me/my-repo`` -> ``home-me-my\\x2drepo``.

    The path is simplified first (repeated ``/`` and ``.`` components dropped); ``..`` is refused, as
    systemd does. Slashes become ``-``; bytes other than ASCII letters, digits, ``:``, ``_`` and ``.``
    (and a leading ``.``) become ``\\xNN``.
    """
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise ValueError(f"{path!r} is not a normalized path: it contains '..'")
    if not parts:
        return "-"
    raw = "/".join(parts).encode("utf-8", "surrogateescape")
    out: list[str] = []
    for index, byte in enumerate(raw):
        char = bytes((byte,))
        if char == b"/":
            out.append("-")
        elif _VALID.fullmatch(char) and not (index == 0 and char == b"."):
            out.append(char.decode("ascii"))
        else:
            out.append(f"\\x{byte:02x}")
    return "".join(out)


def unit_name(repo: str | os.PathLike[str]) -> str:
    """``plansmith@<escaped absolute path>.service`` for the repository at ``repo`` (absolute)."""
    text = os.fspath(repo)
    if not text.startswith("/"):
        raise ValueError(f"the repository path must be absolute: {text!r}")
    name = f"{UNIT_PREFIX}{escape_path(text)}{UNIT_SUFFIX}"
    if len(name) > _UNIT_NAME_MAX:
        raise ValueError(f"the repository path is too long for a systemd unit name ({len(name)} > 255)")
    return name
