"""Daemon logging: stderr, with journald priority prefixes (``<3>`` ...) when run by systemd.

journald reads ``<N>`` at the start of a line as the syslog priority and adds its own timestamp, so under
systemd lines carry the priority and no time; in a terminal they carry time and level. It must not
configure anything but the ``plansmith`` loggers and the root handler of the daemon process.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from typing import TextIO

_PRIORITY = (
    (logging.ERROR, 3),
    (logging.WARNING, 4),
    (logging.INFO, 6),
)


def journald_priority(levelno: int) -> int:
    """syslog priority for a logging level: error and above 3, warning 4, info 6, debug 7."""
    for threshold, prio in _PRIORITY:
        if levelno >= threshold:
            return prio
    return 7


def under_journald(env: Mapping[str, str] | None = None, stream: TextIO | None = None) -> bool:
    """True when stderr goes to the journal: ``JOURNAL_STREAM`` names it, or ``INVOCATION_ID`` is set."""
    env = os.environ if env is None else env
    journal = env.get("JOURNAL_STREAM", "")
    if journal:
        stream = sys.stderr if stream is None else stream
        try:
            st = os.fstat(stream.fileno())
            dev, _, ino = journal.partition(":")
            return (int(dev), int(ino)) == (st.st_dev, st.st_ino)
        except (OSError, ValueError, AttributeError):
            return True
    return bool(env.get("INVOCATION_ID"))


class JournalFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        prio = journald_priority(record.levelno)
        text = super().format(record)
        # Every line of a multi-line message (tracebacks) keeps the priority.
        return "\n".join(f"<{prio}>{line}" for line in text.splitlines() or [""])


HANDLER_NAME = "plansmith-daemon"


def setup_logging(
    level: int = logging.INFO,
    *,
    stream: TextIO | None = None,
    env: Mapping[str, str] | None = None,
) -> logging.Handler:
    """Send the ``plansmith`` loggers to stderr (idempotent: replaces an earlier daemon handler)."""
    stream = sys.stderr if stream is None else stream
    handler = logging.StreamHandler(stream)
    handler.set_name(HANDLER_NAME)
    if under_journald(env, stream):
        handler.setFormatter(JournalFormatter("%(name)s: %(message)s"))
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S")
        )
    for name in ("plansmith", "watchdog", "apscheduler"):
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if h.get_name() == HANDLER_NAME]:
            logger.removeHandler(old)
        logger.addHandler(handler)
        logger.propagate = False
    logging.getLogger("plansmith").setLevel(level)
    # Third-party chatter only from warnings up (the overflow warning must stay visible).
    logging.getLogger("watchdog").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    return handler
