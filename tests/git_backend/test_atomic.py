"""The one atomic writer (plansmith.atomic): whole files only, durable, permissions as asked."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from plansmith.atomic import write_bytes_atomic, write_json_atomic, write_text_atomic


def test_replaces_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "state.json"
    write_json_atomic(target, {"b": 1, "a": "é"})
    assert target.read_text(encoding="utf-8") == '{\n  "a": "é",\n  "b": 1\n}\n'
    write_json_atomic(target, {"b": 1, "a": "é"}, sort_keys=False, ensure_ascii=True)
    assert target.read_text(encoding="utf-8") == '{\n  "b": 1,\n  "a": "\\u00e9"\n}\n'
    assert os.listdir(target.parent) == ["state.json"]


def test_mode_is_what_the_caller_asks_not_mkstemps_0600(tmp_path: Path) -> None:
    write_text_atomic(tmp_path / "unit.service", "[Unit]\n")
    assert stat.S_IMODE((tmp_path / "unit.service").stat().st_mode) == 0o644
    write_text_atomic(tmp_path / "pre-commit", "#!/bin/sh\n", mode=0o755)
    assert stat.S_IMODE((tmp_path / "pre-commit").stat().st_mode) == 0o755


def test_a_failed_write_keeps_the_old_file_and_removes_the_temporary(tmp_path: Path) -> None:
    target = tmp_path / "record.json"
    write_bytes_atomic(target, b"old\n")

    with pytest.raises(TypeError):
        write_bytes_atomic(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"old\n"
    assert os.listdir(tmp_path) == ["record.json"]


def test_sigkill_while_writing_leaves_old_or_new_never_a_mix(tmp_path: Path) -> None:
    """A writer killed at random instants: every observed file parses and is one of the versions."""
    target = tmp_path / "state.json"
    loop = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from plansmith.atomic import write_json_atomic
        i = 0
        while True:
            i += 1
            write_json_atomic(Path({str(target)!r}), {{"round": i, "pad": "x" * (i % 5000)}})
            if i == 1:
                print("started", flush=True)
        """
    )
    for _ in range(5):
        proc = subprocess.Popen([sys.executable, "-c", loop], stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        proc.stdout.readline()
        proc.kill()
        proc.wait()
        proc.stdout.close()
        data = json.loads(target.read_text(encoding="utf-8"))
        assert data["pad"] == "x" * (data["round"] % 5000)
