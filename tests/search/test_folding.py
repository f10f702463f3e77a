"""Folding by table: the same text as NFKC, lower case and OpenCC's table, for any text."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from community.search.analysis import TABLE_FROM, fold, traditional_to_simplified
from community.search.bulk_folding import fold_many

SEPARATOR = "\x0c"
# Characters where folding is interesting: full-width forms, traditional and compatibility
# ideographs, ligatures and units, combining marks and what they compose with, Hangul jamo,
# Greek sigma, Latin with accents, characters outside the BMP, and any character at all.
INTERESTING = st.sampled_from(
    list("ＷｉＦｉ１２３，。？！體資庫國東ﬁﬂ㎏㎡ΣσςéeE\u0301\u0308\u1100\u1161\u11a8ㄱㅏİ😀𠀋 ab")
)
TEXT = st.text(st.one_of(INTERESTING, st.characters(blacklist_categories=["Cs"])), max_size=120)


def by_string_methods(text: str) -> str:
    """What folding was before the table: Python's string methods only."""
    folded = unicodedata.normalize("NFKC", text).lower()
    if len(folded) != len(text):
        folded = "".join(unicodedata.normalize("NFKC", char).lower() for char in text)
    return folded.translate(traditional_to_simplified())


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_the_table_folds_any_text_as_the_string_methods_do(text):
    text = text * (TABLE_FROM // max(len(text), 1) + 1)
    assert fold(text)[0] == by_string_methods(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXT.map(lambda text: text.replace(SEPARATOR, " ")), min_size=1, max_size=12))
def test_folding_many_texts_at_once_folds_each_as_alone(texts):
    assert fold_many(texts, SEPARATOR).split(SEPARATOR) == [fold(text)[0] for text in texts]
