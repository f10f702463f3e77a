"""Our phrase and all-terms matchers find and score exactly what Whoosh's own queries do."""

from __future__ import annotations

import random

import pytest
from whoosh import index
from whoosh import query as wq
from whoosh.fields import TEXT, Schema

from community.search.whoosh_conjunction import AllTerms
from community.search.whoosh_phrase import WordPhrase

WORDS = ["alpha"] * 6 + ["beta"] * 3 + ["gamma", "delta"]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    rng = random.Random(11)
    ix = index.create_in(str(tmp_path_factory.mktemp("phrases")), Schema(text=TEXT()))
    writer = ix.writer()
    for _ in range(1500):
        writer.add_document(text=" ".join(rng.choices(WORDS, k=rng.randint(1, 15))))
    writer.commit()
    with ix.searcher() as searcher:
        yield searcher


def hits(searcher, query) -> list[tuple[int, float]]:
    return [(hit.docnum, round(hit.score, 9)) for hit in searcher.search(query, limit=None)]


@pytest.mark.parametrize(
    "words",
    [
        ["alpha", "beta"],
        ["beta", "alpha"],
        ["alpha", "alpha"],
        ["gamma", "delta", "alpha"],
        ["alpha", "beta", "alpha", "beta"],
        ["delta"],
        ["missing", "alpha"],
    ],
)
def test_phrases_match_and_score_as_whoosh_does(searcher, words):
    ours = hits(searcher, WordPhrase("text", words))
    assert ours == hits(searcher, wq.Phrase("text", words))
    if "missing" not in words:
        assert ours


@pytest.mark.parametrize(
    "words",
    [
        ["alpha", "beta"],
        ["gamma", "alpha", "delta"],
        ["delta", "gamma", "beta", "alpha"],
        ["beta"],
        ["alpha", "missing"],
    ],
)
def test_all_terms_match_and_score_as_whoosh_and_does(searcher, words):
    ours = hits(searcher, AllTerms("text", words))
    assert ours == hits(searcher, wq.And([wq.Term("text", word) for word in words]))
    if "missing" not in words:
        assert ours


def test_all_terms_skip_like_whoosh_and(searcher):
    words = ["gamma", "alpha", "delta"]
    ours = AllTerms("text", words).matcher(searcher, searcher.context())
    theirs = wq.And([wq.Term("text", word) for word in words]).matcher(searcher, searcher.context())
    for target in range(0, 1600, 37):
        for matcher in (ours, theirs):
            if matcher.is_active():
                matcher.skip_to(target)
        assert ours.is_active() == theirs.is_active()
        if ours.is_active():
            assert ours.id() == theirs.id()
