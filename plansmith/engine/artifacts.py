"""One JSON record per operation in a per-run folder, and the small references the coordinator reads.

The full record (``<run dir>/<operation>_<item>.json``) holds everything about the operation: files,
error, every attempt, warnings, and details such as the agent's output tail and a diff summary. The
coordinator and the CLI read only :func:`aggregate`: path, status, item and operation per record, never
the content. :func:`context_reduction` measures how much smaller that is.

Records are written atomically (temporary file in the same folder, fsync, rename), so a reader never
sees half a record.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from plansmith.engine.runner import OpOutcome

SCHEMA = "plansmith.artifact/1"
ArtifactStatus = Literal["success", "failed", "skipped"]
STATUSES: tuple[str, ...] = ("success", "failed", "skipped")
_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class ArtifactRecord:
    operation: str
    item: str
    status: ArtifactStatus
    files_created: tuple[str, ...] = ()
    files_modified: tuple[str, ...] = ()
    error: str | None = None
    duration_s: float = 0.0
    attempts: tuple[Mapping[str, Any], ...] = ()
    warnings: tuple[str, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)  # agent output tail, diff summary...

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "operation": self.operation,
            "item": self.item,
            "status": self.status,
            "files_created": list(self.files_created),
            "files_modified": list(self.files_modified),
            "error": self.error,
            "duration_s": round(self.duration_s, 3),
            "attempts": [dict(a) for a in self.attempts],
            "warnings": list(self.warnings),
            "details": dict(self.details),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ArtifactRecord:
        return cls(
            operation=data["operation"],
            item=data["item"],
            status=data["status"],
            files_created=tuple(data.get("files_created", ())),
            files_modified=tuple(data.get("files_modified", ())),
            error=data.get("error"),
            duration_s=float(data.get("duration_s", 0.0)),
            attempts=tuple(data.get("attempts", ())),
            warnings=tuple(data.get("warnings", ())),
            details=dict(data.get("details", {})),
        )


def record_for(
    operation: str,
    item: str,
    outcome: OpOutcome,
    *,
    files_created: Iterable[str] = (),
    files_modified: Iterable[str] = (),
    details: Mapping[str, Any] | None = None,
) -> ArtifactRecord:
    """The record of a runner outcome (status, error, warnings, duration, every attempt)."""
    error = outcome.error if outcome.status != "success" else None
    if outcome.status == "failed" and not error:
        error = "failed (no reason given)"
    return ArtifactRecord(
        operation=operation,
        item=item,
        status=outcome.status,
        files_created=tuple(files_created),
        files_modified=tuple(files_modified),
        error=error,
        duration_s=outcome.duration_s,
        attempts=tuple(a.to_json() for a in outcome.attempts),
        warnings=outcome.warnings,
        details=dict(details or {}),
    )


@dataclass(frozen=True)
class ArtifactRef:
    """A reference to a record: enough to decide what to do, nothing of its content."""

    path: str  # relative to the run folder: the coordinator knows where that is
    operation: str
    item: str
    status: ArtifactStatus

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "operation": self.operation, "item": self.item, "status": self.status}


@dataclass(frozen=True)
class ContextReduction:
    aggregate_bytes: int  # json.dumps of the references
    full_bytes: int  # every record (plus the files they reference, when asked)
    artifacts: int

    @property
    def reduction(self) -> float:
        """The fraction saved, 0..1 (0.95: the references are 5 % of the full content)."""
        return 1.0 - self.aggregate_bytes / self.full_bytes if self.full_bytes else 0.0


def new_run_dir(base: Path, label: str = "run") -> Path:
    """Create and return a fresh folder ``<base>/<label>-<UTC time>-<random>``."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    path = base / f"{_safe(label)}-{stamp}-{secrets.token_hex(3)}"
    path.mkdir(parents=True, exist_ok=False)
    return path


def _safe(text: str) -> str:
    cleaned = _SAFE.sub("_", text).strip("._") or "x"
    return cleaned[:80]


def artifact_path(run_dir: Path, operation: str, item: str) -> Path:
    """``<run dir>/<operation>_<item>.json`` (both parts reduced to ``[A-Za-z0-9_.-]``)."""
    return run_dir / f"{_safe(operation)}_{_safe(item)}.json"


