"""One ``Thresholds``: the settings' ``[thresholds]`` section is the plan core's value, with no
conversion between them (issue 19). Both sides accept exactly the same range, checked once."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plansmith.config import Settings, load_settings
from plansmith.errors import ConfigError
from plansmith.plan import thresholds as thresholds_module
from plansmith.plan.complexity import MAX_SCORE, Thresholds
from plansmith.plan.complexity import analysis as complexity_analysis


def test_the_settings_section_is_the_scorers_value() -> None:
    assert Settings.model_fields["thresholds"].annotation is Thresholds
    assert type(Settings().thresholds) is Thresholds
    assert Settings().thresholds == Thresholds()
    assert complexity_analysis.Thresholds is thresholds_module.Thresholds  # re-exported where it was


scores = st.floats(min_value=0.0, max_value=10.0, allow_nan=False)


@given(scores, scores)
def test_every_valid_setting_is_taken_as_it_is(a: float, b: float) -> None:
    """A setting that validates is the value the scorer gets: nothing converted, nothing lost."""
    if a == b:
        return
    collapse, expand = sorted((a, b))
    loaded = Settings.model_validate({"thresholds": {"expand": expand, "collapse": collapse}}).thresholds
    assert loaded == Thresholds(expand=expand, collapse=collapse)
    assert (loaded.expand, loaded.collapse) == (expand, collapse)


@given(st.one_of(st.floats(allow_nan=False).filter(lambda v: not 0.0 <= v <= 10.0), st.booleans()))
def test_out_of_range_is_refused_by_the_one_check(value: float) -> None:
    with pytest.raises(ValueError, match=r"thresholds\.expand must be a number from 0 to 10"):
        Thresholds(expand=value, collapse=0.0)


def test_a_settings_file_with_wrong_thresholds_names_the_file_and_the_key(tmp_path: Path) -> None:
    settings_file = tmp_path / "plansmith.toml"
    settings_file.write_text("[thresholds]\nexpand = 3\ncollapse = 5\n")
    with pytest.raises(ConfigError, match=r"collapse \(5\.0\) must be lower than expand \(3\.0\)") as info:
        load_settings(tmp_path)
    assert f"(from {settings_file})" in info.value.message
    assert "Value error" not in info.value.message
    settings_file.write_text("[thresholds]\nexpand = 12\n")
    with pytest.raises(
        ConfigError, match=r"thresholds\.expand must be a number from 0 to 10, not 12"
    ) as info:
        load_settings(tmp_path)
    assert f"(from {settings_file})" in info.value.message


def test_the_thresholds_module_imports_nothing_and_agrees_with_the_scorer() -> None:
    tree = ast.parse(Path(thresholds_module.__file__).read_text(encoding="utf-8"))
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module is not None
    } | {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert imported <= {"__future__", "dataclasses", "typing"}
    assert thresholds_module.HIGHEST_SCORE == MAX_SCORE
