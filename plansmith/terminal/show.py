"""``plansmith proposals show ID`` for people: what the proposal does, the analysis that led to it, the
files it changes and the diff, with renames shown as renames.

Plain text (pipes, ``--quiet``, ``NO_COLOR``) and the same sections in colour on a terminal. The
details come from :func:`plansmith.commands.proposals.proposal_details`; nothing here runs git.
It must not compute proposal details itself: it only prints them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from plansmith.git_backend.messages import describe_items
from plansmith.terminal.text import analysis_text, change_counts, change_label, file_summary_text, totals

if TYPE_CHECKING:
    from rich.text import Text

    from plansmith.git_backend.proposal_details import ProposalDetails
    from plansmith.terminal.display import Display

# Longest prefix first: "+++" is a header, "+" an added line.
DIFF_STYLES = (
    ("diff --git", "bold"),
    ("rename from", "bold yellow"),
    ("rename to", "bold yellow"),
    ("similarity index", "yellow"),
    ("new file mode", "bold green"),
    ("deleted file mode", "bold red"),
    ("+++", "bold"),
    ("---", "bold"),
    ("@@", "cyan"),
    ("+", "green"),
    ("-", "red"),
)
STATUS_STYLES = {"renamed": "yellow", "added": "green", "deleted": "red", "modified": "blue"}


def header_lines(details: ProposalDetails) -> list[str]:
    p = details.proposal
    subject = details.message.split("\n", 1)[0]
    return [
        f"proposal {p.id} ({p.state}): {subject}",
        f"branch {p.branch} at {p.commit[:10]}, base {p.base_branch} at {p.base[:10]}",
    ]


def operation_lines(details: ProposalDetails) -> list[str]:
    """What moved where (``phase 3 → specs/plans/001_x/phase_3_db.md``), or the operation and items."""
    if details.moves:
        return details.moves
    p = details.proposal
    return [f"{p.operation} {describe_items(p.items)}".strip()]


def plain_text(details: ProposalDetails) -> str:
    parts = ["\n".join(header_lines(details))]
    parts.append("operations:\n" + "".join(f"  {line}\n" for line in operation_lines(details)).rstrip("\n"))
    if details.analysis is not None:
        parts.append("analysis before the change:\n" + analysis_text(details.analysis).rstrip("\n"))
    parts.append(file_summary_text(details.files).rstrip("\n"))
    if details.diff is None:
        return "\n\n".join(parts) + f"\n\n{details.diff_left_out}\n"
    return "\n\n".join(parts) + "\n\n" + details.diff + ("\n" if details.diff else "")


def print_proposal(display: Display, details: ProposalDetails) -> None:
    if not display.rich:
        display.out.write(plain_text(details))
        return
    from rich.console import Group
    from rich.text import Text

    # lazy: rich, only for a terminal that shows it
    from plansmith.terminal.tables import analysis_view

    console = display.console()
    head, where = header_lines(details)
    console.print(Text(head, style="bold"), Text(where, style="dim"), sep="\n")
    console.print(Text("\noperations", style="bold underline"))
    for line in operation_lines(details):
        console.print(Text("  " + line), soft_wrap=True)
    if details.analysis is not None:
        console.print(Text("\nanalysis before the change", style="bold underline"))
        console.print(analysis_view(details.analysis))
    console.print(Group(Text("\nfiles", style="bold underline"), _files_view(details)))
    console.print()
    if details.diff is None:
        console.print(Text(details.diff_left_out or "", style="dim"), soft_wrap=True)
        return
    console.print(diff_text(details.diff), soft_wrap=True)


def _files_view(details: ProposalDetails) -> Text:
    from rich.text import Text

    out = Text()
    width = max((len(c.status) for c in details.files), default=0)
    for change in details.files:
        out.append(f"  {change.status:<{width}}  ", style=STATUS_STYLES.get(change.status, ""))
        out.append(change_label(change))
        out.append(f"  ({change_counts(change)})\n", style="dim")
    out.append("  " + totals(details.files) if details.files else "  none changed")
    return out


def diff_text(diff: str) -> Text:
    """The diff coloured line by line (no markup is read from it: plan text is data)."""
    from rich.text import Text

    out = Text()
    for line in diff.splitlines():
        style = next((s for prefix, s in DIFF_STYLES if line.startswith(prefix)), "")
        out.append(line + "\n", style=style)
    return out
