"""What a commit is about to record under the plans folder: the hook's names for the reads that
:mod:`plansmith.git_backend.staged` makes (that module owns the git command lines; this one only
re-exports them, so the hook's imports stay where they were and stay light).
It must not hold logic of its own."""

from __future__ import annotations

from plansmith.git_backend.staged import HOOK_ENV, read_staged_files, staged_paths

__all__ = ["HOOK_ENV", "read_staged_files", "staged_paths"]
