"""What a person sees, through a real pseudo-terminal: live progress while slow agents run, tables that
fit 100 columns, and plain output (no escape codes) for pipes, ``NO_COLOR`` and ``--quiet``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .pty_run import ESCAPE, run_in_pty, strip, terminal_env

FAKE = Path(__file__).resolve().parent.parent / "agents" / "fake_agents" / "fake_agent.py"
TASKS = "\n".join(f"- [ ] step {n} in `src/m{n}.py` with a migration and security review" for n in range(16))
PLAN = "# Plan\n\n" + "".join(f"### Phase {n}: Part {n}\n{TASKS}\n\n" for n in range(1, 4))
PATH = "specs/plans/001_feature.md"
AGENT_SECONDS = 2.0
EXPAND = ["expand", PATH, "--auto-analysis", "--agent", "slow", "--yes"]
RUNNING = re.compile(r"(phase_\d)\s+running (\d+\.\d)s")
SUMMARY = re.compile(r"Completed in (\d+\.\d)s \(vs (\d+\.\d)s sequential\)")


@pytest.fixture
def repo(make_repo, isolated_home: Path) -> Path:  # type: ignore[no-untyped-def]
    config = isolated_home / ".config" / "plansmith" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, str(FAKE), "sleep", str(AGENT_SECONDS)]
    config.write_text(
        f"[agents.slow]\ncommand = {json.dumps(command)}\n"
        'timeout_s = 60\nmax_attempts = 2\ntools = ["Read", "Write"]\n'
    )
    root: Path = make_repo({PATH: PLAN})
    return root


def test_expand_with_slow_agents_shows_each_operation_live_then_the_summary(repo: Path) -> None:
    screen = run_in_pty(EXPAND, repo)
    assert screen.returncode == 0, screen.text
    text = screen.text
    # One line per operation while the agents run, the elapsed time ticking.
    running = [(at, m) for at, chunk in screen.chunks for m in RUNNING.finditer(strip(chunk))]
    assert {m.group(1) for _, m in running} == {"phase_1", "phase_2", "phase_3"}
    elapsed = {float(m.group(2)) for _, m in running}
    assert len(elapsed) >= 4 and max(elapsed) >= 1.0, sorted(elapsed)
    # ... and they reached the screen while the agents ran, not at the end.
    first_running = min(at for at, _ in running)
    assert screen.duration - first_running >= AGENT_SECONDS * 0.75
    frames = {strip(chunk) for at, chunk in screen.chunks if first_running <= at}
    assert len(frames) >= 5  # the screen changed again and again
    # The live part ends with the final lines and the summary, wall time well under the sequential sum.
    summary = SUMMARY.search(text)
    assert summary is not None, text
    wall, sequential = float(summary.group(1)), float(summary.group(2))
    assert sequential >= 3 * AGENT_SECONDS * 0.9 and wall < sequential
    assert text.rindex("running ") < summary.start()
    assert all(f"✓ phase_{n}" in text[: summary.start()] for n in (1, 2, 3))
    # Then the proposal, as before.
    assert "proposal 001_feature on branch plansmith/001_feature" in text[summary.end() :]
    assert "phase 1 → specs/plans/001_feature/phase_1_part_1.md" in text
    assert "\x1b[" in screen.raw  # it was drawn, with colour


def test_the_same_command_piped_prints_only_plain_lines(repo: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "plansmith", *EXPAND],
        cwd=repo,
        env=terminal_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "\r" not in result.stdout
    assert "Completed in" not in result.stdout and "running" not in result.stdout
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{PATH} (structure level 0")
    assert "expand: phase_1, phase_2, phase_3" in lines
    assert [line for line in lines if line.startswith("  ok")] == [
        f"  ok      expand phase_{n}" for n in (1, 2, 3)
    ]


@pytest.mark.parametrize(
    ("flags", "env"), [([], {"NO_COLOR": "1"}), (["--quiet"], {}), ([], {"TERM": "dumb"})], ids=str
)
def test_no_color_quiet_and_dumb_terminals_get_the_plain_output(
    repo: Path, flags: list[str], env: dict[str, str]
) -> None:
    screen = run_in_pty([*EXPAND, *flags], repo, env=terminal_env(env))
    assert screen.returncode == 0, screen.text
    assert ESCAPE.search(screen.raw) is None, repr(screen.raw[:300])
    assert "running" not in screen.text and "Completed in" not in screen.text
    assert "  ok      expand phase_3" in screen.text


def _reasons_plan() -> str:
    # Long reasons: many risk terms, files and test requirements, so the REASONS cell needs several lines.
    lines = [
        f"- [ ] migrate `src/db/table_{n}.py`, check security, rollback, performance, compatibility; "
        "test: unit, integration, e2e"
        for n in range(14)
    ]
    body = "\n".join(lines)
    phases = [f"### Phase {n}: A rather long title for phase number {n}\n{body}\n\n" for n in (1, 2)]
    return "# Wide\n\n" + "".join(phases)


def test_the_analysis_table_fits_100_columns_in_a_terminal(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo({"specs/plans/002_wide.md": _reasons_plan()})
    screen = run_in_pty(["analyze", "specs/plans/002_wide.md"], repo, cols=100)
    assert screen.returncode == 0, screen.text
    lines = screen.text.splitlines()
    assert all(len(line.rstrip()) <= 100 for line in lines), max(lines, key=len)
    header = next(line for line in lines if line.startswith("ID "))
    title_at, score_at, reasons_at = (header.index(name) for name in ("TITLE", "SCORE", "REASONS"))
    rows = lines[lines.index(header) + 2 :]
    starts = [n for n, line in enumerate(rows) if line.startswith("phase_")]
    assert len(starts) == 2 and starts[1] - starts[0] > 2  # each row took several lines ...
    for line in rows[starts[0] :]:
        if line.strip() and not line.startswith("phase_"):
            # ... and a continuation line holds only the rest of the title and of the reasons, each in
            # its own column: nothing in the ID, SCORE and RECOMMENDATION columns.
            assert line[:title_at].strip() == "", line
            assert line[score_at:reasons_at].strip() == "", line
    reasons = " ".join(line[reasons_at:].strip() for line in rows if line.strip())
    assert "risk: migration; risk: security; risk: rollback" in reasons and "14 tasks" in reasons
