"""``plansmith status`` on a terminal: one screen to read at a glance.

Daemon state, uncommitted analyses waiting for a commit, open proposals with their age and state, the
last runs and the last errors, each a labelled block. Built from the ``status --json`` document
(the daemon's state, ``docs/daemon.md``) and the proposals; it reads nothing and runs nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from plansmith.terminal.tables import STATE_STYLE, age, new_table

if TYPE_CHECKING:
    from plansmith.git_backend.proposals import Proposal

MAX_RUNS, MAX_ERRORS = 5, 5


def since(stamp: object, now: datetime) -> str:
    """An ISO time stamp as ``3m ago`` (the stamp itself when it cannot be read)."""
    if not isinstance(stamp, str) or not stamp:
        return "never"
    try:
        then = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if then.tzinfo is None:
        then = then.replace(tzinfo=UTC)
    return f"{age((now - then).total_seconds())} ago"


def daemon_line(status: Mapping[str, Any], now: datetime) -> Text:
    if status.get("running"):
        return Text.assemble(
            ("● running", "bold green"),
            f"  pid {status.get('pid')}, up since {since(status.get('started'), now)}, "
            f"heartbeat {since(status.get('heartbeat'), now)}",
            (f"  ({status['phase']})" if status.get("phase") else "", "dim"),
        )
    seen = status.get("last_seen")
    text = f"  last seen {since(seen, now)}" if seen else "  never ran here"
    return Text.assemble(("○ not running", "bold yellow"), text, ("  (start it: plansmith daemon)", "dim"))


def dashboard_view(
    status: Mapping[str, Any], found: Sequence[Proposal], now: datetime | None = None
) -> RenderableType:
    """The whole dashboard; ``now`` for tests (default: the current time)."""
    at = now or datetime.now(UTC)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row("daemon", daemon_line(status, at))
    pending = status.get("pending") or []
    grid.add_row(
        "pending", _pending(pending) if pending else Text("nothing waiting for a commit", style="dim")
    )
    grid.add_row("proposals", _proposals(found, at.timestamp()) if found else Text("none open", style="dim"))
    runs = status.get("last_runs") or []
    grid.add_row("last runs", _runs(runs[:MAX_RUNS], at) if runs else Text("none yet", style="dim"))
    errors = status.get("errors") or []
    grid.add_row("errors", _errors(errors[:MAX_ERRORS], at) if errors else Text("none", style="green"))
    return Group(Text("plansmith status", style="bold underline"), grid)


def _pending(pending: Sequence[Mapping[str, Any]]) -> RenderableType:
    return Group(*(Text.assemble((f"{p.get('plan')}: ", "bold"), str(p.get("message"))) for p in pending))


def _proposals(found: Sequence[Proposal], now: float) -> RenderableType:
    table = new_table("ID", "STATE", "AGE", "DOES", "BRANCH")
    for column in table.columns[:3]:
        column.no_wrap = True
    for p in found:
        table.add_row(
            p.id,
            Text(p.state, style=STATE_STYLE.get(p.state, "")),
            age(now - p.created) if p.created else "?",
            f"{p.operation} {', '.join(p.items)}".strip(),
            p.branch,
        )
    return table


def _runs(runs: Sequence[Mapping[str, Any]], now: datetime) -> RenderableType:
    table = new_table("WHEN", "PLAN", "TRIGGER", "RESULT")
    table.columns[0].no_wrap = True
    for r in runs:
        result = Text(str(r.get("result")))
        if r.get("proposal"):
            result.append(f" → {r['proposal']}", style="cyan")
        for error in r.get("errors") or []:
            result.append(f"\nerror: {error}", style="red")
        table.add_row(
            since(r.get("time"), now), r.get("plan") or "(all plans)", str(r.get("trigger")), result
        )
    return table


def _errors(errors: Sequence[Mapping[str, Any]], now: datetime) -> RenderableType:
    return Group(
        *(
            Text.assemble(
                (f"{since(e.get('time'), now)}  ", "dim"),
                (f"{e.get('where')}: ", "bold"),
                str(e.get("message")),
                style="red",
            )
            for e in errors
        )
    )
