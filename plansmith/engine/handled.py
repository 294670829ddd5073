"""The handled-digest memory: per base branch and plan, the content hash handled last.

The daemon keeps it in its state folder (``handled.json``), CI in the remote's memory document; both
ask :func:`plansmith.engine.decisions.decide` with it, so they decide alike. This is the one value
both use; it must not read or write files (its owners do, at the edge).
"""

from __future__ import annotations

from collections.abc import Iterable


class HandledDigests(dict[str, dict[str, str]]):
    """``{base branch: {plan id: content hash}}``; a plain mapping on the wire (JSON as it is)."""

    @classmethod
    def from_json(cls, data: object) -> HandledDigests:
        """Only entries of the documented shape are kept (anyone who may write the file may write it)."""
        kept = cls()
        for branch, plans in data.items() if isinstance(data, dict) else ():
            if isinstance(branch, str) and isinstance(plans, dict):
                entries = {p: d for p, d in plans.items() if isinstance(p, str) and isinstance(d, str)}
                if entries:
                    kept[branch] = entries
        return kept

    def digest(self, base_branch: str, plan: str) -> str | None:
        return self.get(base_branch, {}).get(plan)

    def remember(self, base_branch: str, plan: str, digest: str) -> None:
        self.setdefault(base_branch, {})[plan] = digest

    def forget(self, plans: Iterable[str]) -> None:
        """Forget ``plans`` on every base branch, so that they are looked at again."""
        for plan in plans:
            for by_plan in self.values():
                by_plan.pop(plan, None)
