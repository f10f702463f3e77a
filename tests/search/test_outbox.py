"""The outbox: changes recorded in their transaction, applied after commit, never lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from community.extensions import db
from community.search import record_change
from community.search.errors import IndexBusy
from community.search.models import IndexState, SearchChange
from community.search.outbox import apply_all, apply_pending
from community.search.postgres_backend import ADVISORY_KEY
from tests.search.conftest import MEMBER
from tests.search.corpus import IDS

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def hold_index_lock(backend):
    """Hold the index's write lock the way another indexer process would."""
    if backend.name == "whoosh":
        with backend.writing():
            with pytest.raises(IndexBusy), backend.writing():
                pass
            yield
        return
    with db.engine.connect() as other:
        assert other.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}
        ).scalar()
        yield
        other.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})


def pending() -> list[int]:
    return list(db.session.scalars(select(SearchChange.document_id).order_by(SearchChange.id)))


def found(service, query: str) -> list[int]:
    return [hit.id for hit in service.search(query, reader=MEMBER).hits]


def test_a_change_is_written_in_the_same_transaction(app):
    record_change(7)
    assert pending() == [7]
    db.session.commit()
    assert pending() == [7]


def test_a_rolled_back_transaction_writes_nothing(app):
    record_change(7)
    db.session.rollback()
    assert pending() == []


def test_applied_changes_are_searchable_and_their_rows_deleted(indexed, backend_name, source):
    source.documents[IDS["coffee"]].title = "手冲咖啡和意式浓缩的区别"
    record_change(IDS["coffee"])
    db.session.commit()
    assert IDS["coffee"] not in found(indexed, "意式浓缩")
    assert apply_all(indexed.backend) == 1
    assert IDS["coffee"] in found(indexed, "意式浓缩")
    assert pending() == []
    state = db.session.get(IndexState, backend_name)
    assert state.last_change_id > 0 and state.applied_at is not None


def test_a_deleted_or_vanished_document_leaves_the_index(indexed, backend_name, source):
    source.documents[IDS["coffee"]].deleted = True
    del source.documents[IDS["cat_food"]]
    record_change(IDS["coffee"])
    record_change(IDS["cat_food"])
    db.session.commit()
    apply_all(indexed.backend)
    assert IDS["coffee"] not in found(indexed, "手冲咖啡")
    assert IDS["cat_food"] not in found(indexed, "猫粮")


def test_rows_stay_when_the_index_commit_fails(indexed, backend_name, source, monkeypatch):
    source.documents[IDS["coffee"]].title = "意式浓缩咖啡机"
    record_change(IDS["coffee"])
    db.session.commit()

    class Broken(Exception):
        pass

    def broken_put(self, documents):
        raise Broken

    writer_class = type(indexed.backend).writer_class
    monkeypatch.setattr(writer_class, "put", broken_put)
    with pytest.raises(Broken):
        apply_pending(indexed.backend)
    db.session.rollback()
    assert pending() == [IDS["coffee"]]
    monkeypatch.undo()
    apply_all(indexed.backend)
    assert pending() == []
    assert IDS["coffee"] in found(indexed, "意式浓缩")


def test_a_change_recorded_during_a_batch_is_applied_in_the_next(indexed, backend_name, source):
    record_change(IDS["coffee"])
    db.session.commit()
    original_load = source.load

    def load_and_change(ids):
        documents = original_load(ids)
        source.documents[IDS["coffee"]].title = "冷萃咖啡怎么做"
        with db.engine.begin() as connection:
            connection.execute(
                SearchChange.__table__.insert().values(
                    document_id=IDS["coffee"], created_at=documents[0].created_at
                )
            )
        return documents

    source.load = load_and_change
    assert apply_pending(indexed.backend) == 1
    source.load = original_load
    assert pending() == [IDS["coffee"]]
    apply_all(indexed.backend)
    assert IDS["coffee"] in found(indexed, "冷萃")


def test_a_second_indexer_backs_off_while_the_first_holds_the_lock(indexed, backend_name):
    record_change(IDS["coffee"])
    db.session.commit()
    with hold_index_lock(indexed.backend):
        assert apply_pending(indexed.backend) == 0
        assert pending() == [IDS["coffee"]]
    assert apply_all(indexed.backend) == 1
    assert pending() == []


@pytest.mark.concurrency
def test_killing_the_worker_mid_batch_loses_nothing(app, app_config, indexed, backend_name, source):
    for doc_id in source.documents:
        record_change(doc_id)
    db.session.commit()
    total = len(pending())
    config = {
        key: value for key, value in app_config.items() if isinstance(value, str | int | bool)
    }
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen(
        [sys.executable, "-m", "tests.search.slow_worker", json.dumps(config)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    ) as worker:
        loads = 0
        for line in worker.stdout:
            loads += line.startswith("loading")
            if loads == 3:
                break
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    db.session.rollback()
    left = len(pending())
    assert 0 < left < total
    apply_all(indexed.backend)
    assert pending() == []
    for key in ("bitcoin", "coffee", "alias_target", "unanswered_vpn"):
        assert IDS[key] in found(indexed, source.documents[IDS[key]].title)


@pytest.mark.concurrency
def test_the_in_process_indexer_thread_follows_commits(indexed, backend_name, source, app):
    from community.search.indexer import start_indexer_thread

    thread = start_indexer_thread(app)
    try:
        source.documents[IDS["coffee"]].title = "挂耳咖啡推荐"
        record_change(IDS["coffee"])
        db.session.commit()
        deadline = time.monotonic() + 3
        while IDS["coffee"] not in found(indexed, "挂耳") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert IDS["coffee"] in found(indexed, "挂耳")
    finally:
        thread.stop.set()
        thread.join(timeout=5)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SearchChange)) == 0
