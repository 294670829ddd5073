"""Letter ids (``Phase A``), the roman numeral rule and the Chinese phase word (``阶段 1``), through the
plan core: ids, headings, dependencies, the owned metadata, expand and collapse byte for byte.

The plans here are written for these tests in each form (none is copied from anyone's plan).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plansmith.plan.dependencies import parse_dependencies
from plansmith.plan.folders import phase_file_stem
from plansmith.plan.headings import read_item_heading
from plansmith.plan.ids import ItemId, id_from_file_stem
from plansmith.plan.layout import PlanLocation, build_plan
from plansmith.plan.metadata import read_id_list
from plansmith.plan.parser import parse_document
from plansmith.plan.transforms import collapse_phase, collapse_stage, expand_phase, expand_stage
from plansmith.plan.validate import validate_plan
from plansmith.plan.waves import compute_waves

from .strategies import item_ids

PATH = "specs/plans/001_letters.md"
LETTERS = """# Messaging bridge

## Delivery Phases

## Phase A: Contracts + Config

- [ ] Define the message contract
- [ ] Add the config keys

## Phase B: Inbound connector

**Depends on**: Phase A

- [ ] Poll for updates

### Stage a: Polling

- [ ] Long polling

### Stage B: Webhooks

- [ ] Webhook endpoint

## Phase C: Outbound dispatch

**Depends on**: Phase A

- [ ] Send replies

## Phase D: Wiring

**Depends on**: Phases B-C

- [ ] Start both at boot

## Notes

