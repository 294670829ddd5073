"""Run plansmith in a real pseudo-terminal and record what reaches the screen, and when.

The child gets the pty's slave end as stdin, stdout and stderr, with the window size set, so it sees
exactly what it would see in a terminal emulator (``isatty()``, the width). Output is read from the
master end as it comes, with the time each chunk arrived, so that a test can tell "shown while the
work ran" from "shown at the end".
"""

from __future__ import annotations

import codecs
import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass
from pathlib import Path

ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


@dataclass
class Screen:
    chunks: list[tuple[float, str]]  # (seconds since start, text)
    returncode: int
    duration: float

    @property
    def raw(self) -> str:
        return "".join(text for _, text in self.chunks)

    @property
    def text(self) -> str:
        """What was written, without escape sequences and carriage returns."""
        return strip(self.raw)

    def text_until(self, seconds: float) -> str:
        return strip("".join(text for at, text in self.chunks if at <= seconds))


def strip(text: str) -> str:
    return ESCAPE.sub("", text).replace("\r", "")


def terminal_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The test's environment as a terminal would have it: a colour TERM, no width override."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR")}
    env.pop("TTY_COMPATIBLE", None)
    env.pop("TTY_INTERACTIVE", None)
    env["TERM"] = "xterm-256color"
    env.update(extra or {})
    return env


def run_in_pty(
    args: list[str],
    cwd: Path,
    *,
    cols: int = 100,
    rows: int = 40,
    env: dict[str, str] | None = None,
    timeout: float = 120.0,
) -> Screen:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "plansmith", *args],
        cwd=cwd,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env if env is not None else terminal_env(),
        start_new_session=True,
    )
    os.close(slave)
    chunks: list[tuple[float, str]] = []
    decoder = codecs.getincrementaldecoder("utf-8")("replace")  # a character may span two reads
    try:
        while True:
            if time.monotonic() - start > timeout:
                proc.kill()
                raise TimeoutError(f"plansmith {' '.join(args)} did not finish in {timeout}s")
            exited = proc.poll() is not None  # read once more after the exit: what it wrote last
            ready, _, _ = select.select([master], [], [], 0.05)
            data = _read(master) if ready else b""
            if data:
                chunks.append((time.monotonic() - start, decoder.decode(data)))
            elif exited or ready:  # nothing more to come (EOF or EIO after the child closed it)
                break
    finally:
        os.close(master)
    code = proc.wait(timeout=30)
    return Screen(chunks, code, time.monotonic() - start)


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError:  # EIO: the child closed the terminal
        return b""
