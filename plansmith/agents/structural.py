"""The built-in structural agent: used when no agent is configured. It adds nothing creative."""

from __future__ import annotations

from plansmith.agents.base import AgentRequest, AgentResult
from plansmith.config import Role


class StructuralAgent:
    """Does no elaboration: the structural result (text moved as it is) stands; estimates come from the
    built-in estimator. Never fails, never runs a program."""

    name = "structural"

    def supports(self, role: Role) -> bool:
        return True

    def run(self, request: AgentRequest) -> AgentResult:
        return AgentResult(agent=self.name, role=request.role, status="success", elaborated=False)
