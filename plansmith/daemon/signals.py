"""Signal handling for the daemon: SIGTERM/SIGINT stop it, SIGHUP reloads its settings.

The handlers only set flags (and start the "stop overdue" timer); the loop reads the flags. A signal
wakes the loop through ``signal.set_wakeup_fd`` on the inbox's pipe, so no handler touches a lock. It
must not do any of the daemon's work itself, and it installs nothing when not on the main thread
(embedding, tests on a thread: stopping is then :meth:`StopSignals.request_stop`).
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

log = logging.getLogger(__name__)


class StopSignals:
    """The stop and reload flags, and the handlers that set them."""

    def __init__(self, stop_timeout_s: float, on_overdue: Callable[[], None]) -> None:
        self.stop_timeout_s = stop_timeout_s
        self.on_overdue = on_overdue
        """Called (on a timer thread) when the run in flight ignored cancellation for too long."""
        self.cancelled = threading.Event()
        self.stop_signal: int | None = None
        self.reload_requested = False
        self._old_handlers: dict[int, Any] = {}
        self._old_wakeup_fd: int | None = None
        self._stop_timer: threading.Timer | None = None

    @property
    def stopping(self) -> bool:
        return self.stop_signal is not None

    def request_stop(self, signum: int = signal.SIGTERM, _frame: FrameType | None = None) -> None:
        """What SIGTERM does: cancel the run in flight, and leave anyway if it does not stop in time."""
        if self.stop_signal is not None:
            return
        self.stop_signal = signum
        self.cancelled.set()
        timer = threading.Timer(max(0.0, self.stop_timeout_s - 0.5), self.on_overdue)
        timer.daemon = True
        timer.start()
        self._stop_timer = timer

    def _on_hup(self, _signum: int, _frame: FrameType | None) -> None:
        self.reload_requested = True

    def install(self, wakeup_fd: int) -> None:
        if threading.current_thread() is not threading.main_thread():
            log.debug("not on the main thread: signals are not handled")
            return
        self._old_wakeup_fd = signal.set_wakeup_fd(wakeup_fd, warn_on_full_buffer=False)
        for sig in (signal.SIGTERM, signal.SIGINT):
            self._old_handlers[sig] = signal.signal(sig, self.request_stop)
        self._old_handlers[signal.SIGHUP] = signal.signal(signal.SIGHUP, self._on_hup)

    def restore(self) -> None:
        """Put back the handlers found at :meth:`install` and stop the overdue timer."""
        for sig, old in self._old_handlers.items():
            with contextlib.suppress(Exception):
                signal.signal(sig, old)
        self._old_handlers.clear()
        if self._old_wakeup_fd is not None:
            with contextlib.suppress(Exception):
                signal.set_wakeup_fd(self._old_wakeup_fd)
            self._old_wakeup_fd = None
        if self._stop_timer is not None:
            self._stop_timer.cancel()
