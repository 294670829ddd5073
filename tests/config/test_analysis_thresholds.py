"""The one conversion from the settings' thresholds to the value the scorer takes (issue 19)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from plansmith.config import Settings
from plansmith.config.model import ThresholdSettings as SettingsThresholds
from plansmith.plan.complexity import Thresholds


def test_the_defaults_convert_to_the_scorer_defaults() -> None:
    assert Settings().thresholds.for_analysis() == Thresholds()


scores = st.floats(min_value=0.0, max_value=10.0, allow_nan=False)


@given(scores, scores)
def test_every_valid_setting_converts_without_loss(a: float, b: float) -> None:
    """Both classes accept the same range: a setting that validates never fails in the scorer."""
    if a == b:
        return
    collapse, expand = sorted((a, b))
    converted = SettingsThresholds(expand=expand, collapse=collapse).for_analysis()
    assert (converted.expand, converted.collapse) == (expand, collapse)
