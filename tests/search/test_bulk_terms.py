"""The pieces of a bulk rebuild that stand on their own: the key table, section positions."""

from __future__ import annotations

import random

import numpy as np

from community.search.bulk_terms import KeyTable, section_bases


def test_the_key_table_finds_what_was_entered_through_every_growth():
    rng = random.Random(3)
    table, expected = KeyTable(), {}
    for _ in range(6):
        new = [
            key for key in {rng.randrange(1 << 42) for _ in range(40_000)} if key not in expected
        ]
        numbers = list(range(len(expected), len(expected) + len(new)))
        table.add(new, numbers)
        expected.update(zip(new, numbers, strict=True))
    assert len(table.keys) > 1 << 16
    keys = np.array([*expected, *(rng.randrange(1 << 42) | 1 << 43 for _ in range(1000))])
    found = table.find(keys)
    assert found[: len(expected)].tolist() == list(expected.values())
    assert (found[len(expected) :] == -1).all()


def test_sections_start_past_the_one_before_plus_a_gap_and_empty_ones_take_none():
    used = np.array([3, 0, 2, 5, 0, 1])
    nonempty = np.array([True, False, True, True, True, False])
    assert section_bases(used, nonempty, 3, 100).tolist() == [0, 102, 102, 0, 104, 204]
