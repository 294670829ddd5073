"""``--help`` a newcomer can act on: every argument of every subcommand has a line of its own, and each
help page ends with two examples."""

from __future__ import annotations

import argparse

import pytest

from plansmith.cli import build_parser, main


def subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


@pytest.mark.parametrize("name", sorted(subparsers()))
def test_every_argument_has_a_help_line(name: str) -> None:
    parser = subparsers()[name]
    silent = [a.dest for a in parser._actions if not a.help]
    assert silent == [], f"plansmith {name}: arguments without help: {silent}"


@pytest.mark.parametrize("name", ["", *sorted(subparsers())])
def test_help_ends_with_two_examples(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main([name, "--help"] if name else ["--help"])
    assert stop.value.code == 0
    lines = capsys.readouterr().out.rstrip("\n").splitlines()
    assert lines[-3] == "examples:"
    assert all(line.startswith("  plansmith ") or line.startswith("  claude ") for line in lines[-2:]), lines[
        -2:
    ]
