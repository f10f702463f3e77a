"""Array postings records read back what Whoosh's own codec stores, through Whoosh's readers."""

from __future__ import annotations

import random

import pytest
from whoosh import index
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import ID, KEYWORD, TEXT, Schema

from community.search.whoosh_codec import ArrayCodec

WORDS = ["common"] * 8 + ["rare", "other", "more"]


def build(path, codec, segments: int = 1):
    """1,200 documents in `segments` commits: "common" in most, "rare" in a few, repeats."""
    rng = random.Random(7)
    path.mkdir()
    ix = index.create_in(
        str(path), Schema(key=ID(stored=True, unique=True), text=TEXT(stored=True), tags=KEYWORD)
    )
    per_commit = 1200 // segments
    for commit in range(segments):
        writer = ix.writer(codec=codec, compound=False)
        for number in range(commit * per_commit, (commit + 1) * per_commit):
            writer.add_document(
                key=str(number),
                text=" ".join(rng.choices(WORDS, k=rng.randint(1, 12))),
                tags=" ".join(rng.sample(["a", "b", "c", "d"], rng.randint(0, 3))),
            )
        writer.commit(merge=False)
    return ix


def postings(reader, field, term) -> list[tuple]:
    matcher = reader.postings(field, term)
    found = []
    while matcher.is_active():
        value = matcher.value_as("positions") if field == "text" else matcher.value()
        found.append((matcher.id(), matcher.weight(), value))
        matcher.next()
    return found


@pytest.fixture
def indexes(tmp_path):
    return build(tmp_path / "w3", W3Codec()), build(tmp_path / "arrays", ArrayCodec())


def test_every_term_reads_back_the_same_postings_and_statistics(indexes):
    with indexes[0].reader() as theirs, indexes[1].reader() as ours:
        compare_readers(theirs, ours)


def compare_readers(theirs, ours) -> None:
    terms = list(theirs.all_terms())
    assert terms == list(ours.all_terms())
    for field, term in terms:
        assert postings(ours, field, term) == postings(theirs, field, term), (field, term)
        mine, whooshs = ours.term_info(field, term), theirs.term_info(field, term)
        assert (mine.doc_frequency(), mine.weight(), mine.max_weight()) == (
            whooshs.doc_frequency(),
            whooshs.weight(),
            whooshs.max_weight(),
        )
    assert [ours.stored_fields(n) for n in range(1200)] == [
        theirs.stored_fields(n) for n in range(1200)
    ]


@pytest.mark.parametrize(
    "query",
    [
        wq.Term("text", "rare"),
        wq.Phrase("text", ["common", "rare"]),
        wq.And([wq.Term("text", "other"), wq.Term("tags", "b")]),
    ],
)
def test_whoosh_searches_score_the_same(indexes, query):
    results = []
    for ix in indexes:
        with ix.searcher() as searcher:
            results.append(
                [(hit.docnum, round(hit.score, 9)) for hit in searcher.search(query, limit=None)]
            )
    assert results[0] and results[0] == results[1]


def test_segments_merge_and_documents_delete_through_our_records(tmp_path):
    ix = build(tmp_path / "merged", ArrayCodec(), segments=4)
    assert len(ix._segments()) == 4
    writer = ix.writer(codec=ArrayCodec(), compound=False)
    writer.delete_by_term("key", "5")
    writer.commit(optimize=True)
    with ix.searcher() as searcher:
        assert len(ix._segments()) == 1
        assert searcher.doc_count() == 1199
        assert not searcher.search(wq.Term("key", "5"))
        rare = searcher.search(wq.Term("text", "rare"), limit=None)
        assert rare and all("rare" in hit["text"] for hit in rare)
