"""Helpers for the agent tests: the fake agent program and a regex stand-in for the plan parser."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from plansmith.agents import CommandAgent
from plansmith.config import AgentSpec

FAKE = Path(__file__).resolve().parent / "fake_agents" / "fake_agent.py"

_HEADING = re.compile(r"^#{1,6}\s+(Phase|Stage)\s+(\d+)\b", re.M)
_TASK = re.compile(r"^\s*[-*]\s+\[([ xX])\]\s+(.*)$", re.M)


def same_item(before: str, after: str) -> bool:
    a, b = _HEADING.search(before), _HEADING.search(after)
    return a is not None and b is not None and a.groups() == b.groups()


def tasks_of(text: str) -> list[tuple[str, bool]]:
    return [(m.group(2), m.group(1) in "xX") for m in _TASK.finditer(text)]


PHASE = """# Phase 2: Authentication [IN PROGRESS]

**Objective**: Issue and verify session tokens

## Tasks
- [x] Choose a token format
- [ ] Issue tokens on login
- [ ] Verify tokens on every request
"""

MAIN = """# Feature plan

## Metadata
- **Structure Level**: 1
- **Expanded Phases**: [2]

### Phase 1: Setup
- [ ] Create the project
"""

TARGET = "specs/plans/001_feature/phase_2_authentication.md"
MAIN_PATH = "specs/plans/001_feature/001_feature.md"


def make_worktree(root: Path) -> Path:
    wt = root / "wt"
    (wt / TARGET).parent.mkdir(parents=True)
    (wt / TARGET).write_text(PHASE)
    (wt / MAIN_PATH).write_text(MAIN)
    (wt / ".git").write_text("gitdir: somewhere\n")
    return wt


def spec(*args: str, **kwargs: object) -> AgentSpec:
    return AgentSpec(command=[sys.executable, str(FAKE), *args], **kwargs)  # type: ignore[arg-type]


def make_agent(*args: str, log: Path | None = None, **kwargs: object) -> CommandAgent:
    spec_kwargs = {
        k: kwargs.pop(k) for k in ("tools", "fallback_tools", "timeout_s", "max_attempts") if k in kwargs
    }
    env = {"FAKE_LOG": str(log)} if log else {}
    return CommandAgent(
        "fake",
        spec(*args, env=env, **spec_kwargs),
        same_item=same_item,
        tasks_of=tasks_of,
        grace_s=float(kwargs.pop("grace_s", 0.3)),  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )


def read_log(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]