Nothing here is a phase.
"""


def _ids(text: str, path: str = PATH) -> list[str]:
    return [str(s.number) for s in parse_document(path, text).sections]


def _location(path: str = PATH) -> PlanLocation:
    return PlanLocation(path.rsplit("/", 1)[-1].removesuffix(".md"), path, None)


# --- ids ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "canonical"), [("A", "A"), ("a", "A"), ("Z", "Z"), (" b ", "B")])
def test_a_letter_is_an_id_spelled_in_upper_case(written: str, canonical: str) -> None:
    number = ItemId(written)
    assert str(number) == canonical and number.as_json() == canonical
    assert number.file_token == canonical.lower()
    assert number.is_letter and not number.is_integer and number.whole is None
    assert ItemId.parse(written) == ItemId(canonical)


@pytest.mark.parametrize("text", ["AB", "Ä", "1A-", "A-", "-A", "A."])
def test_more_than_one_letter_or_a_non_ascii_letter_is_no_id(text: str) -> None:
    assert ItemId.parse(text) is None


def test_letters_sort_after_every_number_and_before_every_prefixed_id() -> None:
    written = ["CF-1", "B", "10", "5a", "A", "999999999", "Z", "2.5", "X-1", "AB-1"]
    ordered = [str(i) for i in sorted(ItemId(w) for w in written)]
    assert ordered == ["2.5", "5a", "10", "999999999", "A", "B", "Z", "AB-1", "CF-1", "X-1"]


def test_a_letter_id_and_a_lettered_suffix_never_meet() -> None:
    assert ItemId("A") != ItemId("5a") and ItemId("a") != ItemId("0a")
    assert ItemId("5a").file_token == "5a" and ItemId("A").file_token == "a"
    assert str(id_from_file_stem("phase", "phase_5a_contracts")) == "5a"
    assert str(id_from_file_stem("phase", "phase_a_contracts")) == "A"
    assert str(id_from_file_stem("phase", "phase_a")) == "A"
    assert id_from_file_stem("phase", "phase_ab_contracts") is None  # a slug, not an id


@given(item_ids)
def test_an_id_reads_back_from_its_text_and_its_file_token(number: ItemId) -> None:
    assert ItemId(str(number)) == number
    assert id_from_file_stem("phase", f"phase_{number.file_token}") == number
    assert id_from_file_stem("phase", f"phase_{number.file_token}_contracts_config") == number


@given(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
def test_letter_order_is_the_alphabet(a: str, b: str) -> None:
    assert (ItemId(a) < ItemId(b)) == (a < b)
    assert (ItemId(a) == ItemId(b.lower())) == (a == b)
    assert ItemId(10**9 - 1) < ItemId(a) < ItemId("A-0")


# --- headings ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "title", "status"),
    [
        ("Phase A: Contracts + Config", "A", "Contracts + Config", None),
        ("Phase B — Inbound", "B", "Inbound", None),
        ("Phase C", "C", "", None),
        ("Phase D Wiring [COMPLETED]", "D", "Wiring", "COMPLETED"),
        ("[x] Phase E: Tests", "E", "Tests", "x"),
        ("**Phase F: Docs** ✅", "F", "Docs", "✅"),
        ("Phase a: Lower case before a colon", "A", "Lower case before a colon", None),
        ("Phase A-1: Still the prefixed form", "A-1", "Still the prefixed form", None),
        ("Phase A - Title after a dash", "A", "Title after a dash", None),
        ("阶段 1：后端迁移（预计 1-2 天）", "1", "后端迁移（预计 1-2 天）", None),
        ("阶段2: 前端", "2", "前端", None),
        ("第 3 阶段：部署", "3", "部署", None),
        ("第3阶段 - 收尾", "3", "收尾", None),
    ],
)
def test_letter_and_chinese_headings(text: str, number: str, title: str, status: str | None) -> None:
    parsed = read_item_heading("phase", text)
    assert parsed is not None and (str(parsed.number), parsed.title, parsed.status) == (number, title, status)


@pytest.mark.parametrize(
    "text",
    [
        "Phase a new start",
        "Phase Alpha",
        "Phase A-C: a range",
        "Phase A - C",
        "Phase II: roman",
        "阶段性总结",
        "第一阶段",
    ],
)
def test_headings_that_are_no_single_phase(text: str) -> None:
    assert read_item_heading("phase", text) is None


def test_english_headings_read_as_before() -> None:
    for text, expected in [("Phase 3: Build it", "3"), ("Phase 1-3: x", None), ("Phase 5a: x", "5a")]:
        parsed = read_item_heading("phase", text)
        assert (str(parsed.number) if parsed is not None else None) == expected


# --- plans -------------------------------------------------------------------------------------------


def test_a_letter_plan_reads_its_phases_stages_and_dependencies() -> None:
    plan = build_plan({PATH: LETTERS}, _location())
    assert [str(p.number) for p in plan.phases] == ["A", "B", "C", "D"]
    b = plan.phases[1].section
    assert [str(s.number) for s in b.children] == ["A", "B"]
    assert [str(d) for d in b.dependencies] == ["A"]
    assert [str(d) for d in plan.phases[3].section.dependencies] == ["B", "C"]
    assert not [p for p in validate_plan(plan) if p.is_error]
    waves = compute_waves({p.number: list(p.dependencies) for p in plan.phases}).waves
    assert waves is not None and [[str(n) for n in wave] for wave in waves] == [["A"], ["B", "C"], ["D"]]


def test_an_unknown_letter_dependency_is_reported_with_its_line() -> None:
    text = LETTERS.replace("**Depends on**: Phases B-C", "**Depends on**: Phase F")
    problems = [p for p in validate_plan(build_plan({PATH: text}, _location())) if "F" in p.message]
    assert problems and problems[0].line == text.splitlines().index("**Depends on**: Phase F") + 1


ROMAN = (
    "# Roman\n\n## Phase I: Setup\n\n- [ ] a\n\n## Phase II: Build\n\n"
    "## Phase III: Ship\n\n## Phase IV: Run\n"
)


def test_a_plan_numbered_in_roman_numerals_reads_no_half_of_them_as_letters() -> None:
    """``Phase I`` alone could be a letter; beside ``Phase II`` it is a numeral, and plansmith reads
    roman numerals not at all (docs/plan-format.md): no phase rather than I and V out of I..V."""
    assert _ids(ROMAN) == []
    assert _ids(ROMAN.replace("Phase IV: Run", "Phase V: Run")) == []
    assert _ids(ROMAN.replace("## Phase", "### Stage").replace("# Roman\n", "# R\n\n## Phase 1: x\n")) == [
        "1"
    ]
    staged = parse_document(PATH, "# R\n\n## Phase 1: x\n\n### Stage I: a\n\n### Stage II: b\n")
    assert staged.sections[0].children == ()


def test_letters_up_to_i_and_v_are_letters_when_no_heading_is_a_longer_numeral() -> None:
    nine = "# Nine\n\n" + "".join(f"## Phase {c}: Part {c}\n\n- [ ] t\n\n" for c in "ABCDEFGHI")
    assert _ids(nine) == list("ABCDEFGHI")
    assert _ids("# Two\n\n## Phase I: One\n\n## Phase V: Five\n") == ["I", "V"]


def test_a_plan_mixing_numbers_and_letters_reads_both_numbers_first() -> None:
    text = "# Mixed\n\n## Phase 1: Core\n\n- [ ] a\n\n## Phase 2: More\n\n## Phase A: Appendix\n\n- [ ] b\n"
    plan = build_plan({PATH: text}, _location())
    assert [str(p.number) for p in plan.phases] == ["1", "2", "A"]
    assert not [p for p in validate_plan(plan) if p.is_error or p.code.endswith("-gap")]


def test_a_duplicate_letter_is_an_error_in_any_case() -> None:
    text = "# Dup\n\n## Phase A: One\n\n## Phase a: Again\n"
    errors = [p for p in validate_plan(build_plan({PATH: text}, _location())) if p.is_error]
    assert errors and all(p.code == "duplicate-phase" for p in errors)


CHINESE = """# 重构计划

## 实施阶段

### 阶段 1：后端迁移（预计 1-2 天）

#### 任务 1.1：项目结构

- [ ] 创建目录

### 阶段 2：前端迁移

**Dependencies**: Phase 1

- [ ] 初始化项目

### 第 3 阶段：部署

- [ ] 写配置

## 验收标准

