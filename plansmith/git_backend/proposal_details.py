"""What ``proposals show`` presents about one proposal, as a value.

Gathered by :mod:`plansmith.commands.proposals` and printed by :mod:`plansmith.terminal.show`; it lives
here, beside the proposal and file-change values it holds, so that neither of those two modules has to
import the other. A plain value: it must not run git or hold any logic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from plansmith.git_backend.diffs import FileChange
    from plansmith.git_backend.proposals import Proposal
    from plansmith.plan.complexity import Analysis


@dataclass(frozen=True)
class ProposalDetails:
    """Everything ``proposals show`` presents. ``analysis`` is the plan's analysis at the proposal's
    base (None when that plan cannot be read any more); ``moves`` say where each item went."""

    proposal: Proposal
    message: str
    analysis: Analysis | None
    moves: list[str]
    files: list[FileChange]
    diff: str | None  # None: left out (``--stat``, or too large to read; ``diff_left_out`` says why)
    diff_left_out: str | None = None
