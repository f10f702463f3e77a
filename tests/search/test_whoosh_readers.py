"""A searcher opened before a commit that merges segments away reads on from them: every stored
value, length and posting it had when it opened (the files it opened outlive their names)."""

from __future__ import annotations

from whoosh import index

from community.search import whoosh_segments
from community.search.query import parse_query, plan_query
from community.search.whoosh_backend import WhooshBackend
from community.search.whoosh_index import WRITER_OPTIONS
from community.search.whoosh_schema import document_fields
from tests.search.whoosh_corpus import whoosh_documents

DOCUMENTS = whoosh_documents(100)
QUERIES = ["比特币", "信用卡 年费", '"信用卡年费"', "[理财]", "wifi -路由器"]


def pages(backend: WhooshBackend) -> dict:
    """Every query's total, facets and page (stored values and scores), as members see it."""
    found = {}
    for text in QUERIES:
        page = backend.search(
            plan_query(parse_query(text)), page=1, per_page=20, sort="relevance", open_only=False
        )
        found[text] = (page.total, page.facets, page.entries)
    return found


def segment_files(ix) -> set[str]:
    names = set(ix.storage.list())
    return {name for segment in ix._segments() for name in segment.list_files(ix.storage)} & names


def test_a_searcher_opened_before_a_merge_reads_the_segments_merged_away(tmp_path, monkeypatch):
    backend = WhooshBackend(str(tmp_path / "search"))
    backend.rebuild(iter(DOCUMENTS[:100]), lambda count: None)
    ix = backend.store.open()
    for start in range(100, len(DOCUMENTS), 40):
        writer = ix.writer(**WRITER_OPTIONS)
        for doc in DOCUMENTS[start : start + 40]:
            writer.add_document(**document_fields(doc))
        writer.commit(merge=False)
    old = backend.store.searcher()
    assert len(old.leaf_searchers()) >= 3
    before_merge = segment_files(index.open_dir(str(backend.store.current_path())))
    reference = WhooshBackend(str(tmp_path / "search"))
    expected = pages(reference)
    reference.close()

    writer = ix.writer(**WRITER_OPTIONS)
    writer.delete_by_term("id", str(DOCUMENTS[0].id))
    writer.commit(optimize=True)
    merged = index.open_dir(str(backend.store.current_path()))
    assert len(merged._segments()) == 1
    assert not before_merge & set(merged.storage.list())

    # Nothing of the old segments is cached: the old searcher reads it all from its files.
    whoosh_segments._cache.clear()
    monkeypatch.setattr(backend.store, "searcher", lambda: old)
    assert pages(backend) == expected
    stored = [old.stored_fields(number) for number in range(old.doc_count_all())]
    assert {int(fields["id"]) for fields in stored} == {doc.id for doc in DOCUMENTS}
    monkeypatch.undo()
    assert backend.store.searcher().doc_count() == len(DOCUMENTS) - 1
    backend.close()


def test_a_searcher_is_kept_until_the_index_changes_even_while_it_is_empty(tmp_path):
    backend = WhooshBackend(str(tmp_path / "search"))
    backend.rebuild(iter([]), lambda count: None)
    first = backend.store.searcher()
    assert first.doc_count() == 0
    assert backend.store.searcher() is first

    writer = backend.store.open().writer(**WRITER_OPTIONS)
    writer.add_document(**document_fields(DOCUMENTS[0]))
    writer.commit()
    fresh = backend.store.searcher()
    assert fresh is not first
    assert fresh.doc_count() == 1
    assert backend.store.searcher() is fresh
    backend.close()
