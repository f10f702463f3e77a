"""An index knows which backend it was kept for: after SEARCH_BACKEND was switched away and back,
the index that missed changes is answered around (from the database), shown as stale, and
rebuilt; a full rebuild takes out of the outbox exactly the changes it covered."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, insert, select

from community.clock import utcnow
from community.extensions import db
from community.qa.access import ANY_MEMBER
from community.search.indexer import ensure_index, rebuild_index
from community.search.models import IndexState, SearchChange
from community.search.service import search_service
from tests.qa.search_helpers import found_ids, run_indexer


@pytest.fixture(autouse=True)
def close_searchers(app):
    yield
    search_service().backend.close()


def other_backend_took_changes() -> None:
    """What the other backend's indexer leaves behind after applying changes."""
    db.session.add(IndexState(backend="postgres", last_change_id=0, applied_at=utcnow()))
    db.session.commit()


def test_an_index_that_missed_changes_is_stale_until_rebuilt(
    app, runner, make_question, member, monkeypatch
):
    from community.search import staleness

    monkeypatch.setattr(staleness, "CHECK_SECONDS", 0.0)
    first = make_question(author=member, title="第一个问题：公积金提取")
    db.session.commit()
    rebuild_index()
    assert found_ids("公积金") == [first.id]

    other_backend_took_changes()
    later = make_question(author=member, title="第二个问题：公积金贷款")
    db.session.commit()
    # The other backend's indexer took this change; this index never saw it.
    db.session.execute(SearchChange.__table__.delete())
    db.session.commit()

    results = search_service().search("公积金", reader=ANY_MEMBER)
    assert results.from_database
    assert sorted(hit.id for hit in results.hits) == sorted([first.id, later.id])
    status = runner.invoke(args=["search", "status"])
    assert "STALE: changes went to the postgres backend" in status.output

    ensure_index()
    results = search_service().search("公积金", reader=ANY_MEMBER)
    assert not results.from_database
    assert sorted(hit.id for hit in results.hits) == sorted([first.id, later.id])
    assert "STALE" not in runner.invoke(args=["search", "status"]).output


def test_an_index_kept_after_the_other_backend_is_current(app, make_question, member):
    db.session.add(
        IndexState(backend="postgres", last_change_id=0, applied_at=utcnow() - timedelta(days=1))
    )
    db.session.commit()
    question = make_question(author=member, title="问题：信用卡年费怎么免")
    db.session.commit()
    rebuild_index()
    results = search_service().search("年费", reader=ANY_MEMBER)
    assert not results.from_database and [hit.id for hit in results.hits] == [question.id]


def test_a_full_rebuild_clears_the_outbox_rows_it_covered(app, make_question, member, monkeypatch):
    for number in range(3):
        make_question(author=member, title=f"第{number}个问题：基金定投")
    db.session.commit()
    assert db.session.scalar(select(func.count(SearchChange.id))) == 3
    backend = search_service().backend
    real_rebuild = backend.rebuild
    written_meanwhile = []

    def rebuild_while_a_change_commits(documents, progress, processes):
        # A change committed by another connection after the rebuild read the outbox.
        engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        with engine.begin() as connection:
            written_meanwhile.extend(
                connection.execute(
                    insert(SearchChange)
                    .values(document_id=1, created_at=utcnow())
                    .returning(SearchChange.id)
                ).scalars()
            )
        engine.dispose()
        return real_rebuild(documents, progress, processes)

    monkeypatch.setattr(backend, "rebuild", rebuild_while_a_change_commits)
    assert rebuild_index() == 3
    assert list(db.session.scalars(select(SearchChange.id))) == written_meanwhile
    run_indexer()
    assert db.session.scalar(select(func.count(SearchChange.id))) == 0


@pytest.mark.services
def test_switching_backends_and_back_rebuilds_the_index_that_missed_changes(
    app, app_config, make_app, make_question, member, database_url
):
    if not database_url.startswith("postgresql"):
        pytest.skip("the PostgreSQL backend needs TEST_DATABASE_URL")
    first = make_question(author=member, title="第一个问题：公积金提取")
    db.session.commit()
    rebuild_index()

    postgres_site = make_app({**app_config, "SEARCH_BACKEND": "postgres"})
    with postgres_site.app_context():
        ensure_index()
        second = make_question(author=member, title="第二个问题：公积金贷款")
        db.session.commit()
        run_indexer()
        assert sorted(found_ids("公积金")) == sorted([first.id, second.id])
        search_service().backend.close()

    search_service().staleness.forget()
    assert search_service().search("公积金", reader=ANY_MEMBER).from_database
    ensure_index()
    assert sorted(found_ids("公积金")) == sorted([first.id, second.id])
    assert not search_service().search("公积金", reader=ANY_MEMBER).from_database
