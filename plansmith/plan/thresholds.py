"""The complexity thresholds: where a phase or stage is recommended for expansion or collapse.

One class for both sides of the seam: the settings' ``[thresholds]`` section is this value (pydantic
validates the stdlib dataclass and runs :meth:`Thresholds.__post_init__`), and the scorer
(:func:`plansmith.plan.complexity.analyze_plan`) takes it as it is, with no conversion in between.
The range check lives here, once; its messages name the settings' keys (``thresholds.expand``),
because a person reads them when a settings file is wrong.

It must import nothing, not even the rest of :mod:`plansmith.plan`: the settings model imports it, and
settings are read on paths (the hook's, ``validate``) that never score a plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

# The score range of plansmith.plan.complexity.scoring (MAX_SCORE), which a test holds equal
# (tests/config/test_analysis_thresholds.py). Not imported from there: this module stays free of the scorer.
LOWEST_SCORE = 0.0
HIGHEST_SCORE = 10.0


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Where recommendations start: ``score >= expand`` (inline) and ``score <= collapse`` (expanded)."""

    expand: float = 8.0
    collapse: float = 4.0

    # Read by pydantic when this is a settings section: an unknown key there is an error, not dropped.
    __pydantic_config__: ClassVar[dict[str, str]] = {"extra": "forbid"}

    def __post_init__(self) -> None:
        for name, value in (("expand", self.expand), ("collapse", self.collapse)):
            if isinstance(value, bool) or not (
                isinstance(value, int | float) and LOWEST_SCORE <= value <= HIGHEST_SCORE
            ):
                raise ValueError(f"thresholds.{name} must be a number from 0 to 10, not {value!r}")
        if not self.collapse < self.expand:
            raise ValueError(
                f"thresholds.collapse ({self.collapse}) must be lower than expand ({self.expand}), "
                "or items would flip back and forth"
            )

    def as_json(self) -> dict[str, float]:
        return {"expand": float(self.expand), "collapse": float(self.collapse)}
