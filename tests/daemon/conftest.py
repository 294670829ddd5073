"""Fixtures for the daemon tests: a repository with plans, the daemon entry point as a subprocess."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from daemon_helpers import PLAN_FILES, DaemonProcess


@pytest.fixture
def plan_repo(make_repo: Callable[..., Path]) -> Path:
    return make_repo(dict(PLAN_FILES))


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[..., DaemonProcess]]:
    started: list[DaemonProcess] = []
    counter = 0

    def factory(repo: Path, *args: str, env: dict[str, str] | None = None) -> DaemonProcess:
        nonlocal counter
        counter += 1
        proc = DaemonProcess(repo, tmp_path / f"calls{counter}.jsonl", args, env)
        started.append(proc)
        return proc

    yield factory
    for proc in started:
        proc.kill()
