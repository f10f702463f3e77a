"""`flask search ...` and the index's life: rebuild and swap, status, a missing or corrupt index."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import select

from community.extensions import db
from community.search import record_change
from community.search.indexer import ensure_index
from community.search.models import DictionaryTerm, IndexState
from community.search.whoosh_index import FORMAT_FILE
from tests.search.conftest import MEMBER, VISITOR
from tests.search.corpus import DOCUMENTS, IDS
from tests.search.relevance import QUERIES


def indexed_count() -> int:
    return sum(not doc.deleted for doc in DOCUMENTS)


def test_reindex_builds_every_document_with_a_progress_bar(runner, service, backend_name):
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexing" in result.output
    assert f"Indexed {indexed_count()} documents." in result.output
    assert service.backend.document_count() == indexed_count()
    assert service.search("比特币", reader=MEMBER).hits[0].id == IDS["bitcoin"]


def test_reindex_swaps_in_a_new_directory_and_open_searchers_follow(runner, service, app, source):
    assert runner.invoke(args=["search", "reindex"]).exit_code == 0
    root = Path(app.config["SEARCH_INDEX_DIR"])
    first = os.readlink(root / "current")
    assert service.search("挂耳", reader=MEMBER).total == 0
    source.documents[IDS["coffee"]].title = "挂耳咖啡推荐"
    assert runner.invoke(args=["search", "reindex"]).exit_code == 0
    second = os.readlink(root / "current")
    assert first != second
    assert (root / second).is_dir()
    assert IDS["coffee"] in [hit.id for hit in service.search("挂耳", reader=MEMBER).hits]


def test_reindex_in_several_processes_finds_what_one_process_finds(runner, service):
    def answers():
        return [
            [(hit.id, round(hit.score, 6)) for hit in service.search(query, reader=MEMBER).hits]
            for query, _key in QUERIES
        ]

    assert runner.invoke(args=["search", "reindex", "--processes", "1"]).exit_code == 0
    one_process = answers()
    result = runner.invoke(args=["search", "reindex", "--processes", "2"])
    assert result.exit_code == 0, result.output
    assert f"Indexed {indexed_count()} documents." in result.output
    assert answers() == one_process


def test_status_prints_documents_pending_changes_and_the_last_change(runner, indexed, backend_name):
    record_change(IDS["coffee"])
    record_change(IDS["cat_food"])
    db.session.commit()
    output = runner.invoke(args=["search", "status"]).output
    assert f"Backend: {backend_name}" in output
    assert f"Documents: {indexed_count()}" in output
    assert "Pending changes: 2" in output
    assert "Last applied change: none" in output
    from community.search.outbox import apply_all

    apply_all(indexed.backend)
    output = runner.invoke(args=["search", "status"]).output
    assert "Pending changes: 0" in output
    assert "Last applied change: #2 at " in output


def test_status_without_an_index(runner, service):
    output = runner.invoke(args=["search", "status"]).output
    assert "Documents: no index" in output


def test_search_answers_from_the_database_while_the_index_is_missing(service, source):
    results = service.search("比特币", reader=VISITOR)
    assert results.from_database
    assert IDS["bitcoin"] in [hit.id for hit in results.hits]
    assert IDS["deleted_spam"] not in [hit.id for hit in results.hits]
    for hit in results.hits:
        assert "区块链" not in str(hit.snippet)


def test_the_database_fallback_matches_visitors_only_against_what_they_may_read(service, source):
    coffee = source.documents[IDS["coffee"]]
    coffee.body = "器材怎么选？" + "，".join(["磨豆机、手冲壶、滤杯"] * 12) + "，最后说说摩卡壶。"
    coffee.teaser = coffee.body[:140] + "…"
    assert "摩卡壶" not in coffee.teaser
    assert [hit.id for hit in service.search("摩卡壶", reader=MEMBER).hits] == [coffee.id]
    results = service.search("摩卡壶", reader=VISITOR)
    assert results.from_database
    assert (results.total, results.hits) == (0, [])
    assert [hit.id for hit in service.search("器材", reader=VISITOR).hits] == [coffee.id]


def test_a_missing_index_is_rebuilt_on_start(service):
    ensure_index()
    assert service.backend.document_count() == indexed_count()
    assert not service.search("比特币", reader=MEMBER).from_database


def test_a_corrupt_index_is_rebuilt_on_start(indexed, app):
    root = Path(app.config["SEARCH_INDEX_DIR"]) / "current"
    for path in root.iterdir():
        if path.suffix in (".toc", ".seg", ".pst", ".trm"):
            path.write_bytes(b"garbage")
    indexed.backend.close()
    assert not indexed.backend.is_ready()
    assert indexed.search("比特币", reader=MEMBER).from_database
    ensure_index()
    results = indexed.search("比特币", reader=MEMBER)
    assert not results.from_database
    assert results.hits[0].id == IDS["bitcoin"]


def test_an_index_of_another_format_answers_from_the_database_and_is_rebuilt_on_start(
    indexed, app, backend_name
):
    # What an index written before this version looks like to it.
    if backend_name == "whoosh":
        (Path(app.config["SEARCH_INDEX_DIR"]) / "current" / FORMAT_FILE).unlink()
    else:
        db.session.get(IndexState, "postgres").index_format = 1
        db.session.commit()
    indexed.backend.close()
    assert not indexed.backend.is_ready()
    results = indexed.search("比特币", reader=MEMBER)
    assert results.from_database
    assert IDS["bitcoin"] in [hit.id for hit in results.hits]
    ensure_index()
    results = indexed.search("比特币", reader=MEMBER)
    assert not results.from_database
    assert results.hits[0].id == IDS["bitcoin"]


def test_dictionary_words_are_added_listed_and_removed(runner, app):
    result = runner.invoke(args=["search", "dictionary", "add", "淘寶客", "年费", "年费"])
    assert result.exit_code == 0
    assert "reindex" in result.output
    assert sorted(db.session.scalars(select(DictionaryTerm.term))) == ["年费", "淘宝客"]
    assert runner.invoke(args=["search", "dictionary", "list"]).output.split() == ["年费", "淘宝客"]
    runner.invoke(args=["search", "dictionary", "remove", "年费"])
    assert list(db.session.scalars(select(DictionaryTerm.term))) == ["淘宝客"]


def test_the_dictionary_reaches_the_analyzer_of_both_sides(runner, indexed):
    from community.search.analysis import query_words, use_dictionary

    try:
        runner.invoke(args=["search", "dictionary", "add", "淘宝客"])
        indexed.refresh_dictionary(force=True)
        assert query_words("淘宝客返利") == ["淘宝客", "返利"]
        assert runner.invoke(args=["search", "reindex"]).exit_code == 0
        assert indexed.search("淘宝客", reader=MEMBER).hits[0].id == IDS["taobaoke"]
    finally:
        use_dictionary([])


def test_commands_that_need_a_source_say_so(app, runner):
    app.extensions["search"].pop("source")
    for command in (["search", "reindex"], ["search", "worker"]):
        result = runner.invoke(args=command)
        assert result.exit_code != 0
        assert "No search source is registered" in result.output
