"""Properties of the pure parts the field's layouts added: phase-file names read back what was
written, and the pre-commit manifest's pattern agrees with the root matcher on any path."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from plansmith.plan.folders import DASH, SUFFIX, UNDERSCORE, main_file_of, phase_file_name, phase_file_stem
from plansmith.plan.roots import DEFAULT_ROOTS, files_regex, split_root

slugs = st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True).map(lambda s: s.rstrip("_") or "x")
folders = st.from_regex(r"[a-z][a-z0-9-]{0,15}[a-z0-9]", fullmatch=True).filter(lambda s: "-phase-" not in s)


@given(st.integers(min_value=0, max_value=999), slugs, folders, st.sampled_from([UNDERSCORE, DASH, SUFFIX]))
def test_a_new_phase_file_name_reads_back_its_style_and_id(
    number: int, slug: str, folder: str, style: str
) -> None:
    stem = phase_file_stem(style, str(number), slug, folder)
    read = phase_file_name(stem)
    assert read is not None and read.style == style
    assert int(read.token) == number  # phase-03-x carries 3, padded or not


@given(folders, st.sets(st.sampled_from(["plan.md", "index.md", "README.md", "notes.md", "x-index.md"])))
def test_the_main_file_is_the_first_name_in_the_documented_order(folder: str, names: set[str]) -> None:
    order = [f"{folder}.md", "plan.md", "index.md", "README.md", f"{folder}-index.md"]
    expected = next((n for n in order if n in names), None)
    assert main_file_of(folder, names) == expected


segment = st.sampled_from(
    [
        "specs",
        "plans",
        "docs",
        ".claude",
        "thoughts",
        "shared",
        ".copilot-tracking",
        "09_roadmap",
        "x",
        "2026-01-04",
        ".git",
        "001-photo-albums",  # a spec-kit feature folder
        "phase_1_setup",
        "contracts",
    ]
)


@given(
    st.lists(segment, min_size=1, max_size=6),
    st.sampled_from(
        ["a.md", "b.txt", "plan.md", "tasks.md", "spec.md", "phase_2_x.md", "001-photo-albums.md"]
    ),
)
def test_the_manifest_pattern_agrees_with_the_root_matcher(folders_: list[str], name: str) -> None:
    path = "/".join([*folders_, name])
    in_root = split_root(path, DEFAULT_ROOTS) is not None and name.endswith(".md")
    assert bool(re.search(files_regex(DEFAULT_ROOTS), path)) == in_root
