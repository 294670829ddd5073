"""The handled-digest memory the daemon and CI share (plansmith.engine.handled)."""

from __future__ import annotations

import json

from plansmith.ci.memory import Memory
from plansmith.engine.handled import HandledDigests


def test_remembered_digests_are_found_per_base_branch_and_forgotten_on_every_branch() -> None:
    handled = HandledDigests()
    handled.remember("main", "001_a", "sha256:1")
    handled.remember("dev", "001_a", "sha256:2")
    handled.remember("main", "002_b", "sha256:3")
    assert handled.digest("main", "001_a") == "sha256:1" and handled.digest("other", "001_a") is None
    handled.forget(["001_a"])
    assert handled == {"main": {"002_b": "sha256:3"}, "dev": {}}


def test_only_entries_of_the_documented_shape_are_read() -> None:
    odd = {"main": {"p": "h", "n": 3}, "x": "not a mapping", "empty": {}, "7": {"q": ["h"]}}
    assert HandledDigests.from_json(odd) == {"main": {"p": "h"}}
    assert HandledDigests.from_json(["not", "a", "mapping"]) == {}


def test_ci_memory_keeps_the_same_value_and_writes_it_as_plain_json() -> None:
    memory = Memory()
    memory.handled.remember("main", "001_a", "sha256:1")
    again = Memory.parse(memory.dumps())
    assert isinstance(again.handled, HandledDigests)
    assert json.loads(again.dumps())["handled"] == {"main": {"001_a": "sha256:1"}}
