"""The dashboard as one Markdown document: every plan's state on one page (``plansmith dashboard``,
``plansmith ci --dashboard``).

Sections: open proposals (opened when, state, link), rejected content remembered, phases at or above
the expand threshold not proposed (and why), progress per plan (tasks done/total, and status drift
when the progress module provides it), radar findings, and a Mermaid picture of each active plan's
waves. Built from a :class:`DashboardData` value; it reads nothing and decides nothing.

The document depends only on the repository's state, never on the clock (times are dates of commits
and rejections, not "3h ago"): the same state gives the same bytes, so publishing it again changes
nothing (no new commit, no issue edit).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from plansmith.plan.collisions import Finding

TITLE = "plansmith dashboard"


@dataclass(frozen=True, slots=True)
class ProposalRow:
    id: str
    plan: str
    operation: str
    items: tuple[str, ...]
    state: str  # open | stale | edited
    opened: int  # the tip's commit time (seconds since the epoch)
    link: str  # a URL, or the branch name when there is no web page to link


@dataclass(frozen=True, slots=True)
class RejectionRow:
    plan: str
    proposal: str
    content_hash: str
    rejected_at: str  # ISO date as recorded ("" when unknown)


@dataclass(frozen=True, slots=True)
class WaitingItem:
    """A phase or stage at or above the expand threshold with no open proposal, and why."""

    plan: str
    item: str
    score: float
    why: str


@dataclass(frozen=True, slots=True)
class PlanProgressRow:
    plan: str
    path: str
    done: int
    total: int
    drift: str | None = None  # from plansmith.plan.progress when it exists; None: not known
    waves: str | None = None  # the Mermaid flowchart of an active plan's waves


@dataclass
class DashboardData:
    branch: str
    commit: str
    proposals: list[ProposalRow] = field(default_factory=list)
    rejections: list[RejectionRow] = field(default_factory=list)
    waiting: list[WaitingItem] = field(default_factory=list)
    plans: list[PlanProgressRow] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    drift_known: bool = False  # whether drift was computed at all (the progress module exists)


def render(data: DashboardData) -> str:
    """The whole document (ends with one newline)."""
    parts = [
        f"# {TITLE}\n\nPlans on `{data.branch}` at `{data.commit[:10]}`. Kept up to date by "
        "`plansmith ci --dashboard`; `plansmith dashboard` prints it locally. Edits here are overwritten.",
        _proposals(data.proposals),
        _rejections(data.rejections),
        _waiting(data.waiting),
        _progress(data.plans, data.drift_known),
        _findings(data.findings),
        _waves(data.plans),
    ]
    return "\n\n".join(parts) + "\n"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _date(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M UTC") if seconds else "unknown"


def _proposals(rows: Sequence[ProposalRow]) -> str:
    head = f"## Open proposals ({len(rows)})"
    if not rows:
        return f"{head}\n\nNone."
    table = [
        (
            f"`{r.id}`",
            f"`{r.plan}`",
            f"{r.operation} {', '.join(r.items)}".strip(),
            r.state,
            _date(r.opened),
            _link(r.link),
        )
        for r in sorted(rows, key=lambda r: r.id)
    ]
    return f"{head}\n\n" + _table(("proposal", "plan", "change", "state", "opened", "link"), table)


def _link(link: str) -> str:
    return f"[open]({link})" if link.startswith(("https://", "http://")) else f"`{link}`"


def _rejections(rows: Sequence[RejectionRow]) -> str:
    head = f"## Rejected content remembered ({len(rows)})"
    if not rows:
        return f"{head}\n\nNone."
    intro = "A proposal made from this content was deleted without being merged; it is not proposed again."
    table = [
        (
            f"`{r.plan}`",
            f"`{r.proposal}`",
            f"`{r.content_hash.removeprefix('sha256:')[:12]}`",
            r.rejected_at[:10],
        )
        for r in sorted(rows, key=lambda r: (r.plan, r.rejected_at, r.content_hash))
    ]
    return f"{head}\n\n{intro}\n\n" + _table(("plan", "proposal", "content", "rejected"), table)


def _waiting(rows: Sequence[WaitingItem]) -> str:
    head = f"## Complex phases not proposed ({len(rows)})"
    if not rows:
        return f"{head}\n\nNone: every phase at or above the expand threshold has an open proposal."
    table = [
        (f"`{r.plan}`", f"`{r.item}`", f"{r.score:.1f}", r.why)
        for r in sorted(rows, key=lambda r: (r.plan, r.item))
    ]
    return f"{head}\n\n" + _table(("plan", "item", "score", "why"), table)


def _progress(plans: Sequence[PlanProgressRow], drift_known: bool) -> str:
    head = f"## Progress ({len(plans)} plan{'' if len(plans) == 1 else 's'})"
    if not plans:
        return f"{head}\n\nNo plans on this branch."
    rows = []
    for p in sorted(plans, key=lambda p: p.plan):
        share = f" ({100 * p.done // p.total}%)" if p.total else ""
        row: list[object] = [f"`{p.plan}`", f"{p.done}/{p.total}{share}"]
        if drift_known:
            row.append(p.drift or "none")
        rows.append(row)
    header = ("plan", "tasks done", "status drift") if drift_known else ("plan", "tasks done")
    return f"{head}\n\n" + _table(header, rows)


def _findings(findings: Sequence[Finding]) -> str:
    head = f"## Collisions across branches ({len(findings)})"
    if not findings:
        return f"{head}\n\nNone: no two branches add the same plan number or id, or change the same phase."
    lines = [f"- **{f.kind}**: {_cell(f.message)}. {_cell(f.hint)}." for f in findings]
    return f"{head}\n\n" + "\n".join(lines)


def _waves(plans: Sequence[PlanProgressRow]) -> str:
    active = [p for p in sorted(plans, key=lambda p: p.plan) if p.waves]
    head = f"## Waves of the active plans ({len(active)})"
    if not active:
        return f"{head}\n\nNo plan has open tasks."
    blocks = [f"### `{p.plan}`\n\n```mermaid\n{p.waves.rstrip()}\n```" for p in active if p.waves]
    return f"{head}\n\n" + "\n\n".join(blocks)
