"""The pure core: path classification, the debouncer state machine, content comparison."""

from __future__ import annotations

import hashlib
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plansmith.daemon.debounce import (
    Debouncer,
    backoff_delay,
    blob_id,
    changed,
    changed_keys,
    group_by_plan,
    is_ref_change,
    plan_key_for,
)

P = "specs/plans"


@pytest.mark.parametrize(
    ("path", "is_dir", "key"),
    [
        ("specs/plans/001_x.md", False, "001_x"),
        ("specs/plans/001_x/001_x.md", False, "001_x"),
        ("specs/plans/001_x/phase_3_db/stage_1.md", False, "001_x"),
        ("specs/plans/001_x", True, "001_x"),
        ("specs/plans/001_x/phase_3_db", True, "001_x"),
        ("specs/plans", True, None),
        ("specs/other/001_x.md", False, None),
        ("specs/plans_old/001_x.md", False, None),
        ("README.md", False, None),
        # editor and tool temp files
        ("specs/plans/.001_x.md.swp", False, None),
        ("specs/plans/.001_x.md.swx", False, None),
        ("specs/plans/001_x.md~", False, None),
        ("specs/plans/4913", False, None),
        ("specs/plans/001_x/4913", False, None),
        ("specs/plans/.#001_x.md", False, None),
        ("specs/plans/#001_x.md#", False, None),
        ("specs/plans/001_x.md.tmp", False, None),
        ("specs/plans/001_x.tmp", False, None),
        ("specs/plans/.goutputstream-ABC123", False, None),
        ("specs/plans/001_x/.phase_3.md.swp", False, None),
        ("specs/plans/001_x/notes.txt", False, None),
        ("specs/plans/.git", True, None),
        ("specs/plans/001_x/.hidden/a.md", False, None),
    ],
)
def test_plan_key_for(path: str, is_dir: bool, key: str | None) -> None:
    assert plan_key_for(path, P, is_directory=is_dir) == key


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("HEAD", True),
        ("packed-refs", True),
        ("refs/heads/main", True),
        ("refs/heads/feature/x", True),
        ("refs/heads/main.lock", False),
        ("HEAD.lock", False),
        ("packed-refs.lock", False),
        ("index", False),
        ("index.lock", False),
        ("ORIG_HEAD", False),
        ("logs/HEAD", False),
        ("objects/ab/cdef", False),
        ("plansmith/state.json", False),
        ("refs", False),
        ("reftable/tables.list", True),
    ],
)
def test_is_ref_change(path: str, expected: bool) -> None:
    assert is_ref_change(path) is expected


def test_debouncer_window_restarts_and_max_wait() -> None:
    d = Debouncer(P, debounce_s=0.5, max_wait_s=2.5)
    d.feed("specs/plans/001_x.md", "modified", 0.0)
    assert d.due(0.4) == []
    d.feed("specs/plans/001_x.md", "modified", 0.4)
    assert d.due(0.8) == []  # the window restarted at 0.4
    assert d.next_due() == pytest.approx(0.9)
    assert d.due(0.9) == ["001_x"]
    assert d.due(10) == []
    # A stream that never pauses is still handled after max_wait.
    t = 10.0
    while t < 12.6:
        d.feed("specs/plans/001_x.md", "modified", t)
        t += 0.1
    assert d.next_due() == pytest.approx(12.5)
    assert d.due(12.5) == ["001_x"]


def test_debouncer_ignores_temp_files_and_keeps_one_entry_per_plan() -> None:
    d = Debouncer(P, 0.5, 2.5)
    for i in range(1000):
        assert d.feed("specs/plans/.001_x.md.swp", "modified", i * 0.001) is None
        d.feed("specs/plans/001_x/phase_1.md", "modified", i * 0.001)
        d.feed("specs/plans/002_y.md", "closed", i * 0.001)
    assert d.pending() == 2
    assert d.ignored == 1000
    assert d.due(100) == ["001_x", "002_y"]


def test_debouncer_rejects_bad_timing() -> None:
    with pytest.raises(ValueError, match="debounce"):
        Debouncer(P, 1.0, 0.5)


def _simulate(d: Debouncer, times: list[float], path: str, kind: str = "modified") -> list[tuple[float, str]]:
    """Feed events at ``times`` and poll exactly when the loop would (at next_due), until quiet."""
    emitted: list[tuple[float, str]] = []
    for t in times:
        nd = d.next_due()
        while nd is not None and nd <= t:
            emitted.extend((nd, k) for k in d.due(nd))
            nd = d.next_due()
        d.feed(path, kind, t)
    nd = d.next_due()
    while nd is not None:
        emitted.extend((nd, k) for k in d.due(nd))
        nd = d.next_due()
    return emitted


@settings(max_examples=300, deadline=None)
@given(
    gaps=st.lists(st.floats(min_value=0.0, max_value=0.49), min_size=1, max_size=60),
    file=st.sampled_from(["specs/plans/001_x.md", "specs/plans/001_x/phase_2.md", "specs/plans/001_x"]),
)
def test_any_interleaving_within_a_window_yields_one_due_plan(gaps: list[float], file: str) -> None:
    times: list[float] = []
    t = 100.0
    for g in gaps:
        t += g
        times.append(t)
    # Keep the storm shorter than the max wait: then exactly one run, after the last event.
    span = times[-1] - times[0]
    d = Debouncer(P, debounce_s=0.5, max_wait_s=max(2.5, span + 0.01))
    kind = "modified" if file.endswith(".md") else "dir_created"
    emitted = _simulate(d, times, file, kind)
    assert [k for _, k in emitted] == ["001_x"]
    assert emitted[0][0] >= times[-1]


