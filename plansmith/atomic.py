"""Atomic file replacement: the one writer for plansmith's state, record, unit and hook files.

A reader (another plansmith process, systemd, git running a hook) sees the old file or the new one,
never half of one, and a crash or SIGKILL at any instant leaves one of the two. How: the content goes
to a temporary file in the same folder (a rename is atomic only within one file system), which is
flushed and fsynced, renamed over the target, and then the folder is fsynced so that the rename itself
survives a power cut.

Standard library only, and nothing of plansmith but this module: the git hook's fast path may import it.
It never writes anywhere but ``path`` and its temporary sibling (removed again on failure).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

DEFAULT_MODE = 0o644


def write_bytes_atomic(path: Path, data: bytes, *, mode: int = DEFAULT_MODE) -> None:
    """Replace ``path`` by ``data`` (file permissions ``mode``), atomically and durably (see above)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)  # mkstemp creates 0600; state files are readable like git's
            os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            Path(tmp).unlink()
        raise
    fsync_folder(path.parent)


def write_text_atomic(path: Path, text: str, *, mode: int = DEFAULT_MODE) -> None:
    """:func:`write_bytes_atomic` of ``text`` encoded as UTF-8."""
    write_bytes_atomic(path, text.encode("utf-8"), mode=mode)


def write_json_atomic(path: Path, data: Any, *, sort_keys: bool = True, ensure_ascii: bool = False) -> None:
    """``data`` as indented JSON with a final newline (sorted keys by default: stable files diff well)."""
    text = json.dumps(data, indent=2, sort_keys=sort_keys, ensure_ascii=ensure_ascii) + "\n"
    write_bytes_atomic(path, text.encode("utf-8"))


def fsync_folder(folder: Path) -> None:
    """Make a rename or creation inside ``folder`` durable."""
    dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(dir_fd)
    except OSError:  # some file systems refuse fsync on folders; the rename is still atomic there
        pass
    finally:
        os.close(dir_fd)
