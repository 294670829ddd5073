"""Phase and stage ids: every form real plans use, one canonical spelling, a natural total order."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plansmith.plan.ids import ItemId, id_from_file_stem, item_name, natural_key

from .strategies import item_ids


@pytest.mark.parametrize(
    ("written", "canonical", "as_json", "token"),
    [
        ("0", "0", 0, "0"),
        ("3", "3", 3, "3"),
        ("03", "3", 3, "3"),
        ("0.5", "0.5", "0.5", "0_5"),
        ("2.5", "2.5", "2.5", "2_5"),
        ("3.1.2", "3.1.2", "3.1.2", "3_1_2"),
        ("5a", "5a", "5a", "5a"),
        ("5B", "5b", "5b", "5b"),
        ("4A", "4a", "4a", "4a"),
        ("10a.1", "10a.1", "10a.1", "10a_1"),
        ("10A.02", "10a.2", "10a.2", "10a_2"),
        ("CF-1", "CF-1", "CF-1", "cf_1"),
        ("cf-2.5", "CF-2.5", "CF-2.5", "cf_2_5"),
    ],
)
def test_each_id_form_is_read_as_written(
    written: str, canonical: str, as_json: int | str, token: str
) -> None:
    number = ItemId(written)
    assert str(number) == canonical
    assert number.as_json() == as_json
    assert number.file_token == token
    assert ItemId.parse(written) == number


@pytest.mark.parametrize("text", ["", "xy", "1-3", "2..5", "-1", "3.", ".5", "5ab", "TOOLONGPREFIX-1", "1 2"])
def test_other_text_is_no_id(text: str) -> None:
    assert ItemId.parse(text) is None
    with pytest.raises(ValueError):
        ItemId(text)


def test_natural_order_of_the_documented_examples() -> None:
    written = ["CF-2", "6", "5b", "2.10", "2.5", "5a", "0.5", "10", "2", "5", "X-1", "CF-1", "3", "0"]
    ordered = [str(i) for i in sorted(ItemId(w) for w in written)]
    assert ordered == ["0", "0.5", "2", "2.5", "2.10", "3", "5", "5a", "5b", "6", "10", "CF-1", "CF-2", "X-1"]


def test_a_lettered_phase_with_numbered_parts_sorts_between_its_letters() -> None:
    written = ["11", "10a.10", "10.1", "10b", "10a.2", "10a", "10a.1", "10"]
    ordered = [str(i) for i in sorted(ItemId(w) for w in written)]
    assert ordered == ["10", "10a", "10a.1", "10a.2", "10a.10", "10b", "10.1", "11"]
    assert ItemId("10a.1").whole == 10 and not ItemId("10a.1").is_integer


def test_integer_ids_equal_and_hash_like_their_int() -> None:
    assert ItemId(3) == 3
    assert 3 == ItemId("3")  # noqa: SIM300 - the int on the left is the point
    assert ItemId("2.5") != 2 and ItemId("5a") != 5
    assert {ItemId(3): "x"}[3] == "x"
    assert ItemId(3) != "3"  # text is parsed explicitly, never compared
    assert ItemId(2) < 3 and ItemId("2.5") > 2


def test_item_names_are_unambiguous() -> None:
    assert item_name(ItemId(3)) == "phase_3"
    assert item_name(ItemId(3), ItemId(1)) == "phase_3_stage_1"
    assert item_name(ItemId("2.5")) == "phase_2.5"
    assert item_name(ItemId("CF-1"), ItemId("1a")) == "phase_CF-1_stage_1a"


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("phase_3_database", "3"),
        ("phase_3", "3"),
        ("phase_2_5_slug", "2.5"),
        ("phase_5a_slug", "5a"),
        ("phase_10a_1_slug", "10a.1"),
        ("phase_5a_2fa_setup", "5a"),  # "2fa" is the slug: an id part is digits only
        ("phase_cf_1_slug", "CF-1"),
        ("phase_7_overview", "7"),
        ("stage_2_x", None),  # a stage file is not a phase
    ],
)
def test_ids_from_file_names(stem: str, expected: str | None) -> None:
    found = id_from_file_stem("phase", stem)
    assert (str(found) if found is not None else None) == expected


def test_ids_survive_pickling() -> None:
    assert pickle.loads(pickle.dumps(ItemId("CF-1"))) == ItemId("CF-1")


@given(item_ids, item_ids, item_ids)
def test_natural_order_is_a_total_order_consistent_with_equality(a: ItemId, b: ItemId, c: ItemId) -> None:
    assert (a == b) == (natural_key(a) == natural_key(b)) == (str(a) == str(b))
    assert (a < b) + (a == b) + (a > b) == 1  # exactly one holds
    assert (a <= b) == (a < b or a == b)
    if a <= b and b <= c:
        assert a <= c
    if a == b:
        assert hash(a) == hash(b)
    assert ItemId(str(a)) == a  # the canonical spelling reads back as the same id


@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_integer_ids_order_like_their_ints(m: int, n: int) -> None:
    assert (ItemId(m) < ItemId(n)) == (m < n)
    assert ItemId(m) < ItemId(f"{m}a") < ItemId(f"{m}.1")  # a letter before a decimal of the same number
    assert ItemId(m) < ItemId(f"{m}a") < ItemId(m + 1)
    assert ItemId(m) < ItemId(f"{m}.5") < ItemId(m + 1)
    assert ItemId(m) < ItemId("A-0")  # prefixed ids come after every unprefixed one
