"""Running one agent program: argument list, own process group, bounded output, timeout with escalation.

Never a shell: ``argv`` goes to ``execve`` as it is, so plan text (titles like ``$(touch X)``) that reaches
an argument, the environment or stdin is data, not code.

On timeout the whole process group gets SIGTERM, then SIGKILL after ``grace_s``. When the program exits by
itself, whatever it left running in its group (background children holding the output pipes) is stopped
the same way, so no agent outlives its run.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

DEFAULT_GRACE_S = 2.0
DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024
_CHUNK = 16 * 1024


@dataclass(frozen=True, slots=True)
class ProcessResult:
    argv: tuple[str, ...]
    returncode: int | None  # negative: killed by that signal (subprocess convention)
    timed_out: bool
    killed: bool  # SIGKILL was needed (the program ignored SIGTERM or outlived the grace period)
    duration_s: float
    stdout: bytes  # the last ``max_output_bytes`` bytes
    stderr: bytes
    stdout_dropped: int  # bytes of stdout not kept (the beginning)
    stderr_dropped: int
    error: str | None = None  # the program could not be started (not found, not executable...)

    @property
    def ok(self) -> bool:
        return self.error is None and not self.timed_out and self.returncode == 0

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8", "replace")

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8", "replace")

    def describe(self) -> str:
        """A one-line reason for a failure (empty when ``ok``)."""
        if self.error is not None:
            return self.error
        if self.timed_out:
            return f"timed out after {self.duration_s:.2f}s" + (
                " (killed with SIGKILL)" if self.killed else ""
            )
        if self.returncode is not None and self.returncode < 0:
            try:
                name = signal.Signals(-self.returncode).name
            except ValueError:
                name = str(-self.returncode)
            return f"killed by signal {name}"
        if self.returncode:
            return f"exit status {self.returncode}"
        return ""


class _Tail:
    """Keeps the last ``limit`` bytes of a stream and counts what it dropped."""

    def __init__(self, limit: int) -> None:
        self.limit = max(0, limit)
        self.buf = bytearray()
        self.dropped = 0

    def add(self, chunk: bytes) -> None:
        self.buf += chunk
        extra = len(self.buf) - self.limit
        if extra > 0:
            del self.buf[:extra]
            self.dropped += extra


def _pump(stream: object, tail: _Tail) -> None:
    read = getattr(stream, "read1", None) or stream.read  # type: ignore[attr-defined]
    try:
        while True:
            chunk = read(_CHUNK)
            if not chunk:
                break
            tail.add(chunk)
    except (OSError, ValueError):
        pass


def _feed(stream: object, data: bytes) -> None:
    try:
        stream.write(data)  # type: ignore[attr-defined]
    except (BrokenPipeError, OSError, ValueError):
        pass  # the program does not read its stdin (or exited): not our problem
    finally:
        with contextlib.suppress(OSError, ValueError):
            stream.close()  # type: ignore[attr-defined]


def _signal_group(pgid: int, sig: int) -> bool:
    """Send ``sig`` to the group; False when the group no longer exists."""
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False
    return True


def _group_alive(pgid: int) -> bool:
    return _signal_group(pgid, 0)


def _stop_group(pgid: int, proc: subprocess.Popen[bytes], grace_s: float) -> bool:
    """SIGTERM the group, wait up to ``grace_s`` for the leader and the rest, then SIGKILL. True if killed."""
    if not _signal_group(pgid, signal.SIGTERM):
        return False
    end = time.monotonic() + grace_s
    while time.monotonic() < end:
        if proc.poll() is not None and not _group_has_live_members(pgid):
            return False
        time.sleep(min(0.02, max(0.0, end - time.monotonic())))
    killed = _signal_group(pgid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)
    return killed


def _group_has_live_members(pgid: int) -> bool:
    """Whether any process of the group is still running (zombies waiting for a reaper do not count)."""
    if not _group_alive(pgid):
        return False
    proc_dir = Path("/proc")
    if not proc_dir.is_dir():
        return True
    for entry in proc_dir.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp ... ; comm may hold spaces and parentheses
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) >= 3 and int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False


def _wait_exit(proc: subprocess.Popen[bytes], timeout_s: float) -> None:
    """Wait for ``proc`` to exit, waking the moment it does (raises ``TimeoutExpired`` at the deadline).

    ``Popen.wait(timeout=...)`` polls with sleeps of up to 50 ms, which every parallel agent run paid
    at its end; a pidfd (Linux 5.3+) becomes readable exactly when the process exits. Elsewhere the
    plain wait is used."""
    pidfd_open = getattr(os, "pidfd_open", None)
    if pidfd_open is None:
        proc.wait(timeout=max(0.0, timeout_s))
        return
    try:
        fd = pidfd_open(proc.pid)
    except OSError:  # already reaped, or pidfds not available in this kernel/sandbox
        proc.wait(timeout=max(0.0, timeout_s))
        return
    try:
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        if not poller.poll(max(0.0, timeout_s) * 1000):
            raise subprocess.TimeoutExpired(proc.args, timeout_s)
    finally:
        os.close(fd)
    proc.wait()


def run_program(
    argv: Sequence[str],
    *,
    cwd: Path,
    stdin: bytes | str = b"",
    env: Mapping[str, str] | None = None,
    timeout_s: float,
    grace_s: float = DEFAULT_GRACE_S,
    max_output_bytes: int = DEFAULT_MAX_OUTPUT_BYTES,
) -> ProcessResult:
    """Run ``argv`` in ``cwd`` with ``stdin``, ``env`` (the full environment; ``None``: inherit).

    Returns when the program has exited (or been stopped) and its group is gone. Never raises for the
    program's own failures: a program that cannot be started gives ``error``.
    """
    args = tuple(argv)
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    start = time.monotonic()
    try:
        proc = subprocess.Popen(
            args,
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            close_fds=True,
        )
    except OSError as exc:
        error = f"cannot start {args[0]!r}: {exc.strerror or exc}"
        return ProcessResult(args, None, False, False, time.monotonic() - start, b"", b"", 0, 0, error=error)
    out, err = _Tail(max_output_bytes), _Tail(max_output_bytes)
    threads = [
        threading.Thread(target=_feed, args=(proc.stdin, data), daemon=True),
        threading.Thread(target=_pump, args=(proc.stdout, out), daemon=True),
        threading.Thread(target=_pump, args=(proc.stderr, err), daemon=True),
    ]
    for t in threads:
        t.start()
    timed_out, killed = _supervise(proc, timeout_s, grace_s)
    for t in threads[1:]:
        t.join(timeout=max(1.0, grace_s))
    duration = time.monotonic() - start
    for stream in (proc.stdout, proc.stderr):
        with contextlib.suppress(OSError):
            if stream is not None:
                stream.close()
    return ProcessResult(
        argv=args,
        returncode=proc.returncode,
        timed_out=timed_out,
        killed=killed,
        duration_s=duration,
        stdout=bytes(out.buf),
        stderr=bytes(err.buf),
        stdout_dropped=out.dropped,
        stderr_dropped=err.dropped,
    )


def _supervise(proc: subprocess.Popen[bytes], timeout_s: float, grace_s: float) -> tuple[bool, bool]:
    """Wait for the program; stop its group on timeout or when it left children: (timed out, killed)."""
    pgid = proc.pid  # start_new_session: the child leads its own session and group
    timed_out = False
    killed = False
    try:
        _wait_exit(proc, timeout_s)
    except subprocess.TimeoutExpired:
        timed_out = True
        killed = _stop_group(pgid, proc, grace_s)
    except BaseException:
        _signal_group(pgid, signal.SIGKILL)
        proc.wait()
        raise
    if not timed_out and _group_has_live_members(pgid):
        # The leader exited but left children behind: they go too.
        killed = _stop_group(pgid, proc, grace_s) or killed
    return timed_out, killed
