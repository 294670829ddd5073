"""The one decision the daemon and CI runners make for a committed plan, in its documented order:
unchanged before edited before rejected before run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from plansmith.engine.decisions import EDITED, decide
from plansmith.engine.preflight import REJECTED
from plansmith.git_backend import rejections
from plansmith.git_backend.repo import find_repository
from plansmith.plan.layout import find_plans
from plansmith.snapshot import plan_digest

PLAN = "specs/plans/001_feature.md"
FILES = {PLAN: "# Feature: Plan\n\n### Phase 1: One\n- [ ] a\n"}


class _Proposal:
    def __init__(self, state: str) -> None:
        self.state = state


@pytest.fixture
def repo(make_repo: Any) -> Path:
    path: Path = make_repo(FILES)
    return path


def test_the_order_of_the_decision(repo: Path) -> None:
    paths = find_repository(repo)
    [loc] = find_plans(FILES, "specs/plans")
    digest = plan_digest(FILES, loc)
    edited, fresh = _Proposal("edited"), _Proposal("open")

    assert decide(paths, loc, FILES, handled=None, existing=None).action == "run"
    assert decide(paths, loc, FILES, handled="sha256:old", existing=fresh).action == "run"
    decision = decide(paths, loc, FILES, handled=None, existing=edited)  # type: ignore[arg-type]
    assert (decision.action, decision.reason, decision.digest) == ("edited", EDITED, digest)

    rejections.record(paths, PLAN, digest, proposal="001_feature", commit="0" * 40)
    decision = decide(paths, loc, FILES, handled=None, existing=None)
    assert (decision.action, decision.reason) == ("rejected", REJECTED)
    assert decide(paths, loc, FILES, handled=None, existing=edited).action == "edited"  # type: ignore[arg-type]
    # Handled before with this very content: nothing to look at, whatever else is true.
    unchanged = decide(paths, loc, FILES, handled=digest, existing=edited)  # type: ignore[arg-type]
    assert (unchanged.action, unchanged.reason) == ("unchanged", None)