def write_artifact(run_dir: Path, record: ArtifactRecord) -> Path:
    """Write ``record`` atomically; return its path."""
    problems = _check(record.to_json())
    if problems:
        raise ValueError("invalid artifact record: " + "; ".join(problems))
    run_dir.mkdir(parents=True, exist_ok=True)
    path = artifact_path(run_dir, record.operation, record.item)
    data = json.dumps(record.to_json(), ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=run_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        Path(tmp).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise
    return path


def read_artifact(path: Path) -> ArtifactRecord:
    """The record at ``path``; ``ValueError`` listing the problems when it is not a valid record."""
    problems = validate_artifact(path)
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    return ArtifactRecord.from_json(json.loads(path.read_text(encoding="utf-8")))


def _is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _check(data: object) -> list[str]:
    if not isinstance(data, dict):
        return ["the record is not a JSON object"]
    problems: list[str] = []
    if data.get("schema") != SCHEMA:
        problems.append(f"'schema' must be {SCHEMA!r}, got {data.get('schema')!r}")
    for key in ("operation", "item"):
        value = data.get(key)
        if not isinstance(value, str) or not value:
            problems.append(f"'{key}' must be a non-empty string")
    if data.get("status") not in STATUSES:
        problems.append(f"'status' must be one of {', '.join(STATUSES)}, got {data.get('status')!r}")
    for key in ("files_created", "files_modified", "warnings"):
        if key not in data:
            problems.append(f"'{key}' is missing")
        elif not _is_str_list(data[key]):
            problems.append(f"'{key}' must be a list of strings")
    if "error" not in data:
        problems.append("'error' is missing")
    elif data["error"] is not None and not isinstance(data["error"], str):
        problems.append("'error' must be a string or null")
    if data.get("status") == "failed" and not data.get("error"):
        problems.append("a failed record must say why in 'error'")
    duration = data.get("duration_s")
    if isinstance(duration, bool) or not isinstance(duration, int | float) or duration < 0:
        problems.append("'duration_s' must be a non-negative number")
    attempts = data.get("attempts")
    if not isinstance(attempts, list) or not all(isinstance(a, dict) for a in attempts):
        problems.append("'attempts' must be a list of objects")
    details = data.get("details", {})
    if not isinstance(details, dict):
        problems.append("'details' must be an object")
    return problems


def validate_artifact(path: Path) -> list[str]:
    """Problems of the record at ``path`` (empty list: valid)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return [f"cannot read: {exc.strerror or exc}"]
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return ["not UTF-8"]
    except json.JSONDecodeError as exc:
        return [f"not JSON: {exc.msg} at line {exc.lineno}"]
    return _check(data)


def _record_files(run_dir: Path) -> list[Path]:
    if not run_dir.is_dir():
        return []
    return sorted(p for p in run_dir.glob("*.json") if not p.name.startswith("."))


def aggregate(run_dir: Path) -> list[ArtifactRef]:
    """References to every record of the run, sorted by file name. An unreadable or invalid record is
    reported as ``failed`` (its problems are for :func:`validate_artifact`)."""
    refs: list[ArtifactRef] = []
    for path in _record_files(run_dir):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            data = None
        if isinstance(data, dict) and not _check(data):
            refs.append(ArtifactRef(path.name, data["operation"], data["item"], data["status"]))
        else:
            op, _, item = path.stem.partition("_")
            refs.append(ArtifactRef(path.name, op or "?", item or "?", "failed"))
    return refs


def cleanup(run_dir: Path, keep_on_failure: bool = True) -> bool:
    """Delete the run folder; with ``keep_on_failure``, keep it when any record is not a success or
    skipped (so the failure can be inspected). Returns whether the folder was removed."""
    if not run_dir.exists():
        return True
    if keep_on_failure and any(ref.status == "failed" for ref in aggregate(run_dir)):
        return False
    shutil.rmtree(run_dir)
    return True


def context_reduction(
    run_dir: Path, *, referenced_root: Path | None = None, extra_files: Iterable[Path] = ()
) -> ContextReduction:
    """Bytes of ``json.dumps`` of the aggregate versus the bytes of every record, plus (with
    ``referenced_root``) the files the records list as created or modified, plus ``extra_files``."""
    refs = aggregate(run_dir)
    agg = len(json.dumps([r.to_json() for r in refs]).encode("utf-8"))
    full = 0
    seen: set[Path] = set()
    for path in _record_files(run_dir):
        full += path.stat().st_size
        if referenced_root is None:
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            continue
        for rel in [*data.get("files_created", []), *data.get("files_modified", [])]:
            target = referenced_root / rel
            if target not in seen and target.is_file():
                seen.add(target)
                full += target.stat().st_size
    for extra in extra_files:
        if extra not in seen and extra.is_file():
            seen.add(extra)
            full += extra.stat().st_size
    return ContextReduction(aggregate_bytes=agg, full_bytes=full, artifacts=len(refs))
