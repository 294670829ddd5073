"""The dashboard document (plansmith.render.dashboard_markdown), pure: the same values give the same
bytes (what makes publishing idempotent), cells cannot break the tables, each section says when empty."""

from __future__ import annotations

from plansmith.plan.collisions import Finding
from plansmith.render.dashboard_markdown import (
    DashboardData,
    PlanProgressRow,
    ProposalRow,
    RejectionRow,
    WaitingItem,
    render,
)


def _data() -> DashboardData:
    return DashboardData(
        "main",
        "a" * 40,
        proposals=[
            ProposalRow(
                "001_x",
                "specs/plans/001_x.md",
                "expand",
                ("phase_2",),
                "open",
                1_800_000_000,
                "plansmith/001_x",
            )
        ],
        rejections=[
            RejectionRow("specs/plans/002_y.md", "002_y", "sha256:" + "b" * 64, "2026-12-01T10:00:00+00:00")
        ],
        waiting=[WaitingItem("002_y", "phase_3", 9.25, "rejected | twice")],
        plans=[
            PlanProgressRow("001_x", "specs/plans/001_x.md", 3, 4, None, 'flowchart TB\n    n1["Phase 1"]\n')
        ],
        findings=[
            Finding(
                "same-phase",
                ("a", "b"),
                "001_x",
                "phase_2",
                (),
                "a and b both change phase_2 of 001_x",
                "agree",
            )
        ],
    )


def test_the_same_state_gives_the_same_bytes() -> None:
    assert render(_data()) == render(_data())


def test_every_section_is_there_with_its_rows() -> None:
    text = render(_data())
    assert text.startswith("# plansmith dashboard\n") and text.endswith("```\n")
    assert (
        "| `001_x` | `specs/plans/001_x.md` | expand phase_2 | open | 2027-01-15 08:00 UTC "
        "| `plansmith/001_x` |" in text
    )
    assert "| `specs/plans/002_y.md` | `002_y` | `bbbbbbbbbbbb` | 2026-12-01 |" in text
    assert "| `002_y` | `phase_3` | 9.2 | rejected \\| twice |" in text  # a pipe cannot split the cell
    assert "| `001_x` | 3/4 (75%) |" in text and "status drift" not in text
    assert "- **same-phase**: a and b both change phase_2 of 001_x. agree." in text
    assert "### `001_x`\n\n```mermaid\nflowchart TB\n" in text


def test_drift_shows_when_the_progress_module_gave_it() -> None:
    data = _data()
    data.drift_known = True
    data.plans = [
        PlanProgressRow("001_x", "specs/plans/001_x.md", 4, 4, "phase 2 says IN PROGRESS, all done")
    ]
    text = render(data)
    assert "| plan | tasks done | status drift |" in text and "phase 2 says IN PROGRESS, all done" in text
    assert "No plan has open tasks." in text


def test_an_empty_repository_reads_as_such() -> None:
    text = render(DashboardData("main", "c" * 40))
    for line in ("## Open proposals (0)\n\nNone.", "## Progress (0 plans)\n\nNo plans on this branch."):
        assert line in text
