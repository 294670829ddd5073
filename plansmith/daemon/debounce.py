"""Pure decisions of the daemon: which paths matter, when a plan is due, whether its content changed.

Nothing here touches the file system, git or a clock: times are passed in (monotonic seconds) and
paths are repository-relative POSIX strings. The service loop (the imperative shell) feeds events in
and acts on what comes out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from plansmith.plan.roots import DEFAULT_ROOTS, plan_key, split_root

PlanKey = str
"""A plan's short id (:func:`plansmith.plan.roots.plan_key`): ``001_x`` for ``specs/plans/001_x.md`` and
everything under ``specs/plans/001_x/``, ``042_search/001-x`` for ``specs/042_search/plans/001-x.md``.
Two roots can give the same short id (``specs/plans/001_x.md`` and ``.claude/specs/plans/001_x.md``):
such plans share the key, so an event in either makes the handler look at both (it tells them apart by
their unique ids and content hashes); nothing is missed, at worst one extra cheap check."""

# Names editors and tools write next to the file being saved; none of them is a plan.
_TEMP_SUFFIXES = (".swp", ".swx", ".swo", ".tmp", ".bak", ".orig", "~", "#")
_TEMP_PREFIXES = (".#", "#", ".goutputstream-", ".~lock.")
_VIM_PROBE = "4913"


def is_ignored_name(name: str, *, is_directory: bool = False) -> bool:
    """True for names that never make a plan change: editor swap/backup/lock files, hidden files.

    Files must end in ``.md``; directories only have to be visible (not hidden, not a temp name).
    """
    if not name or name.startswith("."):
        # Hidden entries: vim swap (.x.md.swp), emacs lock (.#x.md), kate swap, .goutputstream-XXXX.
        return True
    if name == _VIM_PROBE or name.startswith(_TEMP_PREFIXES) or name.endswith(_TEMP_SUFFIXES):
        return True
    if is_directory:
        return False
    return not name.endswith(".md")


def plan_key_for(
    rel_path: str, roots: str | Sequence[str] = DEFAULT_ROOTS, *, is_directory: bool = False
) -> PlanKey | None:
    """The plan a repository-relative path belongs to, or None if it is not part of any plan.

    ``roots`` are the root patterns (or one folder). ``specs/plans/001_x.md`` -> ``001_x``;
    ``specs/plans/001_x/phase_3.md`` -> ``001_x``; the directory ``specs/plans/001_x`` -> ``001_x``;
    ``specs/042_search/plans/001-x.md`` -> ``042_search/001-x``. Temp and swap files -> None.
    """
    found = split_root(rel_path, roots)
    if found is None:
        return None
    root, parts = found
    if not parts or not parts[0]:
        return None
    top = parts[0]
    if len(parts) == 1:
        if is_ignored_name(top, is_directory=is_directory):
            return None
        return plan_key(root, top if is_directory else top[: -len(".md")])
    # Inside a plan folder: the folder must be a plausible plan, the leaf a plan file (or a folder).
    if is_ignored_name(top, is_directory=True):
        return None
    if any(is_ignored_name(p, is_directory=True) for p in parts[1:-1]):
        return None
    if is_ignored_name(parts[-1], is_directory=is_directory):
        return None
    return plan_key(root, top)


def is_relevant_plan_file(rel_path: str, roots: str | Sequence[str] = DEFAULT_ROOTS) -> bool:
    """True for the files whose content makes up a plan (used on both sides of a content comparison)."""
    return plan_key_for(rel_path, roots) is not None


def is_ref_change(rel_to_git_dir: str) -> bool:
    """True if a path inside a git dir (relative to it) says that HEAD or a ref moved.

    ``HEAD``, ``packed-refs``, ``refs/...`` and ``reftable/...`` count; lock files (``*.lock``), the
    index, logs, objects and plansmith's own state under ``plansmith/`` do not. A ref written by
    ``git`` arrives as a rename of ``X.lock`` onto ``X``: pass the destination.
    """
    path = rel_to_git_dir.strip("/")
    if not path or path.endswith(".lock"):
        return False
    if path in ("HEAD", "packed-refs"):
        return True
    top = path.split("/", 1)[0]
    return top in ("refs", "reftable") and "/" in path


@dataclass(slots=True)
class _EditWindow:
    first: float
    last: float
    events: int = 1


@dataclass(slots=True)
class Debouncer:
    """Coalesces a storm of events into one due key per window.

    A key becomes due ``debounce_s`` after its last event (the window restarts on each event), but
    never later than ``max_wait_s`` after the first event of the window, so a never-ending stream is
    still handled periodically. Memory is O(number of distinct pending keys), not O(events).
    """

    roots: str | Sequence[str] = DEFAULT_ROOTS
    debounce_s: float = 0.5
    max_wait_s: float = 2.5
    _pending: dict[PlanKey, _EditWindow] = field(default_factory=dict)
    ignored: int = 0
    accepted: int = 0

    def __post_init__(self) -> None:
        if self.debounce_s < 0 or self.max_wait_s < self.debounce_s:
            raise ValueError("need 0 <= debounce_s <= max_wait_s")

    def feed(self, path: str, kind: str, now: float) -> PlanKey | None:
        """Record a file event (``kind`` starting with ``dir_`` marks a directory); return its plan key."""
        key = plan_key_for(path, self.roots, is_directory=kind.startswith("dir_"))
        if key is None:
            self.ignored += 1
            return None
        self.touch(key, now)
        return key

    def touch(self, key: PlanKey, now: float) -> None:
        """Record an event for ``key`` directly (used for the refs-changed key)."""
        self.accepted += 1
        entry = self._pending.get(key)
        if entry is None:
            self._pending[key] = _EditWindow(now, now)
        else:
            entry.last = max(entry.last, now)
            entry.events += 1

    def _due_at(self, entry: _EditWindow) -> float:
        return min(entry.last + self.debounce_s, entry.first + self.max_wait_s)

    def next_due(self) -> float | None:
        """The monotonic time at which the next key becomes due, or None when nothing is pending."""
        if not self._pending:
            return None
        return min(self._due_at(e) for e in self._pending.values())

    def due(self, now: float) -> list[PlanKey]:
        """Keys whose window has closed at ``now`` (sorted); they are forgotten until the next event."""
        ready = sorted(k for k, e in self._pending.items() if self._due_at(e) <= now)
        for key in ready:
            del self._pending[key]
        return ready

    def pending(self) -> int:
        return len(self._pending)

    def pending_keys(self) -> set[PlanKey]:
        """The keys with events whose window has not closed yet."""
        return set(self._pending)

    def set_timing(self, debounce_s: float, max_wait_s: float) -> None:
        if debounce_s < 0 or max_wait_s < debounce_s:
            raise ValueError("need 0 <= debounce_s <= max_wait_s")
        self.debounce_s = debounce_s
        self.max_wait_s = max_wait_s


# --- content comparison -------------------------------------------------------------------------

FileHashes = Mapping[str, str]
"""A plan's files: repository-relative path -> git blob id of the content."""


