"""The bisecting postings reader finds exactly what Whoosh's own reader finds."""

from __future__ import annotations

import random

import pytest
from whoosh import index
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.fields import TEXT, Schema
from whoosh.matching import ReadTooFar

from community.search.whoosh_postings import BisectingCodec, BisectingMatcher


@pytest.fixture
def reader(tmp_path):
    """A segment where "common" is in most of 2,000 documents and "rare" in a few (many blocks)."""
    rng = random.Random(7)
    ix = index.create_in(str(tmp_path), Schema(text=TEXT()))
    writer = ix.writer(codec=BisectingCodec())
    for _ in range(2000):
        words = ["common"] if rng.random() < 0.8 else []
        words += ["rare"] if rng.random() < 0.05 else []
        writer.add_document(text=" ".join(words or ["other"]))
    writer.commit()
    with ix.reader() as reader:
        yield reader


def matchers(reader, term: str):
    """Whoosh's matcher and ours over the same postings."""
    ours = reader.postings("text", term)
    assert isinstance(ours, BisectingMatcher)
    theirs = W3LeafMatcher(ours._postfile, ours._startoffset, ours._length, ours.format)
    return theirs, ours


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


@pytest.mark.parametrize("term", ["common", "rare"])
def test_skipping_lands_on_the_same_documents(reader, term):
    theirs, ours = matchers(reader, term)
    assert list(ours.all_ids()) == list(theirs.all_ids())
    targets = sorted(random.Random(term).sample(range(2100), 300))
    theirs, ours = matchers(reader, term)
    assert visit(ours, targets) == visit(theirs, targets)


def test_skipping_backwards_stays_put_and_past_the_end_deactivates(reader):
    _theirs, ours = matchers(reader, "common")
    ours.skip_to(500)
    here = ours.id()
    ours.skip_to(10)
    assert ours.id() == here
    ours.skip_to(10_000)
    assert not ours.is_active()
    with pytest.raises(ReadTooFar):
        ours.skip_to(10_001)
