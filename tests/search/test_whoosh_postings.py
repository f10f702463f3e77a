"""Compact postings: the same documents, weights, positions and scores as Whoosh's own codec."""

from __future__ import annotations

import random

import pytest
from whoosh import index
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import TEXT, Schema
from whoosh.matching import ReadTooFar

from community.search.whoosh_postings import BisectingMatcher, CompactCodec

WORDS = ["common"] * 8 + ["rare", "other", "more"]


def build(path, codec):
    """2,000 documents: "common" in most (many blocks), "rare" in a few, with repeats."""
    rng = random.Random(7)
    path.mkdir()
    ix = index.create_in(str(path), Schema(text=TEXT()))
    writer = ix.writer(codec=codec)
    for _ in range(2000):
        writer.add_document(text=" ".join(rng.choices(WORDS, k=rng.randint(1, 12))))
    writer.commit()
    return ix


@pytest.fixture
def searchers(tmp_path):
    """A searcher of Whoosh's own codec and one of ours, over the same documents."""
    with (
        build(tmp_path / "w3", W3Codec()).searcher() as theirs,
        build(tmp_path / "compact", CompactCodec()).searcher() as ours,
    ):
        yield theirs, ours


@pytest.fixture
def readers(searchers):
    return [searcher.reader() for searcher in searchers]


def postings(matcher) -> list[tuple]:
    found = []
    while matcher.is_active():
        found.append((matcher.id(), matcher.weight(), matcher.value_as("positions")))
        matcher.next()
    return found


def visit(matcher, targets: list[int]) -> list[int | None]:
    found = []
    for target in targets:
        try:
            matcher.skip_to(target)
        except ReadTooFar:
            found.append(None)
            continue
        found.append(matcher.id() if matcher.is_active() else None)
    return found


@pytest.mark.parametrize("word", ["common", "rare", "more"])
def test_postings_read_back_the_same(readers, word):
    theirs, ours = readers
    matcher = ours.postings("text", word)
    assert isinstance(matcher, BisectingMatcher)
    assert postings(matcher) == postings(theirs.postings("text", word))


@pytest.mark.parametrize("word", ["common", "rare"])
def test_skipping_lands_on_the_same_documents(readers, word):
    theirs, ours = readers
    targets = sorted(random.Random(word).sample(range(2100), 300))
    assert visit(ours.postings("text", word), targets) == visit(
        theirs.postings("text", word), targets
    )


def test_skipping_backwards_stays_put_and_past_the_end_deactivates(readers):
    _theirs, ours = readers
    matcher = ours.postings("text", "common")
    matcher.skip_to(500)
    here = matcher.id()
    matcher.skip_to(10)
    assert matcher.id() == here
    matcher.skip_to(10_000)
    assert not matcher.is_active()
    with pytest.raises(ReadTooFar):
        matcher.skip_to(10_001)


def test_phrase_searches_score_the_same(searchers):
    query = wq.Phrase("text", ["common", "rare"])
    results = [
        [(hit.docnum, round(hit.score, 9)) for hit in searcher.search(query, limit=None)]
        for searcher in searchers
    ]
    assert results[0] and results[0] == results[1]