def changed(previous: FileHashes | None, current: FileHashes) -> bool:
    """True if a plan's content differs from what was handled last (None: never handled)."""
    if previous is None:
        return True
    return dict(previous) != dict(current)


def changed_keys(
    previous: Mapping[PlanKey, FileHashes], current: Mapping[PlanKey, FileHashes]
) -> set[PlanKey]:
    """Plans added, removed or modified between two snapshots."""
    keys = set(previous) | set(current)
    return {k for k in keys if dict(previous.get(k, {})) != dict(current.get(k, {}))}


def group_by_plan(
    files: Mapping[str, str], roots: str | Sequence[str] = DEFAULT_ROOTS
) -> dict[PlanKey, dict[str, str]]:
    """Split a path -> hash mapping into one mapping per plan; paths that belong to no plan are dropped."""
    out: dict[PlanKey, dict[str, str]] = {}
    for path, digest in files.items():
        key = plan_key_for(path, roots)
        if key is not None:
            out.setdefault(key, {})[path] = digest
    return out


def blob_id(data: bytes, object_format: str = "sha1") -> str:
    """The id git gives a blob with this content (``git hash-object``), for sha1 and sha256 repositories."""
    h = hashlib.new(object_format)
    h.update(b"blob %d\0" % len(data))
    h.update(data)
    return h.hexdigest()


def backoff_delay(failures: int, *, base_s: float = 2.0, cap_s: float = 300.0) -> float:
    """Delay before retrying after ``failures`` consecutive handler failures (0 -> no delay)."""
    if failures <= 0:
        return 0.0
    return float(min(cap_s, base_s * 2 ** min(failures - 1, 30)))
