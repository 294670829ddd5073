"""Tables for people at 100 columns (no row runs into the next), the choice of plain or rich, and the
plain text that scripts read, unchanged."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from rich.console import Console

from plansmith.git_backend.diffs import FileChange
from plansmith.git_backend.proposals import Proposal
from plansmith.plan.complexity import Analysis, Item, Thresholds
from plansmith.plan.ids import ItemId
from plansmith.plan.layout import build_plan, find_plans
from plansmith.plan.review import review_plan
from plansmith.terminal.dashboard import dashboard_view
from plansmith.terminal.display import choose_display, wants_plain
from plansmith.terminal.tables import (
    RICH_ROWS_MAX,
    age,
    analysis_view,
    config_view,
    proposals_view,
    review_view,
)
from plansmith.terminal.text import analysis_text, file_summary_text, proposal_line

REASONS = [f"risk: {word}" for word in ("migration", "security", "rollback", "performance")]
REASONS += ["16 tasks", "touches 16 files", "14 test requirements", "3 code blocks", "120 lines"]


def item(n: int, *, stage: int | None = None, expanded: bool = False) -> Item:
    ident = f"phase_{n}" if stage is None else f"phase_{n}_stage_{stage}"
    return Item(
        id=ident,
        kind="phase" if stage is None else "stage",
        phase=ItemId(n),
        stage=None if stage is None else ItemId(stage),
        title=f"A title that is long enough to need a second line in its column {n}",
        expanded=expanded,
        path="specs/plans/001_x.md",
        score=9.5,
        recommendation="expand" if not expanded else "keep",
        factors={},
        reasons=REASONS,
        value=9.5,
    )


ANALYSIS = Analysis(
    "specs/plans/001_x.md", 1, Thresholds(), (item(1), item(2, expanded=True), item(2, stage=1), item(3))
)


def render(renderable: object, width: int = 100) -> list[str]:
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None).print(renderable)
    return buffer.getvalue().splitlines()


@pytest.mark.parametrize("width", [100, 80, 120])
def test_analysis_rows_wrap_inside_their_columns(width: int) -> None:
    lines = render(analysis_view(ANALYSIS), width)
    assert all(len(line) <= width for line in lines)
    header = next(line for line in lines if line.startswith("ID "))
    title_at, score_at, reasons_at = (header.index(name) for name in ("TITLE", "SCORE", "REASONS"))
    body = lines[lines.index(header) + 2 : -1]  # below the rule, above the footnote
    firsts = [n for n, line in enumerate(body) if line[:title_at].strip()]
    assert [body[n][:title_at].split()[0] for n in firsts] == [
        "phase_1",
        "phase_2",
        "phase_2_stage_1",
        "phase_3",
    ]
    assert body[firsts[2]].startswith("  phase_2_stage_1")  # stages stay indented under their phase
    for n, line in enumerate(body):
        if n not in firsts:
            assert line[:title_at].strip() == "" and line[score_at:reasons_at].strip() == "", line
    for first, end in zip(firsts, [*firsts[1:], len(body)], strict=True):
        cell = " ".join(line[reasons_at:].strip() for line in body[first:end])
        assert cell == "; ".join(REASONS)  # every word, in its column, in order
    assert lines[-1] == "* expanded into its own file (scored on that file)"


def test_a_table_of_more_rows_than_rich_draws_quickly_is_the_plain_one() -> None:
    """Issue 18: rich measures every cell (minutes for 100,000 phases); past ``RICH_ROWS_MAX`` rows
    the terminal shows the plain table, line for line, and up to it the rich one."""
    many = Analysis("x.md", 0, Thresholds(), tuple(item(n) for n in range(1, RICH_ROWS_MAX + 2)))
    shown = render(analysis_view(many), 100)
    assert all(len(line) <= 100 for line in shown)
    assert "".join(shown) == "".join(analysis_text(many).splitlines())  # cut at 100 columns, nothing lost
    assert len(shown) > len(many.items) + 2  # the long lines take two rows
    fewer = Analysis("x.md", 0, Thresholds(), many.items[:RICH_ROWS_MAX])
    assert render(analysis_view(fewer), 100) != analysis_text(fewer).splitlines()


def test_an_empty_analysis_says_so() -> None:
    lines = render(analysis_view(Analysis("x.md", 0, Thresholds(), ())))
    assert lines[-1] == "no phases found"


def test_the_plain_table_is_the_one_scripts_always_read() -> None:
    text = analysis_text(ANALYSIS)
    lines = text.splitlines()
    assert lines[0] == "specs/plans/001_x.md (structure level 1; expand at >= 8.0, collapse at <= 4.0)"
    assert lines[1].split() == ["ID", "TITLE", "SCORE", "RECOMMENDATION", "REASONS"]
    # one line per row, however long: columns padded to their widest cell, the title cut at 36
    assert lines[2] == (
        "phase_1            A title that is long enough to need…    9.5  expand          "
        + "; ".join(REASONS)
    )
    assert lines[3].startswith("phase_2 *  ") and lines[4].startswith("  phase_2_stage_1")
    assert lines[-1] == "* expanded into its own file (scored on that file)" and len(lines) == 7


def test_review_view_lists_each_finding() -> None:
    files = {"specs/plans/001_x.md": "# X\n\n### Phase 1: A\n- [ ] a\n\n### Phase 2: B\n- [ ] b\n"}
    review = review_plan(build_plan(files, find_plans(files, "specs/plans")[0]), Thresholds())
    lines = render(review_view(review))
    assert lines[0] == "specs/plans/001_x.md: hierarchy review"
    assert lines[1].startswith("balance: ")
    assert any(line.startswith("still too complex") and "none" in line for line in lines)


PROPOSAL = Proposal(
    id="001_x",
    branch="plansmith/001_x",
    commit="c" * 40,
    plan="specs/plans/001_x.md",
    operation="expand",
    items=("phase_3",),
    base="b" * 40,
    base_branch="main",
    run="r",
    state="stale",
    created=1_000_000,
)


def test_proposals_show_their_age_and_state() -> None:
    lines = render(proposals_view([PROPOSAL], now=1_000_000 + 3 * 3600 + 5))
    row = next(line for line in lines if line.startswith("001_x"))
    assert row.split()[:5] == ["001_x", "stale", "3h", "expand", "phase_3"]
    assert render(proposals_view([], now=0)) == ["no open proposals"]
    assert proposal_line(PROPOSAL).split() == [
        "001_x",
        "stale",
        "expand",
        "phase_3",
        "branch",
        "plansmith/001_x",
        "base",
        "bbbbbbbbbb",
    ]
    assert [age(s) for s in (5, 125, 7200, 200_000)] == ["5s", "2m", "2h", "2d"]


def test_config_view_keeps_long_values_in_their_column() -> None:
    rows = [("agents.fake.command", ["python3", "/a/very/long/path/" + "x" * 80], "user config", "/home/u")]
    lines = render(config_view(rows, ["unknown key 'colour'"]), 80)
    assert all(len(line) <= 80 for line in lines)
    assert lines[-1] == "warning: unknown key 'colour'"
    value_at = lines[0].index("VALUE")
    continuation = [line for line in lines[2:-1] if not line.startswith("agents")]
    assert continuation and all(line[:value_at].strip() == "" for line in continuation)


def test_the_dashboard_reads_at_a_glance() -> None:
    now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    status = {
        "running": True,
        "pid": 4242,
        "started": "2026-12-04T10:00:00+00:00",
        "heartbeat": "2026-12-04T11:59:58+00:00",
        "phase": "idle",
        "pending": [{"plan": "001_x", "message": "phase 3 scores 9.1: a proposal to expand it follows"}],
        "last_runs": [
            {
                "time": "2026-12-04T11:50:00+00:00",
                "plan": "001_x",
                "trigger": "commit",
                "result": "expand: 1 of 1 succeeded (phase 3 → specs/plans/001_x/phase_3_db.md)",
                "proposal": "plansmith/001_x",
                "errors": [],
            }
        ],
        "errors": [{"time": "2026-12-04T11:00:00+00:00", "where": "watcher", "message": "queue overflow"}],
    }
    text = "\n".join(render(dashboard_view(status, [PROPOSAL], now=now), 120))
    assert "● running  pid 4242, up since 2h ago, heartbeat 2s ago" in text
    assert "001_x: phase 3 scores 9.1" in text
    assert "phase 3 → specs/plans/001_x/phase_3_db.md" in text
    assert "1h ago" in text and "watcher: queue overflow" in text
    proposals_row = next(line for line in text.splitlines() if "plansmith/001_x" in line and "stale" in line)
    assert "stale" in proposals_row
    idle = "\n".join(render(dashboard_view({"running": False}, [], now=now)))
    assert "○ not running" in idle and "none open" in idle and "nothing waiting" in idle


class FakeStream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("tty", "json_out", "quiet", "env", "rich"),
    [
        (True, False, False, {"TERM": "xterm"}, True),
        (False, False, False, {"TERM": "xterm"}, False),  # a pipe
        (True, True, False, {}, False),  # --json
        (True, False, True, {}, False),  # --quiet
        (True, False, False, {"NO_COLOR": "1"}, False),
        (True, False, False, {"NO_COLOR": ""}, True),  # set but empty does not count (no-color.org)
        (True, False, False, {"TERM": "dumb"}, False),
    ],
)
def test_rich_only_for_a_person_at_a_terminal(
    tty: bool, json_out: bool, quiet: bool, env: dict[str, str], rich: bool
) -> None:
    display = choose_display(json_out=json_out, quiet=quiet, stream=FakeStream(tty), env=env)
    assert display.rich is rich
    assert wants_plain(env) is (bool(env.get("NO_COLOR")) or env.get("TERM") == "dumb")


def test_file_summary_counts_like_git_diff_stat() -> None:
    changes = [
        FileChange("renamed", "specs/plans/001_x/001_x.md", "specs/plans/001_x.md", 7, 309, 59),
        FileChange("added", "specs/plans/001_x/phase_3_db.md", None, 88, 0),
    ]
    assert file_summary_text(changes) == (
        "files:\n"
        "  renamed  specs/plans/001_x.md → specs/plans/001_x/001_x.md  (59% similar, +7 -309)\n"
        "  added    specs/plans/001_x/phase_3_db.md  (+88)\n"
        "  2 files changed, 95 insertions(+), 309 deletions(-)\n"
    )
    assert file_summary_text([]) == "files: none changed\n"


def test_proposals_show_on_a_terminal_has_every_section_in_order() -> None:
    from plansmith.git_backend.proposal_details import ProposalDetails
    from plansmith.terminal.display import Display
    from plansmith.terminal.show import print_proposal

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    details = ProposalDetails(
        proposal=PROPOSAL,
        message="plansmith: expand phase 3 of 001_x\n\nbody\n",
        analysis=ANALYSIS,
        moves=["phase 3 → specs/plans/001_x/phase_3_db.md"],
        files=[FileChange("renamed", "specs/plans/001_x/001_x.md", "specs/plans/001_x.md", 2, 30, 40)],
        diff="diff --git a/x b/y\nrename from specs/plans/001_x.md\n"
        "rename to specs/plans/001_x/001_x.md\n-old\n+new",
    )
    print_proposal(Display(rich=True, stream=stream), details)
    raw = stream.getvalue()
    assert "\x1b[" in raw  # coloured
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", raw)
    order = ["proposal 001_x (stale)", "operations", "phase 3 → specs", "analysis before", "files", "renamed"]
    order += ["rename from specs/plans/001_x.md", "+new"]
    positions = [text.index(marker) for marker in order]
    assert positions == sorted(positions)
