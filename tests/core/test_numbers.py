"""The one place numbers from requests are read: ASCII digits, within the columns' range."""

import pytest

from community.numbers import MAX_FEN, MAX_ID, parse_id, parse_int, parse_typed_int, parse_yuan


@pytest.mark.parametrize(
    "text",
    [None, "", " ", "²", "①", "٣", "１", "-1", "+1", "0", "1.0", "1e3", "0x1", "NaN", "1 2"]
    + [str(MAX_ID + 1), str(2**63), "1" * 5000],
)
def test_ids_are_ascii_digits_from_one_to_the_largest_id(text):
    assert parse_id(text) is None


@pytest.mark.parametrize(("text", "expected"), [("1", 1), (" 42 ", 42), ("007", 7)])
def test_ids_that_are_read(text, expected):
    assert parse_id(text) == expected
    assert parse_id(str(MAX_ID)) == MAX_ID


def test_bounds_are_the_callers():
    assert parse_int("0", 0, 10) == 0
    assert parse_int("10", 0, 10) == 10
    assert parse_int("11", 0, 10) is None
    assert parse_int("0", 1, 10) is None


def test_typed_numbers_accept_full_width_digits_only():
    assert parse_typed_int("３０") == 30
    assert parse_typed_int(" 30 ") == 30
    assert parse_typed_int("٣") is None
    assert parse_typed_int("²") is None
    assert parse_typed_int("-5") is None


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("99.50", 9950),
        ("99.5", 9950),
        ("99", 9900),
        ("0", 0),
        ("¥1,299.00", 129900),
        ("９９．５", 9950),
        ("￥１００", 10000),
        (" 0.01 ", 1),
    ],
)
def test_amounts_in_yuan(text, fen):
    assert parse_yuan(text) == fen


@pytest.mark.parametrize(
    "text",
    [None, "", "NaN", "sNaN", "-NaN", "Infinity", "-Infinity", "inf", "1e999", "1E+2", "-0"]
    + ["-1", "+1", "1.234", ".5", "5.", "٣", "²", "1_000", "0x10", str(MAX_FEN // 100 + 1)],
)
def test_what_is_not_an_amount_in_yuan(text):
    assert parse_yuan(text) is None
