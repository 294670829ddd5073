"""The memory CI runners keep in the remote: read back as written, and never trusted further than its
documented shape (anyone who may push may write it)."""

from __future__ import annotations

import json

from plansmith.ci.memory import Memory


def test_memory_round_trips() -> None:
    memory = Memory()
    memory.proposals["001_feature"] = {"branch": "plansmith/001_feature", "commit": "a" * 40}
    memory.handled.remember("main", "001_feature", "sha256:1")
    memory.remember_rejection(
        "specs/plans/001_feature.md", "sha256:0", proposal="001_feature", commit="b" * 40
    )
    again = Memory.parse(memory.dumps())
    assert again == memory
    assert again.handled.digest("main", "001_feature") == "sha256:1"
    assert again.handled.digest("other", "001_feature") is None
    assert again.all_rejections() == [
        ("specs/plans/001_feature.md", "sha256:0", {"proposal": "001_feature", "commit": "b" * 40})
    ]
    assert json.loads(memory.dumps())["version"] == 1


def test_unreadable_or_misshapen_memory_is_read_as_empty_or_trimmed() -> None:
    for raw in (None, b"", b"not json", b"[1, 2]", b'{"proposals": 3}'):
        assert Memory.parse(raw) == Memory()
    odd = {
        "proposals": {"ok": {"branch": "x", "n": 1}, "bad": 3},
        "handled": {"main": {"p": "h", "q": 2}, "x": "y"},
        "rejections": {"p": {"h": {"proposal": "a"}, "x": 1}},
    }
    memory = Memory.parse(json.dumps(odd).encode())
    assert memory.proposals == {"ok": {"branch": "x"}}
    assert memory.handled == {"main": {"p": "h"}}
    assert memory.rejections == {"p": {"h": {"proposal": "a"}}}
