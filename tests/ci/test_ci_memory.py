"""The memory CI runners keep in the remote: typed values inside plansmith, the same JSON document on
the remote as every earlier runner wrote (a runner of the previous version reads it), and never trusted
further than its documented shape (anyone who may push may write it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plansmith.ci.memory import Memory, PushedProposal, RememberedRejection

from .helpers import BRANCH, MEMORY, Remote, ci, git

PLAN = "specs/plans/001_feature.md"
PUSHED = PushedProposal(
    branch="plansmith/001_feature",
    commit="a" * 40,
    plan=PLAN,
    base_branch="main",
    content_hash="sha256:1",
)

# A memory.json as the runner before typed records wrote it: json.dumps(indent=2, sort_keys=True).
OLD_DOCUMENT = """{
  "handled": {
    "main": {
      "001_feature": "sha256:1"
    }
  },
  "proposals": {
    "001_feature": {
      "base_branch": "main",
      "branch": "plansmith/001_feature",
      "commit": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "content_hash": "sha256:1",
      "plan": "specs/plans/001_feature.md"
    }
  },
  "rejections": {
    "specs/plans/001_feature.md": {
      "sha256:0": {
        "commit": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        "proposal": "001_feature"
      }
    }
  },
  "version": 1
}
"""


def _memory() -> Memory:
    memory = Memory()
    memory.proposals["001_feature"] = PUSHED
    memory.handled.remember("main", "001_feature", "sha256:1")
    memory.remember_rejection(PLAN, "sha256:0", RememberedRejection(proposal="001_feature", commit="b" * 40))
    return memory


def test_memory_round_trips_as_typed_values() -> None:
    memory = _memory()
    again = Memory.parse(memory.dumps())
    assert again == memory
    assert again.proposals == {"001_feature": PUSHED}
    assert again.proposals["001_feature"].ref() == "refs/heads/plansmith/001_feature"
    assert again.handled.digest("main", "001_feature") == "sha256:1"
    assert again.handled.digest("other", "001_feature") is None
    assert again.all_rejections() == [(PLAN, "sha256:0", RememberedRejection("001_feature", "b" * 40))]


def test_the_document_on_the_remote_keeps_the_old_shape() -> None:
    assert _memory().dumps().decode() == OLD_DOCUMENT
    doc = json.loads(_memory().dumps())
    assert doc["proposals"]["001_feature"] == {
        "branch": "plansmith/001_feature",
        "commit": "a" * 40,
        "plan": PLAN,
        "base_branch": "main",
        "content_hash": "sha256:1",
    }
    assert doc["rejections"] == {PLAN: {"sha256:0": {"proposal": "001_feature", "commit": "b" * 40}}}


def test_a_document_of_the_previous_version_is_read_and_written_back_byte_for_byte() -> None:
    memory = Memory.parse(OLD_DOCUMENT.encode())
    assert memory == _memory()
    assert memory.dumps() == OLD_DOCUMENT.encode()


def test_unreadable_or_misshapen_memory_is_read_as_empty_or_trimmed() -> None:
    for raw in (None, b"", b"not json", b"[1, 2]", b'{"proposals": 3}'):
        assert Memory.parse(raw) == Memory()
    whole = {
        "branch": "b",
        "commit": "c",
        "plan": "p.md",
        "base_branch": "main",
        "content_hash": "h",
        "extra": 1,
    }
    odd = {
        "proposals": {"ok": whole, "partial": {"branch": "x"}, "number": {**whole, "commit": 1}, "bad": 3},
        "handled": {"main": {"p": "h", "q": 2}, "x": "y"},
        "rejections": {
            "p": {"h": {"proposal": "a", "commit": "c"}, "partial": {"proposal": "a"}, "x": 1},
            "empty": {"h": {"commit": "c"}},
            "n": 3,
        },
    }
    memory = Memory.parse(json.dumps(odd).encode())
    assert memory.proposals == {"ok": PushedProposal("b", "c", "p.md", "main", "h")}
    assert memory.handled == {"main": {"p": "h"}}
    assert memory.rejections == {"p": {"h": RememberedRejection("a", "c")}}


def _as_the_previous_version_wrote_it(doc: dict[str, object]) -> bytes:
    return (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def test_runs_push_the_document_in_the_shape_of_the_previous_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """What real runs push: the previous version's keys and layout, for a pushed proposal and for a
    rejection (a branch deleted on the host), so an older runner reads it and writes it back the same."""
    remote = Remote(tmp_path, monkeypatch)
    assert ci(capsys, remote.runner())[0] == 0
    raw = git(remote.bare, "show", f"{MEMORY}:memory.json").encode("utf-8") + b"\n"
    doc = json.loads(raw)
    assert raw == _as_the_previous_version_wrote_it(doc)
    assert set(doc) == {"version", "proposals", "handled", "rejections"}
    assert set(doc["proposals"]["001_feature"]) == {"branch", "commit", "plan", "base_branch", "content_hash"}
    assert Memory.parse(raw).dumps() == raw

    git(remote.dev, "push", "-q", "origin", "--delete", BRANCH)  # rejected on the host
    assert ci(capsys, remote.runner())[0] == 0
    raw = git(remote.bare, "show", f"{MEMORY}:memory.json").encode("utf-8") + b"\n"
    doc = json.loads(raw)
    assert raw == _as_the_previous_version_wrote_it(doc)
    assert doc["proposals"] == {}
    [(content_hash, rejection)] = doc["rejections"][PLAN].items()
    assert content_hash.startswith("sha256:") and set(rejection) == {"proposal", "commit"}
    assert rejection["proposal"] == "001_feature"
    assert Memory.parse(raw).dumps() == raw
