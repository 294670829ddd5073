"""The prose of a run's events: the very lines the engine used to write, now drawn from values.

Scripts and the tests of the commands read these lines, so each event's text is pinned here byte for
byte; the report of a finished run and the plan of an orchestrate run are checked whole.
"""

from __future__ import annotations

import pytest

from plansmith.render.run_prose import orchestrate_plan, run_event_text
from plansmith.run_events import (
    AgentWarned,
    ItemReported,
    LeftAlone,
    NothingChanged,
    NothingToDo,
    OrchestrateFinished,
    OrchestratePlanned,
    Planned,
    ProposalMade,
    RunEvent,
    RunFinished,
    SecondRoundStarted,
    SkippedRejected,
    StepPlanned,
    StepRecorded,
    UncommittedLeftOut,
    WouldChange,
    ends_a_round,
    is_warning,
)

PROPOSAL = ProposalMade("001_feature", "plansmith/001_feature", "0123456789abcdef")
APPROVE = "  approve: plansmith proposals approve 001_feature   (or: git merge plansmith/001_feature)\n"
REJECT = "  reject:  plansmith proposals reject 001_feature    (or: git branch -D plansmith/001_feature)\n"

LINES: list[tuple[RunEvent, str]] = [
    (LeftAlone("phase_2: collapsed by a person"), "left alone: phase_2: collapsed by a person\n"),
    (NothingToDo("expand", "specs/plans/001_x.md"), "nothing to expand in specs/plans/001_x.md\n"),
    (SkippedRejected("p.md", "rejected before"), "skipped p.md: rejected before\n"),
    (
        UncommittedLeftOut(("a.md", "b.md", "c.md", "d.md")),
        "plansmith: warning: uncommitted changes in a.md, b.md, c.md are not included; "
        "the proposal is made from the committed plan\n",
    ),
    (Planned("collapse", ("phase_3_stage_1", "phase_3")), "\ncollapse: phase_3_stage_1, phase_3\n"),
    (
        WouldChange("created", "specs/plans/001_x/phase_2.md"),
        "  would be created: specs/plans/001_x/phase_2.md\n",
    ),
    (NothingChanged(), "nothing changed\n"),
    (NothingChanged(dry_run=True), "dry run: nothing was changed\n"),
    (SecondRoundStarted(("phase_2_stage_1",)), "second round: phase_2_stage_1\n"),
    (
        AgentWarned("phase_2", "kept the structural result"),
        "plansmith: warning: phase_2: kept the structural result\n",
    ),
    (StepRecorded("research", "success"), "  ok      research\n"),
    (StepRecorded("plan", "failed", "the agent gave up"), "  FAILED  plan: the agent gave up\n"),
    (
        OrchestrateFinished("specs/plans/002_y.md", None),
        "\nplan: specs/plans/002_y.md\nno proposal was made\n",
    ),
    (
        OrchestrateFinished("specs/plans/002_y.md", PROPOSAL),
        "\nplan: specs/plans/002_y.md\nproposal 001_feature on branch plansmith/001_feature (0123456789)\n"
        + APPROVE
        + REJECT,
    ),
]


@pytest.mark.parametrize(("event", "text"), LINES, ids=lambda value: type(value).__name__)
def test_each_event_reads_as_the_line_the_engine_wrote(event: RunEvent, text: str) -> None:
    assert run_event_text(event) == text


def test_a_finished_run_lists_its_items_then_the_proposal_and_what_to_do_with_it() -> None:
    items = (
        ItemReported("phase_2", "expand", "success"),
        ItemReported("phase_3", "expand", "failed", "the result did not validate"),
        ItemReported("phase_4", "expand", "skipped"),
    )
    finished = RunFinished(items, PROPOSAL, moves=("phase 2 → specs/plans/001_feature/phase_2_large.md",))
    assert run_event_text(finished) == (
        "  ok      expand phase_2\n"
        "  FAILED  expand phase_3: the result did not validate\n"
        "  skipped expand phase_4\n"
        "\nproposal 001_feature on branch plansmith/001_feature (0123456789)\n"
        "  phase 2 → specs/plans/001_feature/phase_2_large.md\n" + APPROVE + REJECT
    )
    merged = RunFinished(items[:1], PROPOSAL, merged=True)
    assert run_event_text(merged).endswith("(0123456789)\nmerged into the current branch\n")
    assert run_event_text(RunFinished(items[1:2], None)).endswith(
        ": the result did not validate\nno proposal was made\n"
    )


def test_the_orchestrate_plan_names_each_wave_and_how_each_step_runs() -> None:
    planned = OrchestratePlanned(
        plan_name="002_login_page",
        run="abc123",
        agent="fake",
        resumed=True,
        done_steps=("research",),
        waves=(
            (StepPlanned("research", "research", done="success"),),
            (StepPlanned("plan", "plan"),),
            (StepPlanned("expand", "expand"),),
            (
                StepPlanned("implement_phase_1", "implement", "1"),
                StepPlanned("review", "research", missing="no role"),
            ),
        ),
        expand_above=7.0,
        phases="the first phase",
        implement_missing=None,
    )
    assert orchestrate_plan(planned) == "\n".join(
        [
            "orchestrate 002_login_page (run abc123, agent 'fake')",
            "resuming from the last checkpoint; steps done: research",
            "  wave 1: research: done (success)",
            "  wave 2: plan: the agent, else the template planner",
            "  wave 3: expand: expand the phases scoring above 7.0",
            "  wave 4: implement_phase_1 (the agent on phase 1, in a worktree of its own), "
            "review (skipped: no role)",
            "  then implement the first phase, wave by wave of the plan: "
            "the agent, each phase in a worktree of its own",
        ]
    )
    alone = OrchestratePlanned(
        "002_x",
        "r",
        None,
        False,
        (),
        ((StepPlanned("plan", "plan", missing="m"),),),
        7.0,
        "every phase",
        "no agent",
    )
    assert run_event_text(alone) == (
        "orchestrate 002_x (run r, no agent)\n  wave 1: plan: the template planner\n"
        "  then implement every phase, wave by wave of the plan: skipped: no agent\n"
    )


def test_the_round_ends_and_the_warnings_are_named_by_the_events_themselves() -> None:
    ends = [event for event, _ in LINES if ends_a_round(event)]
    assert {type(e) for e in ends} == {SecondRoundStarted, OrchestrateFinished}
    assert ends_a_round(RunFinished((), None)) and not ends_a_round(StepRecorded("plan", "success"))
    assert {type(e) for e, _ in LINES if is_warning(e)} == {UncommittedLeftOut, AgentWarned}
