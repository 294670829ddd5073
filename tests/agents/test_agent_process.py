"""run_program: argument lists, process groups, timeouts with SIGTERM then SIGKILL, bounded output."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from agent_fakes import FAKE

from plansmith.agents.process import run_program


def _gone(pid: int) -> bool:
    """No such process, or a zombie waiting for a reaper (it runs nothing any more)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat[stat.rfind(")") + 2 :].split()[0] in ("Z", "X")


def _wait_file(path: Path, timeout: float = 5.0) -> str:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if path.exists() and path.read_text():
            return path.read_text()
        time.sleep(0.02)
    raise AssertionError(f"{path} never appeared")


def test_success_captures_output_and_passes_stdin(tmp_path: Path) -> None:
    res = run_program(
        [
            sys.executable,
            "-c",
            "import sys; d = sys.stdin.read(); print(d.upper()); print('e', file=sys.stderr)",
        ],
        cwd=tmp_path,
        stdin="hello $(touch PWNED)",
        timeout_s=10,
    )
    assert res.ok and res.returncode == 0 and not res.timed_out
    assert res.out == "HELLO $(TOUCH PWNED)\n"
    assert res.err == "e\n"
    assert not (tmp_path / "PWNED").exists()


def test_runs_in_its_own_process_group_and_cwd(tmp_path: Path) -> None:
    res = run_program(
        [sys.executable, "-c", "import os; print(os.getpgid(0) == os.getpid(), os.getcwd())"],
        cwd=tmp_path,
        timeout_s=10,
    )
    flag, cwd = res.out.split()
    assert flag == "True"
    assert Path(cwd).resolve() == tmp_path.resolve()


def test_slow_program_within_timeout_finishes(tmp_path: Path) -> None:
    res = run_program(
        [sys.executable, "-c", "import time; time.sleep(0.4); print('done')"], cwd=tmp_path, timeout_s=5
    )
    assert res.ok and res.out.strip() == "done"
    assert 0.4 <= res.duration_s < 3


def test_timeout_sigterm_stops_a_well_behaved_program(tmp_path: Path) -> None:
    start = time.monotonic()
    res = run_program([sys.executable, str(FAKE), "hang"], cwd=tmp_path, timeout_s=0.3, grace_s=3.0)
    assert res.timed_out and not res.killed
    assert res.returncode is not None and res.returncode < 0
    assert time.monotonic() - start < 2.5  # SIGTERM was enough; no waiting for the grace period
    assert "timed out" in res.describe()


def test_sigterm_ignored_kills_whole_group_including_grandchild(tmp_path: Path) -> None:
    pids_file = tmp_path / "pids"
    start = time.monotonic()
    res = run_program(
        [sys.executable, str(FAKE), "ignore-term", str(pids_file)], cwd=tmp_path, timeout_s=1.0, grace_s=0.3
    )
    elapsed = time.monotonic() - start
    leader, grandchild = (int(p) for p in _wait_file(pids_file).split())
    assert res.timed_out and res.killed
    assert res.returncode == -9
    assert elapsed < 4
    end = time.monotonic() + 3
    while not _gone(grandchild) and time.monotonic() < end:
        time.sleep(0.02)
    assert _gone(grandchild), "the grandchild survived"
    assert _gone(leader)


def test_children_left_behind_after_exit_are_stopped(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    res = run_program(
        [sys.executable, str(FAKE), "background", str(pid_file)], cwd=tmp_path, timeout_s=10, grace_s=0.5
    )
    child = int(_wait_file(pid_file))
    assert res.returncode == 0 and not res.timed_out
    end = time.monotonic() + 3
    while not _gone(child) and time.monotonic() < end:
        time.sleep(0.02)
    assert _gone(child)


def test_output_is_bounded_to_the_tail(tmp_path: Path) -> None:
    res = run_program(
        [sys.executable, str(FAKE), "chatty"], cwd=tmp_path, timeout_s=20, max_output_bytes=8 * 1024
    )
    assert res.ok
    assert len(res.stdout) == 8 * 1024
    assert res.stdout.endswith(b"THE END\n")
    assert res.stdout_dropped == 2048 * 1024 + 8 - 8 * 1024


def test_missing_program_is_an_error_not_an_exception(tmp_path: Path) -> None:
    res = run_program(["plansmith-no-such-program-xyz"], cwd=tmp_path, timeout_s=5)
    assert not res.ok and res.error is not None and "cannot start" in res.error


def test_failing_exit_code_is_reported(tmp_path: Path) -> None:
    res = run_program([sys.executable, str(FAKE), "fail"], cwd=tmp_path, timeout_s=10)
    assert res.returncode == 3 and not res.ok
    assert res.describe() == "exit status 3"
    assert "something went wrong" in res.err


def test_environment_is_exactly_the_one_given(tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", ""), "ONLY": "this"}
    res = run_program(
        [sys.executable, "-c", "import os; print(sorted(k for k in os.environ if k in ('ONLY', 'HOME')))"],
        cwd=tmp_path,
        env=env,
        timeout_s=10,
    )
    assert res.out.strip() == "['ONLY']"
