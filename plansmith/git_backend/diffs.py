"""What a proposal changes, for people: its diff and its files, with renames shown as renames.

Expanding a level-0 plan moves its main file into the plan's folder (``x.md`` -> ``x/x.md``) while the
expanded phases leave it; git's rename detection alone would often call that a deleted and a new file.
Moves into a folder of one's own (and back) are known from the names, so they are diffed as pairs of
their own; everything else gets git's default rename detection. Reads only; writes nothing.
It must not write objects, refs or the working tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Literal

from plansmith.git_backend.cmd import GitResult, git
from plansmith.git_backend.repo import RepoPaths, rev_parse

if TYPE_CHECKING:
    from plansmith.git_backend.proposals import Proposal

# Rename detection for what a proposal shows. Expanding a level-0 plan moves its main file into the
# plan's folder and takes the expanded phases out of it; collapsing the last one moves it back (phase
# files likewise, for stages). Such a move is known from the names, so it is diffed as a pair of its own
# at any similarity: with two of three phases moved out, a real plan kept 24% of its text, below git's
# 50% default, and git's own search matched the old main file with a phase file instead (40%). The
# other files get git's default rename detection.
FIND_RENAMES = "--find-renames"
PAIR_RENAME = "--find-renames=1%"
ChangeStatus = Literal["added", "modified", "deleted", "renamed", "copied", "type-changed"]
_STATUS: dict[str, ChangeStatus] = {
    "A": "added",
    "M": "modified",
    "D": "deleted",
    "R": "renamed",
    "C": "copied",
    "T": "type-changed",
}


@dataclass(frozen=True, slots=True)
class FileChange:
    """One file of a proposal's diff, as ``git diff --stat -M`` would count it."""

    status: ChangeStatus
    path: str  # the path on the proposal's side (the new name of a renamed file)
    old_path: str | None  # renamed or copied from
    added: int
    deleted: int
    similarity: int | None = None  # percent, for renames and copies
    binary: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "status": self.status,
            "path": self.path,
            "old_path": self.old_path,
            "added": self.added,
            "deleted": self.deleted,
            "similarity": self.similarity,
            "binary": self.binary,
        }


def _compared(repo: RepoPaths, proposal: Proposal) -> str:
    """``<base>...<tip>``: what approving would bring, relative to where the branches met."""
    base = rev_parse(repo, f"refs/heads/{proposal.base_branch}") or proposal.base
    return f"{base}...{proposal.commit}"


def folder_move(path: str) -> str:
    """Where a plan or phase file goes when it becomes (or stops being) the main file of a folder of
    its own: ``specs/plans/x.md`` <-> ``specs/plans/x/x.md`` (likewise ``phase_2_db.md`` when its
    stages are expanded)."""
    p = PurePosixPath(path)
    if p.parent.name == p.stem:
        return str(p.parent.parent / p.name)
    return str(p.parent / p.stem / p.name)


def _folder_moves(repo: RepoPaths, compared: str) -> list[tuple[str, str]]:
    """``(old, new)`` for every file the proposal moves into a folder of its own or back out of it."""
    fields = _split_z(git(["diff", "--name-status", "-z", "--no-renames", compared], cwd=repo.worktree))
    codes = dict(zip(fields[1::2], fields[0::2], strict=False))
    return [
        (path, folder_move(path))
        for path, code in codes.items()
        if code == "D" and path.endswith(".md") and codes.get(folder_move(path)) == "A"
    ]


def _literal(path: str) -> str:
    return f":(top,literal){path}"


def _diff_runs(repo: RepoPaths, proposal: Proposal, options: list[str]) -> list[GitResult]:
    """``git diff OPTIONS <base>...<tip>``: each move into or out of a folder as a pair of its own first
    (a rename at any similarity), then every other file with git's own rename detection."""
    compared = _compared(repo, proposal)
    moves = _folder_moves(repo, compared)
    runs = [
        git(["diff", *options, PAIR_RENAME, compared, "--", _literal(old), _literal(new)], cwd=repo.worktree)
        for old, new in moves
    ]
    rest = [f":(top,literal,exclude){path}" for pair in moves for path in pair]
    runs.append(git(["diff", *options, FIND_RENAMES, compared, "--", *rest], cwd=repo.worktree))
    return runs


def diff_text(repo: RepoPaths, proposal: Proposal) -> str:
    """What approving would bring, with renames detected, so that a main plan moving into its folder
    reads as ``rename from``/``rename to`` and the few changed lines, not as a deleted and a new file."""
    runs = _diff_runs(repo, proposal, ["--no-color", "--no-ext-diff"])
    return "\n".join(run.out for run in runs if run.out)


def changed_files(repo: RepoPaths, proposal: Proposal) -> list[FileChange]:
    """The files the proposal changes (renames detected as in :func:`diff_text`), with their line counts."""
    statuses = [f for run in _diff_runs(repo, proposal, ["--name-status", "-z"]) for f in _split_z(run)]
    counts = [f for run in _diff_runs(repo, proposal, ["--numstat", "-z"]) for f in _split_z(run)]
    lines = _line_counts(counts)
    changes: list[FileChange] = []
    i = 0
    while i < len(statuses):
        code = statuses[i]
        old: str | None = None
        if code[:1] in ("R", "C"):
            old, path, i = statuses[i + 1], statuses[i + 2], i + 3
        else:
            path, i = statuses[i + 1], i + 2
        plus, minus, binary = lines.get(path, (0, 0, False))
        similarity = int(code[1:]) if old is not None and code[1:].isdigit() else None
        status = _STATUS.get(code[:1], "modified")
        changes.append(FileChange(status, path, old, plus, minus, similarity, binary))
    return changes


def _line_counts(fields: list[str]) -> dict[str, tuple[int, int, bool]]:
    """``git diff --numstat -z`` fields -> {path: (added, deleted, binary)}."""
    lines: dict[str, tuple[int, int, bool]] = {}
    i = 0
    while i < len(fields):
        added, deleted, path = fields[i].split("\t", 2)
        if not path:  # a rename or copy: "added TAB deleted TAB" NUL old NUL new
            path, i = fields[i + 2], i + 3
        else:
            i += 1
        binary = added == "-"
        lines[path] = (0 if binary else int(added), 0 if binary else int(deleted), binary)
    return lines


def _split_z(result: GitResult) -> list[str]:
    return [f for f in result.stdout.decode("utf-8", "surrogateescape").split("\0") if f]
