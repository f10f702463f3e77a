"""A bulk rebuild writes the index Whoosh's own writer would: every term, posting, statistic,
stored value, length and sort key, in one process or several, in one segment or many."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest
from whoosh import index

from community.search import bulk_terms, whoosh_bulk, whoosh_rebuild
from community.search.rebuild_processes import RebuildFailed
from community.search.whoosh_index import WRITER_OPTIONS
from community.search.whoosh_rebuild import build_index
from community.search.whoosh_schema import document_fields, schema
from tests.search.whoosh_corpus import awkward_documents, whoosh_documents

DOCUMENTS = whoosh_documents()
LENGTHS = ("title_words", "words", "open_words", "grams", "open_grams", "tags")


def contents(ix) -> dict:
    """Everything the index holds, keyed by question id rather than document number."""
    with ix.reader() as reader:
        ids = {docnum: fields["id"] for docnum, fields in reader.iter_docs()}
        postings, statistics = {}, {}
        for field, term in reader.all_terms():
            matcher = reader.postings(field, term)
            found = {}
            while matcher.is_active():
                found[ids[matcher.id()]] = (matcher.weight(), matcher.value())
                matcher.next()
            postings[field, term] = found
            info = reader.term_info(field, term)
            statistics[field, term] = (
                info.doc_frequency(),
                round(info.weight(), 3),
                info.min_length(),
                info.max_length(),
                info.max_weight(),
            )
        documents = {
            ids[docnum]: (
                reader.stored_fields(docnum),
                [reader.doc_field_length(docnum, name) for name in LENGTHS],
                [reader.column_reader(name)[docnum] for name in ("votes", "boost", "created_at")],
            )
            for docnum in ids
        }
        totals = {name: reader.field_length(name) for name in LENGTHS}
    return {"postings": postings, "statistics": statistics, "docs": documents, "totals": totals}


@pytest.fixture(scope="module")
def whooshs_own(tmp_path_factory):
    ix = index.create_in(str(tmp_path_factory.mktemp("whoosh")), schema())
    writer = ix.writer(**WRITER_OPTIONS)
    for doc in DOCUMENTS:
        writer.add_document(**document_fields(doc))
    writer.commit()
    return contents(ix)


def bulk(path, processes: int = 1, documents=DOCUMENTS) -> index.Index:
    path.mkdir()
    ix = index.create_in(str(path), schema())
    build_index(ix, iter(documents), lambda count: None, processes)
    return index.open_dir(str(path))


def test_one_process_writes_what_whoosh_writes(tmp_path, whooshs_own):
    ix = bulk(tmp_path / "bulk")
    assert len(ix._segments()) == 1
    assert contents(ix) == whooshs_own


def test_several_processes_and_segments_write_what_whoosh_writes(
    tmp_path, whooshs_own, monkeypatch
):
    monkeypatch.setattr(whoosh_rebuild, "BATCH_DOCUMENTS", 50)
    monkeypatch.setattr(whoosh_rebuild, "CHUNK_DOCUMENTS", 200)
    monkeypatch.setattr(whoosh_bulk, "SEGMENT_DOCUMENTS", 120)
    ix = bulk(tmp_path / "bulk", processes=2)
    assert len(ix._segments()) >= 4
    assert contents(ix) == whooshs_own


def test_deleted_documents_are_left_out(tmp_path):
    documents = [replace(doc) for doc in DOCUMENTS[:20]]
    documents[3].deleted = True
    with bulk(tmp_path / "bulk", documents=documents).searcher() as searcher:
        assert searcher.doc_count() == 19
        assert str(documents[3].id) not in {fields["id"] for fields in searcher.all_stored_fields()}


def in_forked_process(action):
    """A stand-in for `SegmentBuilder.add_batch` that does `action` in forked processes only."""
    parent = os.getpid()
    add_batch = whoosh_bulk.SegmentBuilder.add_batch

    def add(self, docs):
        if os.getpid() != parent:
            action()
        return add_batch(self, docs)

    return add


def test_a_failing_process_fails_the_rebuild(tmp_path, monkeypatch):
    def fail():
        raise ValueError("disk on fire")

    monkeypatch.setattr(whoosh_bulk.SegmentBuilder, "add_batch", in_forked_process(fail))
    with pytest.raises(RebuildFailed, match="disk on fire"):
        bulk(tmp_path / "bulk", processes=2)


def test_a_process_that_dies_fails_the_rebuild(tmp_path, monkeypatch):
    monkeypatch.setattr(
        whoosh_bulk.SegmentBuilder, "add_batch", in_forked_process(lambda: os._exit(3))
    )
    with pytest.raises(RebuildFailed, match="exit code 3"):
        bulk(tmp_path / "bulk", processes=2)


def test_word_positions_past_what_a_key_holds_are_left_out_with_a_warning(
    tmp_path, monkeypatch, caplog
):
    monkeypatch.setattr(bulk_terms, "POSITION_LIMIT", 150)
    (doc,) = awkward_documents(1)
    doc.title, doc.body, doc.answers = "开头的标题", "，".join(["填充"] * 160 + ["结尾词语"]), []
    with bulk(tmp_path / "bulk", documents=[doc]).searcher() as searcher:
        terms = {
            term
            for field, term in searcher.reader().all_terms()
            if field in ("title_words", "words")
        }
    assert "开头".encode() in terms and "填充".encode() in terms
    assert "结尾".encode() not in terms
    assert "positions past the limit" in caplog.text


def merged_with_more(ix) -> dict:
    """The index after Whoosh's writer adds the remaining documents and merges everything."""
    writer = ix.writer(**WRITER_OPTIONS)
    for doc in DOCUMENTS[200:]:
        writer.add_document(**document_fields(doc))
    writer.commit(optimize=True)
    assert len(ix._segments()) == 1
    return contents(ix)


def test_bulk_segments_merge_as_whooshs_own_do(tmp_path):
    # Merging re-derives field length totals from the one-byte lengths, so both start alike.
    (tmp_path / "whoosh").mkdir()
    whooshs = index.create_in(str(tmp_path / "whoosh"), schema())
    writer = whooshs.writer(**WRITER_OPTIONS)
    for doc in DOCUMENTS[:200]:
        writer.add_document(**document_fields(doc))
    writer.commit()
    ours = bulk(tmp_path / "bulk", documents=DOCUMENTS[:200])
    assert merged_with_more(ours) == merged_with_more(whooshs)