- 全部通过
"""


def test_a_chinese_plan_reads_its_phases() -> None:
    plan = build_plan({PATH: CHINESE}, _location())
    assert [(str(p.number), p.section.title) for p in plan.phases] == [
        ("1", "后端迁移（预计 1-2 天）"),
        ("2", "前端迁移"),
        ("3", "部署"),
    ]
    assert [str(d) for d in plan.phases[1].section.dependencies] == ["1"]
    assert not [p for p in validate_plan(plan) if p.is_error]


# --- expand and collapse -----------------------------------------------------------------------------


@pytest.mark.parametrize("text", [LETTERS, LETTERS.replace("\n", "\r\n"), CHINESE, CHINESE.rstrip("\n")])
def test_every_phase_round_trips_byte_for_byte(text: str) -> None:
    files, loc = {PATH: text}, _location()
    for phase in build_plan(files, loc).phases:
        expanded = expand_phase(files, loc, str(phase.number).lower())  # as typed: "phase a"
        again = build_plan(expanded.files, expanded.location)
        assert [p.number for p in again.phases if p.expanded] == [phase.number]
        assert not [p for p in validate_plan(again) if p.is_error]
        for stage in phase.section.children:
            deeper = expand_stage(expanded.files, expanded.location, phase.number, stage.number)
            back = collapse_stage(deeper.files, deeper.location, phase.number, stage.number)
            assert back.files == expanded.files
        assert collapse_phase(expanded.files, expanded.location, phase.number).files == files


def test_an_expanded_letter_phase_has_its_file_and_is_listed_in_the_metadata() -> None:
    files, loc = {PATH: LETTERS}, _location()
    expanded = expand_phase(files, loc, "A")
    assert "specs/plans/001_letters/phase_a_contracts_config.md" in expanded.files
    more = expand_phase(expanded.files, expanded.location, "C")
    main = parse_document(more.location.main_path, more.files[more.location.main_path])
    assert main.metadata is not None
    listed = main.metadata.get("expanded phases")
    assert listed is not None and listed.value == "[A, C]"
    assert read_id_list(listed.value) == [ItemId("A"), ItemId("C")]
    with_b = expand_phase(more.files, more.location, "b")
    staged = expand_stage(with_b.files, with_b.location, "B", "a")
    assert "specs/plans/001_letters/phase_b_inbound_connector/stage_a_polling.md" in staged.files
    back = collapse_stage(staged.files, staged.location, "B", "A")
    assert back.files == with_b.files
    back = collapse_phase(back.files, back.location, "B")
    back = collapse_phase(back.files, back.location, "C")
    assert collapse_phase(back.files, back.location, "A").files == files


def test_letter_phases_get_plansmiths_naming_in_a_folder_named_with_numbers() -> None:
    """ClaudeKit's ``phase-03-x.md`` and PIDEA's ``NAME-phase-3.md`` carry numbers only."""
    assert phase_file_stem("dash", "a", "contracts", "feature") == "phase_a_contracts"
    assert phase_file_stem("suffix", "a", "", "feature") == "phase_a"
    assert phase_file_stem("dash", "3", "x", "feature") == "phase-03-x"


# --- dependencies ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "ids"),
    [
        ("Phase A", ["A"]),
        ("Phases A-C", ["A", "B", "C"]),
        ("Phase A and Phase C", ["A", "C"]),
        ("[A, B]", ["A", "B"]),
        ("a, b", ["A", "B"]),
        ("Phase 2, Phase A", ["2", "A"]),
        ("Phase A-1", ["A-1"]),
        ("阶段 1", None),  # no dependency word of Chinese plans is read (none in the corpus)
        ("the phase a user starts", None),
        ("Phases 1 AND 2", ["1", "2"]),
    ],
)
def test_dependencies_name_letters(value: str, ids: list[str] | None) -> None:
    found = parse_dependencies(value)
    assert (None if found is None else [str(i) for i in found]) == ids


@pytest.mark.parametrize(
    ("value", "ids"), [("[A, C]", ["A", "C"]), ("[Phase B]", ["B"]), ("N/A", []), ("none", []), ("a few", [])]
)
def test_metadata_lists_read_letters_only_as_list_entries(value: str, ids: list[str]) -> None:
    assert [str(i) for i in read_id_list(value)] == ids


def test_a_letter_phase_whose_title_starts_with_a_number_keeps_its_id() -> None:
    """``phase_a_2_factor_login.md`` could be read as prefixed id A-2 from its name alone; the file's
    own title names phase A, and the title always wins over the name."""
    text = "# Login\n\n## Phase A: 2 factor login\n\n- [ ] codes\n\n## Phase B: Sessions\n\n- [ ] expiry\n"
    files, loc = {PATH: text}, _location()
    expanded = expand_phase(files, loc, "A")
    assert "specs/plans/001_letters/phase_a_2_factor_login.md" in expanded.files
    again = build_plan(expanded.files, expanded.location)
    assert [(str(p.number), p.expanded) for p in again.phases] == [("A", True), ("B", False)]
    assert collapse_phase(expanded.files, expanded.location, "A").files == files
