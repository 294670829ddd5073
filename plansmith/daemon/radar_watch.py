"""The daemon's radar: after every fetch it sees, the branches' plan collisions, for ``plansmith status``.

A fetch shows up as a ref event like any other; what tells it apart is that a ref below
``refs/remotes/`` changed. :class:`RadarWatch` keeps a digest of those refs (read in-process through the
session, no git process) and runs :func:`plansmith.git_backend.radar.scan` when it differs, and once
at start. The findings go to ``radar.json`` in plansmith's state folder (``<git dir>/plansmith``, which
the watcher ignores), written atomically; ``plansmith status`` reads them with :func:`read_findings`.

It must not write to the repository (refs, index, working tree): only its own file in the state folder.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from plansmith.atomic import write_json_atomic
from plansmith.git_backend.paths import RepoPaths
from plansmith.git_backend.radar import scan
from plansmith.git_backend.session import session_for

log = logging.getLogger(__name__)
FILE_NAME = "radar.json"


class RadarWatch:
    def __init__(self, repo: RepoPaths, roots: Sequence[str], skip_prefix: str = "plansmith/") -> None:
        self.repo, self.roots, self.skip_prefix = repo, roots, skip_prefix
        self._seen: str | None = None

    def remotes_digest(self) -> str:
        refs = session_for(self.repo).refs_under("refs/remotes/")
        return hashlib.sha256(json.dumps(refs).encode("utf-8")).hexdigest()

    def after_refs_moved(self) -> bool:
        """Run the radar when the remote-tracking refs changed since last time (or never ran); whether
        it ran. A failure is logged, never raised: the daemon's own work goes on."""

        try:
            digest = self.remotes_digest()
            if digest == self._seen:
                return False
            report = scan(self.repo, self.roots, skip_prefix=self.skip_prefix)
            document = {"remotes": digest, **report.as_json()}
            write_json_atomic(self.repo.state_dir / FILE_NAME, document)
            self._seen = digest
            return True
        except Exception as exc:  # the radar is a view: it must never stop the daemon
            log.warning("radar: %s", exc)
            return False


def read_findings(state_dir: Path) -> list[dict[str, Any]] | None:
    """The findings the daemon saw last (``None``: it has not looked, or the file is unreadable)."""
    try:
        data = json.loads((state_dir / FILE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    findings = data.get("findings") if isinstance(data, dict) else None
    return [f for f in findings if isinstance(f, dict)] if isinstance(findings, list) else None
