"""``plansmith orchestrate``: a workflow of agent steps that ends in one proposal branch.

The package is split by concern: :mod:`.workflow` (the steps and their waves, which phases to
implement: pure), :mod:`.state` (request, results, the saved run state), :mod:`.steps` (what each
step does), :mod:`.combine` (a wave's implement commits on one line) and :mod:`.run` (the run: waves,
checkpoints, resume, the proposal). Nothing here writes the user's working tree, index, HEAD or branches.
It must not hold logic of its own: it only re-exports.
"""

from __future__ import annotations

from plansmith.engine.orchestrate.run import run_orchestrate
from plansmith.engine.orchestrate.state import OrchestrateOutcome, OrchestrateRequest, RunState, StepResult
from plansmith.engine.orchestrate.workflow import (
    NEEDS_AGENT,
    PhaseSelection,
    StepSpec,
    parse_phases,
    research_path,
    run_key,
)

__all__ = [
    "NEEDS_AGENT",
    "OrchestrateOutcome",
    "OrchestrateRequest",
    "PhaseSelection",
    "RunState",
    "StepResult",
    "StepSpec",
    "parse_phases",
    "research_path",
    "run_key",
    "run_orchestrate",
]
