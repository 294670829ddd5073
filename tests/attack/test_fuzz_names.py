"""Issue 18: a fuzz test over plan file names and phase titles through expand -> approve -> collapse
-> approve, on real repositories. Every name either works (and the round trip gives the plan back byte
for byte) or is refused with a clear error (exit 1, ``plansmith: error: ...``); never an internal error
(exit 3), never a traceback. Bounded: a modest number of examples, no deadline (git runs)."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from plansmith.cli import main
from plansmith.commands.common import open_workspace
from plansmith.commands.proposals import approve_document

GROWN = "\n".join(f"- [ ] task {n} in `src/mod{n}.py` with migration and security review" for n in range(16))
# Characters that stress refs, trailers, slugs and terminals, besides any text.
TRICKY = " .%+~^:?*[]\\@{}-_#!'\"\t\x1b\u2028\u00e9\u4e2d\U0001f600"
NAMES = st.text(
    alphabet=st.one_of(
        st.sampled_from(TRICKY + "\n"),
        st.characters(blacklist_characters="/\0", blacklist_categories=("Cc", "Cs"), codec="utf-8"),
    ),
    min_size=1,
    max_size=24,
).filter(lambda n: n not in (".", "..") and len(n.encode()) <= 200)
TITLES = st.text(
    alphabet=st.one_of(st.sampled_from(TRICKY), st.characters(blacklist_characters="\n\r", codec="utf-8")),
    min_size=1,
    max_size=30,
)


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def plansmith(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    """Run one command with ``--json``: exit code and document; only 0 or a clear refusal (1) pass."""
    code = main([*args, "--json"])
    out, err = capsys.readouterr()
    assert code in (0, 1), f"exit {code} for {args!r}: {out}{err}"
    assert "Traceback" not in out + err and "internal" not in out + err, out + err
    doc: dict[str, Any] = json.loads(out)
    if code == 1:
        assert doc["error"]["message"] and doc["error"]["type"] != "internal", doc
    return code, doc


def approve(repo: Path, proposal_id: str) -> None:
    """What ``proposals approve ID`` and MCP's approve_proposal do (an id may start with '-', which
    the command line would read as an option)."""
    doc = approve_document(open_workspace(str(repo)), proposal_id)
    assert doc["approved"] == proposal_id


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(name="002_b\nx", title="Setup")
@example(name="001 my plan", title="Data model: v2 (draft) ~ ^ :")
@example(name="-x.lock", title="\u00e9t\u00e9 \U0001f600")
@given(name=NAMES, title=TITLES)
def test_every_name_works_or_is_refused_clearly(
    name: str, title: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = Path(tempfile.mkdtemp(prefix="plansmith-fuzz-"))
    try:
        repo = root / "repo"
        (repo / "specs/plans").mkdir(parents=True)
        plan = repo / "specs/plans" / f"{name}.md"
        text = f"# Plan\n\n### Phase 1: {title}\n{GROWN}\n\n### Phase 2: Small\n- [ ] one\n"
        plan.write_bytes(text.encode("utf-8"))
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "plan")
        at = ["--repo", str(repo)]
        code, doc = plansmith(capsys, *at, "expand", str(plan), "phase", "1", "--yes")
        if code == 1:
            event(f"refused ({doc['error']['type']}): {doc['error']['message'].split(': ', 1)[-1][:60]}")
            return  # refused, clearly
        event("expanded, approved, collapsed, approved")
        approve(repo, doc["proposal"]["id"])
        folder = repo / "specs/plans" / name
        code, doc = plansmith(capsys, *at, "collapse", str(folder), "phase", "1", "--yes")
        assert code == 0, doc
        approve(repo, doc["proposal"]["id"])
        assert plan.read_bytes() == text.encode("utf-8")  # back, byte for byte
        assert not folder.exists()
    finally:
        shutil.rmtree(root, ignore_errors=True)
