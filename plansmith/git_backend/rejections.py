"""Remembered rejections: a rejected proposal is not proposed again until its plan changes.

Stored in ``<common git dir>/plansmith/rejections.json``::

    {"version": 1,
     "plans": {"specs/plans/001_feature.md": [
         {"content_hash": "sha256:...", "proposal": "001_feature", "commit": "<sha>",
          "rejected_at": "2026-11-24T05:49:12+00:00"}]}}

Beside it, ``structure.json`` keeps the structure decisions a person made (an item they collapsed or
expanded, by hand or by approving a proposal), which are honoured like rejections::

    {"version": 1,
     "plans": {"specs/plans/001_feature": {
         "seen": {"phase_1": false, "phase_2": true},
         "decisions": {"phase_2": {"expanded": false, "digest": "sha256:...", "decided_at": "..."}}}}}

Both files are rewritten atomically (temporary file, fsync, rename) under an ``flock`` on the plansmith
folder itself, so the CLI and the daemon can both record rejections without losing one. The content
hash covers the files of the plan (the main file and its folder of expanded phases) as
:func:`plansmith.snapshot.plan_digest` selects them and :func:`plan_content_hash` hashes them: the one
selection that ``proposals reject`` records with and the daemon and CI ask :func:`is_rejected` with.
This module only keeps the memory; it must not read plans (the snapshot layer above it does).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from plansmith.git_backend.repo import RepoPaths
from plansmith.git_backend.state_files import read_json, write_json_atomic

FILE_NAME = "rejections.json"
STRUCTURE_FILE = "structure.json"
# Older rejections of one plan are forgotten first; a plan's content rarely returns to an old state.
MAX_PER_PLAN = 50


def plan_content_hash(files: Mapping[str, bytes]) -> str:
    """A hash of a plan's files ({path: bytes}), independent of dict order. ``sha256:<hex>``."""
    digest = hashlib.sha256()
    for path in sorted(files):
        raw = path.encode("utf-8", "surrogateescape")
        digest.update(len(raw).to_bytes(8, "big") + raw)
        digest.update(len(files[path]).to_bytes(8, "big") + files[path])
    return "sha256:" + digest.hexdigest()


@contextlib.contextmanager
def _locked(repo: RepoPaths) -> Iterator[None]:
    # flock on the plansmith folder itself: no extra lock file in the shared state layout.
    repo.state_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(repo.state_dir, os.O_RDONLY | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the flock


def _load(path: Path) -> dict[str, Any]:
    data = read_json(path, None)
    if not isinstance(data, dict) or not isinstance(data.get("plans"), dict):
        return {"version": 1, "plans": {}}
    return data


def record(repo: RepoPaths, plan: str, content_hash: str, *, proposal: str, commit: str) -> None:
    """Remember that the proposal made from ``plan`` at ``content_hash`` was rejected."""
    path = repo.state_dir / FILE_NAME
    with _locked(repo):
        data = _load(path)
        entries = [e for e in data["plans"].get(plan, []) if e.get("content_hash") != content_hash]
        entries.append(
            {
                "content_hash": content_hash,
                "proposal": proposal,
                "commit": commit,
                "rejected_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
        )
        data["plans"][plan] = entries[-MAX_PER_PLAN:]
        write_json_atomic(path, data)


def forget(repo: RepoPaths, plan: str, content_hash: str) -> None:
    """Undo :func:`record` (used when deleting the branch failed after the rejection was written)."""
    path = repo.state_dir / FILE_NAME
    with _locked(repo):
        data = _load(path)
        entries = [e for e in data["plans"].get(plan, []) if e.get("content_hash") != content_hash]
        if entries:
            data["plans"][plan] = entries
        else:
            data["plans"].pop(plan, None)
        write_json_atomic(path, data)


def is_rejected(repo: RepoPaths, plan: str, content_hash: str) -> bool:
    """Whether a proposal for ``plan`` with exactly this content was rejected before."""
    data = _load(repo.state_dir / FILE_NAME)
    return any(e.get("content_hash") == content_hash for e in data["plans"].get(plan, []))


def listed(repo: RepoPaths) -> list[tuple[str, dict[str, Any]]]:
    """Every remembered rejection as ``(plan, entry)``, entries as stored (for the dashboard)."""
    data = _load(repo.state_dir / FILE_NAME)
    return [
        (plan, entry)
        for plan, entries in sorted(data["plans"].items())
        for entry in (entries if isinstance(entries, list) else [])
        if isinstance(entry, dict)
    ]


Seen = dict[str, bool]  # item id -> expanded, as last seen on the user's branch
Decisions = dict[str, dict[str, Any]]  # item id -> {"expanded", "digest", "decided_at"}


def update_structure(
    repo: RepoPaths, plan_key: str, update: Callable[[Seen, Decisions], tuple[Seen, Decisions]]
) -> Decisions:
    """Read one plan's seen structure and standing decisions, let ``update`` compute the new ones, and
    store them (under the same lock as the rejections); the new decisions."""
    path = repo.state_dir / STRUCTURE_FILE
    with _locked(repo):
        data = read_json(path, None)
        if not isinstance(data, dict) or not isinstance(data.get("plans"), dict):
            data = {"version": 1, "plans": {}}
        entry = data["plans"].get(plan_key)
        seen = dict(entry.get("seen", {})) if isinstance(entry, dict) else {}
        decided = dict(entry.get("decisions", {})) if isinstance(entry, dict) else {}
        new_seen, new_decided = update(seen, decided)
        if (new_seen, new_decided) != (seen, decided):
            data["plans"][plan_key] = {"seen": new_seen, "decisions": new_decided}
            write_json_atomic(path, data)
        return new_decided


def structure_decisions(repo: RepoPaths) -> dict[str, Decisions]:
    """Every plan's standing structure decisions (plan key -> decisions), for ``proposals`` to show."""
    data = read_json(repo.state_dir / STRUCTURE_FILE, None)
    plans = data.get("plans") if isinstance(data, dict) else None
    if not isinstance(plans, dict):
        return {}
    return {
        key: dict(e["decisions"]) for key, e in plans.items() if isinstance(e, dict) and e.get("decisions")
    }


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
