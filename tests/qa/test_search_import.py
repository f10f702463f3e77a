"""`flask qa import` leaves the search index up to date: the first search after it is answered by
the index (folding traditional characters), on a fresh site and on one with an index."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from community.extensions import db
from community.qa.access import ANY_MEMBER, ANYONE
from community.search import indexer
from community.search.models import SearchChange
from community.search.service import search_service
from tests.qa.search_helpers import BACKENDS, backend_config


@pytest.fixture(params=BACKENDS)
def app_config(app_config, request, database_url):
    return backend_config(app_config, request.param, database_url)


@pytest.fixture(autouse=True)
def close_searchers(app):
    yield
    search_service().backend.close()


def threads_file(tmp_path, count: int) -> str:
    lines = [
        json.dumps(
            {
                "id": f"ext-{number}",
                "title": f"第{number}个问题：比特币钱包怎么备份",
                "body": "助记词抄在纸上安全吗？",
                "tags": ["数字货币"],
                "author": "asker@example.com",
                "created_at": "2025-03-01T08:00:00+08:00",
                "answers": [],
            },
            ensure_ascii=False,
        )
        for number in range(count)
    ]
    path = tmp_path / "threads.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def pending() -> int:
    return db.session.scalar(select(func.count()).select_from(SearchChange))


def first_search(reader=ANYONE):
    db.session.rollback()
    return search_service().search("比特幣錢包", reader=reader, per_page=50)


def test_the_first_search_after_an_import_on_a_fresh_site_is_the_indexs(runner, tmp_path):
    assert not search_service().backend.is_ready()
    result = runner.invoke(args=["qa", "import", threads_file(tmp_path, 3)])
    assert result.exit_code == 0, result.output
    assert "search index up to date" in result.output
    results = first_search()
    assert not results.from_database
    assert results.total == 3
    assert pending() == 0


def test_an_import_into_an_indexed_site_applies_its_changes(runner, tmp_path, app):
    indexer.ensure_index()
    db.session.commit()
    result = runner.invoke(args=["qa", "import", threads_file(tmp_path, 4)])
    assert result.exit_code == 0, result.output
    assert pending() == 0
    results = first_search(ANY_MEMBER)
    assert not results.from_database and results.total == 4


def test_a_large_import_rebuilds_the_index_and_empties_the_outbox(
    runner, tmp_path, app, monkeypatch
):
    indexer.ensure_index()
    db.session.commit()
    monkeypatch.setattr(indexer, "REBUILD_FROM", 5)
    rebuilds = []
    rebuild = indexer.rebuild_index
    monkeypatch.setattr(indexer, "rebuild_index", lambda: rebuilds.append(1) or rebuild())
    result = runner.invoke(args=["qa", "import", threads_file(tmp_path, 6)])
    assert result.exit_code == 0, result.output
    assert rebuilds and pending() == 0
    assert first_search().total == 6