@settings(max_examples=200, deadline=None)
@given(
    gaps=st.lists(st.floats(min_value=0.0, max_value=2.0), min_size=1, max_size=200),
    temp=st.sampled_from(
        ["specs/plans/.001_x.md.swp", "specs/plans/001_x.md~", "specs/plans/4913", "specs/plans/.#001_x.md"]
    ),
)
def test_temp_files_never_yield_a_plan(gaps: list[float], temp: str) -> None:
    d = Debouncer(P, 0.5, 2.5)
    t = 0.0
    times = []
    for g in gaps:
        t += g
        times.append(t)
    assert _simulate(d, times, temp) == []


@settings(max_examples=300, deadline=None)
@given(
    gaps=st.lists(st.floats(min_value=0.0, max_value=3.0), min_size=1, max_size=300),
    debounce=st.floats(min_value=0.05, max_value=1.0),
    factor=st.floats(min_value=1.0, max_value=10.0),
)
def test_max_wait_bound_holds(gaps: list[float], debounce: float, factor: float) -> None:
    """Every event is covered by a run no later than max_wait after it, and runs are never closer
    together than the debounce unless a new window started (bounded count for a long stream)."""
    d = Debouncer(P, debounce, debounce * factor)
    t = 0.0
    times = []
    for g in gaps:
        t += g
        times.append(t)
    emitted = [e for e, _ in _simulate(d, times, "specs/plans/001_x.md")]
    assert emitted, "at least one run"
    for ev in times:
        covering = [e for e in emitted if e >= ev]
        assert covering and covering[0] <= ev + d.max_wait_s + 1e-9
    # A run is due only debounce after the last event or max_wait after the window's first event:
    # at most one run per max_wait of continuous stream, plus one per quiet gap.
    quiet_gaps = sum(1 for g in gaps[1:] if g >= debounce)
    assert len(emitted) <= 1 + quiet_gaps + (times[-1] - times[0]) / d.max_wait_s + 1


def test_changed_and_changed_keys() -> None:
    a = {"specs/plans/001_x.md": "aa"}
    assert changed(None, a)
    assert not changed(a, dict(a))
    assert changed(a, {"specs/plans/001_x.md": "bb"})
    assert changed(a, {**a, "specs/plans/001_x/phase_1.md": "cc"})
    prev = {"001_x": a, "002_y": {"specs/plans/002_y.md": "yy"}}
    cur = {"001_x": a, "003_z": {"specs/plans/003_z.md": "zz"}}
    assert changed_keys(prev, cur) == {"002_y", "003_z"}


def test_group_by_plan() -> None:
    files = {
        "specs/plans/001_x.md": "1",
        "specs/plans/002_y/002_y.md": "2",
        "specs/plans/002_y/phase_1.md": "3",
        "specs/plans/notes.txt": "4",
        "README.md": "5",
    }
    assert group_by_plan(files, P) == {
        "001_x": {"specs/plans/001_x.md": "1"},
        "002_y": {"specs/plans/002_y/002_y.md": "2", "specs/plans/002_y/phase_1.md": "3"},
    }


@pytest.mark.parametrize("data", [b"", b"hello\n", "ümlaut\n".encode(), bytes(range(256))])
def test_blob_id_matches_git(data: bytes) -> None:
    out = subprocess.run(
        ["git", "hash-object", "--stdin"], input=data, capture_output=True, check=True
    ).stdout.decode()
    assert blob_id(data) == out.strip()
    assert len(blob_id(data, "sha256")) == len(hashlib.sha256().hexdigest())


def test_backoff_delay() -> None:
    assert backoff_delay(0) == 0
    assert [backoff_delay(n) for n in (1, 2, 3, 4)] == [2, 4, 8, 16]
    assert backoff_delay(100) == 300


@pytest.mark.parametrize(
    ("path", "is_dir", "key"),
    [
        ("specs/042_search/plans/001-ranking-plan.md", False, "042_search/001-ranking-plan"),
        ("specs/042_search/plans/001-ranking-plan/phase_2_x.md", False, "042_search/001-ranking-plan"),
        (".claude/specs/plans/001_x.md", False, "001_x"),
        (".claude/specs/043_auth/plans/a/a.md", False, "043_auth/a"),
        ("specs/042_search/plans", True, None),
        ("specs/042_search/reports/notes.md", False, None),
        ("specs/.hidden/plans/001_x.md", False, None),
        ("specs/042_search/plans/.001-x.md.swp", False, None),
    ],
)
def test_plan_key_for_every_default_root(path: str, is_dir: bool, key: str | None) -> None:
    assert plan_key_for(path, is_directory=is_dir) == key


def test_group_by_plan_across_roots() -> None:
    files = {
        "specs/plans/001_x.md": "1",
        ".claude/specs/plans/001_x.md": "2",
        "specs/042/plans/a.md": "3",
        "specs/042/reports/r.md": "4",
    }
    assert group_by_plan(files) == {
        "001_x": {"specs/plans/001_x.md": "1", ".claude/specs/plans/001_x.md": "2"},
        "042/a": {"specs/042/plans/a.md": "3"},
    }
