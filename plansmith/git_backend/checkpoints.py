"""Checkpoints: named, verifiable points of the scratch worktree to roll back to.

A checkpoint is three things that must agree: a commit, the ref ``refs/plansmith/checkpoints/<id>``
pointing at it (which also keeps the commit safe from ``git gc``), and a JSON record
``<common git dir>/plansmith/checkpoints/<id>.json`` saying what it was for. The ref is created first
with a compare-and-swap against "does not exist", so two processes can never claim the same id; the
record is written atomically after it. A crash in between leaves a ref without a record, which
:func:`validate_all` reports.

Policy (carried out by the engine): a run takes a checkpoint before it changes anything, restores it
when an operation fails, deletes it after success, and keeps it after a failure so that the user can
inspect and restore it (``plansmith checkpoints list|validate|restore``).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from plansmith.errors import CheckpointError, GitError, UnknownCheckpointError
from plansmith.git_backend.cmd import git
from plansmith.git_backend.objects import is_oid
from plansmith.git_backend.repo import ZERO_OID, RepoPaths, resolve_commit, rev_parse
from plansmith.git_backend.session import session_for
from plansmith.git_backend.state_files import read_json, write_json_atomic
from plansmith.git_backend.worktree import ScratchWorktree

REF_PREFIX = "refs/plansmith/checkpoints/"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    id: str
    plan: str
    operation: str
    items: tuple[str, ...]
    base: str
    commit: str
    tree: str
    created: str

    @property
    def ref(self) -> str:
        return REF_PREFIX + self.id

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["items"] = list(self.items)
        return data


def _check_id(checkpoint_id: str) -> str:
    # Ids become file names and ref names: keep them to a safe alphabet (no '/', no '..', no '.lock').
    if not _ID.match(checkpoint_id) or ".." in checkpoint_id or checkpoint_id.endswith((".lock", ".")):
        raise UnknownCheckpointError(f"invalid checkpoint id {checkpoint_id!r}")
    return checkpoint_id


def new_id(created: datetime) -> str:
    """A sortable, unique id: ``20261124T054912Z-3fa9c1``."""
    return f"{created.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


def create(
    repo: RepoPaths,
    commit: str,
    *,
    plan: str,
    operation: str,
    items: Sequence[str] = (),
    base: str | None = None,
    created: str | None = None,
    checkpoint_id: str | None = None,
) -> Checkpoint:
    """Record ``commit`` as a checkpoint. ``base`` defaults to ``commit``; ``created`` (ISO 8601) to now."""
    now = datetime.now(UTC)
    cid = _check_id(checkpoint_id or new_id(now))
    oid = resolve_commit(repo, commit)
    tree = session_for(repo).commit(oid).tree
    checkpoint = Checkpoint(
        id=cid,
        plan=plan,
        operation=operation,
        items=tuple(items),
        base=resolve_commit(repo, base) if base else oid,
        commit=oid,
        tree=tree,
        created=created or now.isoformat(timespec="seconds"),
    )
    result = git(
        ["update-ref", "-m", f"plansmith: checkpoint {cid}", checkpoint.ref, oid, ZERO_OID],
        cwd=repo.worktree,
        check=False,
    )
    if result.returncode != 0:
        raise GitError(
            f"cannot create checkpoint {cid}: {result.err}",
            hint="a checkpoint with this id may exist already; run 'plansmith checkpoints list'",
        )
    write_json_atomic(repo.state_dir / "checkpoints" / f"{cid}.json", checkpoint.to_json())
    return checkpoint


def load(repo: RepoPaths, checkpoint_id: str) -> Checkpoint:
    """The recorded checkpoint ``checkpoint_id``; :class:`UnknownCheckpointError` when there is none."""
    path = repo.state_dir / "checkpoints" / f"{_check_id(checkpoint_id)}.json"
    data = read_json(path, None)
    if data is None:
        raise UnknownCheckpointError(f"no checkpoint named {checkpoint_id!r}")
    try:
        return Checkpoint(
            id=str(data["id"]),
            plan=str(data["plan"]),
            operation=str(data["operation"]),
            items=tuple(str(i) for i in data["items"]),
            base=str(data["base"]),
            commit=str(data["commit"]),
            tree=str(data["tree"]),
            created=str(data["created"]),
        )
    except (KeyError, TypeError) as exc:
        raise CheckpointError(
            f"the record of checkpoint {checkpoint_id!r} is damaged ({exc})",
            hint="delete it with 'plansmith checkpoints delete ID' or remove the file " + path.name,
        ) from exc


def list_checkpoints(repo: RepoPaths) -> list[Checkpoint]:
    """All readable checkpoint records, oldest first (damaged ones are reported by :func:`validate_all`)."""
    folder = repo.state_dir / "checkpoints"
    found: list[Checkpoint] = []
    if folder.is_dir():
        for path in folder.glob("*.json"):
            try:
                found.append(load(repo, path.stem))
            except (CheckpointError, ValueError):
                continue
    return sorted(found, key=lambda c: (c.created, c.id))


def validate(repo: RepoPaths, checkpoint_id: str) -> list[str]:
    """Problems with one checkpoint (empty when it can be restored safely)."""
    try:
        checkpoint = load(repo, checkpoint_id)
    except (CheckpointError, ValueError) as exc:
        return [str(exc)]
    problems = _object_problems(repo, checkpoint)
    ref_target = rev_parse(repo, checkpoint.ref)
    if ref_target is None:
        problems.append(f"ref {checkpoint.ref} is missing")
    elif ref_target != checkpoint.commit:
        problems.append(f"ref {checkpoint.ref} points at {ref_target}, recorded {checkpoint.commit}")
    return problems


def _object_problems(repo: RepoPaths, checkpoint: Checkpoint) -> list[str]:
    """What is wrong with the checkpoint's commit and tree in the object database (read in-process)."""
    session = session_for(repo)
    found = session.read(checkpoint.commit) if is_oid(checkpoint.commit) else None
    if found is None or found[0] != "commit":
        return [f"commit {checkpoint.commit} is missing from the object database"]
    actual = session.commit(checkpoint.commit).tree
    tree = session.read(actual)
    if tree is None or tree[0] != "tree":
        return [f"the tree of commit {checkpoint.commit} is missing from the object database"]
    if actual != checkpoint.tree:
        return [f"commit {checkpoint.commit} has tree {actual}, the record says {checkpoint.tree}"]
    return []


