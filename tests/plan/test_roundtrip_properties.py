"""collapse(expand(p)) == p byte for byte, for every phase and stage of generated plans."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plansmith.errors import PlanError
from plansmith.plan.layout import build_plan, find_plans
from plansmith.plan.parser import parse_document
from plansmith.plan.transforms import collapse_phase, collapse_stage, expand_phase, expand_stage

from .strategies import plans

PLANS_DIR = "specs/plans"
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _location(files: dict[str, str]):  # type: ignore[no-untyped-def]
    (loc,) = find_plans(files, PLANS_DIR)
    return loc


@SETTINGS
@given(plans())
def test_every_phase_and_stage_round_trips(plan: tuple[str, str]) -> None:
    path, text = plan
    files = {path: text}
    loc = _location(files)
    tree = build_plan(files, loc)
    for phase in tree.phases:
        expanded = expand_phase(files, loc, phase.number)
        assert path not in expanded.files  # the plan moved into its folder
        for stage in phase.section.children:
            deeper = expand_stage(expanded.files, expanded.location, phase.number, stage.number)
            back = collapse_stage(deeper.files, deeper.location, phase.number, stage.number)
            assert back.files == expanded.files
        restored = collapse_phase(expanded.files, expanded.location, phase.number)
        assert restored.files == files


@SETTINGS
@given(plans(), st.data())
def test_several_expansions_in_any_order_round_trip(plan: tuple[str, str], data: st.DataObject) -> None:
    path, text = plan
    files = {path: text}
    loc = _location(files)
    numbers = [p.number for p in build_plan(files, loc).phases]
    chosen = data.draw(st.lists(st.sampled_from(numbers), unique=True, min_size=1))
    current, cur_loc = files, loc
    for n in chosen:
        change = expand_phase(current, cur_loc, n)
        current, cur_loc = change.files, change.location
    for n in data.draw(st.permutations(chosen)):
        change = collapse_phase(current, cur_loc, n)
        current, cur_loc = change.files, change.location
    assert current == files


@SETTINGS
@given(plans(), st.data())
def test_edits_to_an_expanded_file_survive_collapse(plan: tuple[str, str], data: st.DataObject) -> None:
    path, text = plan
    files = {path: text}
    loc = _location(files)
    phase = data.draw(st.sampled_from(build_plan(files, loc).phases))
    expanded = expand_phase(files, loc, phase.number)
    (child_path,) = [p for p in expanded.created if p.rsplit("/", 1)[-1].startswith("phase_")]
    child = expanded.files[child_path]
    nl = "\r\n" if "\r\n" in child else "\n"
    edited = child.replace("- [ ]", "- [x]", 1)
    if not edited.endswith("\n"):
        edited += nl
    edited += f"- [ ] a task added later{nl}{nl}## New subsection{nl}details{nl}"
    files2 = dict(expanded.files, **{child_path: edited})
    collapsed = collapse_phase(files2, expanded.location, phase.number)
    result = collapsed.files[path]
    assert "- [ ] a task added later" in result
    assert "details" in result
    heading_level = phase.section.heading.level
    assert f"{'#' * (heading_level + 1)} New subsection" in result
    if "- [ ]" in child:
        assert result.count("- [x]") == text.count("- [x]") + 1


@SETTINGS
@given(plans())
def test_text_added_to_a_stub_is_kept(plan: tuple[str, str]) -> None:
    path, text = plan
    files = {path: text}
    loc = _location(files)
    phase = build_plan(files, loc).phases[0]
    expanded = expand_phase(files, loc, phase.number)
    main = expanded.location.main_path
    doc = parse_document(main, expanded.files[main])
    stub = doc.section(phase.number)
    assert stub is not None and stub.link_index is not None
    lines = list(doc.lines)
    nl = doc.newline
    lines.insert(
        stub.link_index + 1,
        f"{nl}Note added to the stub by hand{nl}" if lines[stub.link_index].endswith("\n") else "",
    )
    if not lines[stub.link_index].endswith("\n"):
        lines[stub.link_index] += f"{nl}{nl}Note added to the stub by hand"
    files2 = dict(expanded.files, **{main: "".join(lines)})
    collapsed = collapse_phase(files2, expanded.location, phase.number)
    assert "Note added to the stub by hand" in collapsed.files[path]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parser_returns_a_document_or_raises_plan_error(text: str) -> None:
    for kind in ("plan", "phase", "stage"):
        try:
            doc = parse_document("specs/plans/001_x.md", text, kind)  # type: ignore[arg-type]
        except PlanError:
            continue
        assert doc.text == text


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_build_plan_on_arbitrary_bytes_never_crashes(data: bytes) -> None:
    from plansmith.plan.api import validate_files

    problems = validate_files({"specs/plans/001_x.md": data}, PLANS_DIR)
    assert all(p.path == "specs/plans/001_x.md" for p in problems)


@SETTINGS
@given(plans(odd_ids=True))
def test_inserted_lettered_and_prefixed_ids_round_trip(plan: tuple[str, str]) -> None:
    """collapse(expand(p)) == p byte for byte with ids like 2.5, 5a and CF-1 (and stages 1.5, 2a),
    the owned metadata listing them in natural order while expanded."""
    path, text = plan
    files = {path: text}
    loc = _location(files)
    tree = build_plan(files, loc)
    ids = [p.number for p in tree.phases]
    assert ids == sorted(ids)
    for phase in tree.phases:
        expanded = expand_phase(files, loc, str(phase.number))  # as typed on the command line
        (child,) = [p for p in expanded.created if p != expanded.location.main_path]
        assert child.rsplit("/", 1)[-1].startswith(f"phase_{phase.number.file_token}")
        again = build_plan(expanded.files, expanded.location)
        assert [p.number for p in again.phases if p.expanded] == [phase.number]
        for stage in phase.section.children:
            deeper = expand_stage(expanded.files, expanded.location, phase.number, stage.number)
            back = collapse_stage(deeper.files, deeper.location, phase.number, stage.number)
            assert back.files == expanded.files
        assert collapse_phase(expanded.files, expanded.location, phase.number).files == files


@SETTINGS
@given(plans(odd_ids=True), st.data())
def test_several_odd_ids_expanded_in_any_order_round_trip(plan: tuple[str, str], data: st.DataObject) -> None:
    path, text = plan
    files = {path: text}
    loc = _location(files)
    numbers = [p.number for p in build_plan(files, loc).phases]
    chosen = data.draw(st.lists(st.sampled_from(numbers), unique=True, min_size=1))
    current, cur_loc = files, loc
    for n in chosen:
        change = expand_phase(current, cur_loc, n)
        current, cur_loc = change.files, change.location
    main = parse_document(cur_loc.main_path, current[cur_loc.main_path])
    listed = main.metadata.get("expanded phases") if main.metadata is not None else None
    assert listed is not None and listed.value == "[" + ", ".join(str(n) for n in sorted(chosen)) + "]"
    for n in data.draw(st.permutations(chosen)):
        change = collapse_phase(current, cur_loc, n)
        current, cur_loc = change.files, change.location
    assert current == files
