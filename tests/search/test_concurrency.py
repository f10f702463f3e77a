"""Several writer processes commit while the indexer runs: every committed change is found."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from community.extensions import db
from community.search import Listing, SearchDocument, register_source
from community.search.indexer import start_indexer_thread
from community.search.models import SearchChange
from tests.search.conftest import MEMBER

ROOT = Path(__file__).resolve().parents[2]
WRITERS = 2
CHANGES_PER_WRITER = 25


class NumberedSource:
    """Documents made from their id alone, so every process sees the same ones."""

    def load(self, ids):
        moment = datetime(2026, 1, 1, tzinfo=UTC)
        return [
            SearchDocument(
                id=doc_id,
                title=f"并发写入的问题 code{doc_id}x",
                body="多个进程同时提交",
                created_at=moment,
                updated_at=moment,
            )
            for doc_id in ids
        ]

    def all_ids(self):
        return []

    def count(self):
        return 0

    def search_database(self, words, limit):
        return []

    def listable(self, ids):
        return {doc_id: Listing(doc_id, public=False) for doc_id in ids}


@pytest.mark.concurrency
def test_every_change_committed_by_concurrent_writers_is_indexed(app, app_config, service):
    register_source(app, NumberedSource())
    from community.search.indexer import ensure_index

    ensure_index()
    indexer = start_indexer_thread(app)
    config = {
        key: value for key, value in app_config.items() if isinstance(value, str | int | bool)
    }
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    writers: list[subprocess.Popen] = []
    try:
        writers = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.search.post_changes",
                    json.dumps(config),
                    str(1 + number * CHANGES_PER_WRITER),
                    str(CHANGES_PER_WRITER),
                ],
                cwd=ROOT,
                env=env,
            )
            for number in range(WRITERS)
        ]
        for writer in writers:
            assert writer.wait(timeout=90) == 0
        deadline = time.monotonic() + 5
        total = WRITERS * CHANGES_PER_WRITER
        while time.monotonic() < deadline:
            db.session.rollback()
            if not db.session.scalar(select(func.count()).select_from(SearchChange)):
                break
            time.sleep(0.1)
    finally:
        for writer in writers:
            if writer.poll() is None:
                writer.kill()
                writer.wait()
        indexer.stop.set()
        indexer.join(timeout=5)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SearchChange)) == 0
    assert service.backend.document_count() == total
    for doc_id in (1, CHANGES_PER_WRITER, CHANGES_PER_WRITER + 1, total):
        hits = service.search(f"code{doc_id}x", reader=MEMBER).hits
        assert [hit.id for hit in hits] == [doc_id]


@pytest.mark.concurrency
def test_in_development_the_first_request_starts_the_indexer_thread(make_app, app_config, source):
    from tests.search.corpus import CorpusSource

    dev = make_app({**app_config, "SEARCH_INDEXER": "thread"})
    register_source(dev, CorpusSource())
    dev.test_client().get("/")
    indexer = dev.extensions["search"]["indexer"]
    try:
        assert indexer.is_alive()
        dev.test_client().get("/")
        assert dev.extensions["search"]["indexer"] is indexer
    finally:
        indexer.stop.set()
        indexer.join(timeout=10)