def validate_all(repo: RepoPaths) -> dict[str, list[str]]:
    """Problems per checkpoint id, including refs that have no record (left by a crash)."""
    results: dict[str, list[str]] = {}
    folder = repo.state_dir / "checkpoints"
    ids = {p.stem for p in folder.glob("*.json")} if folder.is_dir() else set()
    for ref, _oid in session_for(repo).refs_under(REF_PREFIX):
        cid = ref.removeprefix(REF_PREFIX)
        if cid not in ids:
            results[cid] = [f"ref {ref} has no record {cid}.json"]
    for cid in sorted(ids):
        results[cid] = validate(repo, cid)
    return results


def restore(worktree: ScratchWorktree, checkpoint_id: str) -> Checkpoint:
    """Reset the scratch worktree to a checkpoint, after checking that the checkpoint is intact."""
    checkpoint = load(worktree.repo, checkpoint_id)  # an unknown id is its own error
    problems = validate(worktree.repo, checkpoint_id)
    if problems:
        raise CheckpointError(
            f"checkpoint {checkpoint_id} cannot be restored: {'; '.join(problems)}",
            hint="run 'plansmith checkpoints validate' and restore another checkpoint",
        )
    worktree.reset_to(checkpoint.commit)
    return checkpoint


def delete(repo: RepoPaths, checkpoint_id: str) -> None:
    """Remove a checkpoint's ref (only if it still points at the recorded commit) and its record."""
    cid = _check_id(checkpoint_id)
    path = repo.state_dir / "checkpoints" / f"{cid}.json"
    record = read_json(path, None)
    ref = REF_PREFIX + cid
    expected = record.get("commit") if isinstance(record, dict) else None
    args = ["update-ref", "-d", ref] + ([str(expected)] if expected else [])
    if rev_parse(repo, ref) is not None:
        result = git(args, cwd=repo.worktree, check=False)
        if result.returncode != 0:
            raise GitError(
                f"cannot delete checkpoint {cid}: {result.err}",
                hint="run 'plansmith checkpoints validate' to see what changed",
            )
    elif record is None:
        raise UnknownCheckpointError(f"no checkpoint named {cid!r}")
    path.unlink(missing_ok=True)
