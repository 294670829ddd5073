"""Entry points of the pure core for the shells (CLI, hooks, daemon, engine).

Placeholder while the core is being written: the signatures are the contract.
"""

from __future__ import annotations

from collections.abc import Mapping

from plansmith.plan.problems import Problem


def validate_files(files: Mapping[str, bytes], plans_dir: str) -> list[Problem]:
    """Validate every plan found in ``files`` ({repository-relative POSIX path: raw bytes}).

    ``plans_dir`` is the repository-relative plans folder (``specs/plans``). Files that are not
    UTF-8 produce a ``not-utf8`` problem naming the file instead of an exception.
    """
    raise NotImplementedError
