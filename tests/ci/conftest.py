"""The fixture every CI test starts from: a bare remote and a developer's clone (:class:`Remote`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import Remote


@pytest.fixture
def remote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Remote:
    return Remote(tmp_path, monkeypatch)
