"""What only the PostgreSQL backend has: one summary statement per search, planner settings set
back afterwards, the table's storage, and rebuilds that COPY into a new table and swap it in."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import event, text

from community.extensions import db
from community.search import record_change
from community.search.analysis import fold_text
from community.search.indexer import rebuild_index
from community.search.models import IndexedDocument
from community.search.outbox import apply_all
from community.search.postgres_backend import PostgresWriter
from community.search.postgres_rebuild import NEXT
from community.search.postgres_table import TABLE, VECTOR_COLUMNS, index_sql
from tests.search.conftest import MEMBER
from tests.search.corpus import IDS

SETTINGS = "SELECT current_setting('enable_seqscan') AS seqscan, current_setting('jit') AS jit"


@pytest.fixture(autouse=True)
def backend_name(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("the PostgreSQL backend needs TEST_DATABASE_URL")
    return "postgres"


def ids(results) -> list[int]:
    return [hit.id for hit in results.hits]


def table_shape() -> dict:
    """The indexes (name and definition), the vectors' storage and the table's options."""
    indexes = db.session.execute(
        text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'search_documents'")
    ).all()
    storage = db.session.execute(
        text(
            "SELECT attname, attstorage FROM pg_attribute"
            " WHERE attrelid = 'search_documents'::regclass"
            " AND attname IN ('terms', 'grams', 'open_terms', 'open_grams')"
        )
    ).all()
    options = db.session.scalar(
        text("SELECT reloptions FROM pg_class WHERE oid = 'search_documents'::regclass")
    )
    return {"indexes": dict(indexes), "storage": dict(storage), "options": options}


def stored_rows() -> dict[int, tuple]:
    rows = db.session.execute(text("SELECT * FROM search_documents ORDER BY id")).all()
    return {row.id: tuple(row) for row in rows}


def test_migrations_0004_and_0008_set_storage_and_indexes_and_are_undone(app):
    downgrade(revision="0003_render_version")
    try:
        db.session.remove()
        shape = table_shape()
        assert shape["storage"] == {"terms": "x", "grams": "x"}
        assert shape["options"] is None
        assert "ix_search_documents_author" not in shape["indexes"]
    finally:
        db.session.remove()
        upgrade()
    shape = table_shape()
    assert shape["storage"] == dict.fromkeys(VECTOR_COLUMNS, "m")
    assert shape["options"] == ["toast_tuple_target=128"]
    assert set(shape["indexes"]) == set(index_sql(TABLE))
    for column in VECTOR_COLUMNS:
        assert "WITH (fastupdate=off)" in shape["indexes"][f"ix_search_documents_{column}"]


def test_a_rebuild_keeps_the_table_as_migrations_make_it(indexed):
    migrated = table_shape()
    rebuild_index()
    db.session.commit()
    assert table_shape() == migrated
    assert db.session.scalar(text(f"SELECT to_regclass('{NEXT}')")) is None
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_readers_see_the_old_table_until_the_rebuild_commits(indexed, source):
    source.documents[IDS["coffee"]].title = "冷萃咖啡怎么做"
    seen_during = []

    def progress(count: int) -> None:
        if not seen_during:
            with db.engine.connect() as reader:
                seen_during.append(
                    reader.scalar(
                        text("SELECT title FROM search_documents WHERE id = :id"),
                        {"id": IDS["coffee"]},
                    )
                )

    old_title = db.session.get(IndexedDocument, IDS["coffee"]).title
    db.session.commit()
    rebuild_index(progress)
    assert seen_during == [old_title]
    assert ids(indexed.search("冷萃", reader=MEMBER)) == [IDS["coffee"]]


def test_a_failed_rebuild_leaves_the_old_table(indexed, source):
    before = stored_rows()
    db.session.commit()

    def documents():
        yield from list(source.documents.values())[:3]
        raise RuntimeError("source went away")

    with pytest.raises(RuntimeError, match="source went away"):
        indexed.backend.rebuild(documents(), lambda count: None)
    db.session.rollback()
    assert stored_rows() == before
    assert db.session.scalar(text(f"SELECT to_regclass('{NEXT}')")) is None


def test_copied_rows_equal_inserted_rows_in_one_process_or_several(indexed, source):
    awkward = replace(
        source.documents[IDS["coffee"]],
        title="制表\t换行\n回车\r反斜杠\\N 引号'\"",
        body="C:\\temp\\new 和 \\\\server\\share，结尾\\",
        tags=["咖啡", "back\\slash"],
    )
    source.documents[awkward.id] = awkward
    documents = [doc for doc in source.documents.values() if not doc.deleted]
    PostgresWriter().put(documents)
    inserted = stored_rows()
    db.session.commit()
    for processes in (1, 3):
        indexed.backend.rebuild(iter(source.documents.values()), lambda count: None, processes)
        assert stored_rows() == inserted


def test_changes_apply_after_a_rebuild(indexed, source):
    rebuild_index()
    db.session.commit()
    source.documents[IDS["coffee"]].title = "挂耳咖啡推荐"
    source.documents[IDS["cat_food"]].deleted = True
    record_change(IDS["coffee"])
    record_change(IDS["cat_food"])
    db.session.commit()
    assert apply_all(indexed.backend) == 2
    assert IDS["coffee"] in ids(indexed.search("挂耳", reader=MEMBER))
    assert IDS["cat_food"] not in ids(indexed.search("猫粮", reader=MEMBER))


def test_facets_count_every_match(indexed, source):
    results = indexed.search("[数码]", reader=MEMBER, per_page=2)
    assert len(results.hits) == 2 < results.total
    matching = [doc for doc in source.documents.values() if "数码" in doc.tags and not doc.deleted]
    counts = Counter(fold_text(tag) for doc in matching for tag in doc.tags)
    assert results.total == len(matching)
    assert results.facets == sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def test_a_search_sets_the_planner_settings_back(indexed):
    db.session.execute(text("SET jit = off"))
    before = db.session.execute(text(SETTINGS)).one()
    assert indexed.search("比特币", reader=MEMBER).total
    assert db.session.execute(text(SETTINGS)).one() == before == ("on", "off")
    db.session.execute(text("SELECT set_config('jit', 'on', true)"))
    assert indexed.search("比特币 钱包", reader=MEMBER, sort="newest").total
    assert db.session.execute(text(SETTINGS)).one() == ("on", "on")
    db.session.commit()
    assert db.session.execute(text(SETTINGS)).one() == ("on", "off")
    db.session.execute(text("RESET jit"))


def test_a_search_is_four_statements_whatever_it_matches(indexed, count_queries):
    with count_queries() as statements:
        indexed.search("[理财]", reader=MEMBER)
    searches = [sql for sql in statements if "search_documents" in sql]
    assert len(statements) == 4 and len(searches) == 2
    with count_queries() as statements:
        indexed.search("没有这个词", reader=MEMBER)
    assert len([sql for sql in statements if "WITH matches" in sql]) == 2


def test_a_question_removed_between_the_two_statements_is_left_out(indexed):
    first = indexed.search("[理财]", reader=MEMBER)
    gone = first.hits[1].id
    removed = []

    def remove_one(conn, cursor, statement, *args):
        if "= ANY" in statement and not removed:
            removed.append(gone)
            with db.engine.begin() as other:
                other.execute(text("DELETE FROM search_documents WHERE id = :id"), {"id": gone})

    db.session.commit()
    event.listen(db.engine, "before_cursor_execute", remove_one)
    try:
        again = indexed.search("[理财]", reader=MEMBER)
    finally:
        event.remove(db.engine, "before_cursor_execute", remove_one)
    assert removed and again.total == first.total
    assert ids(again) == [hit_id for hit_id in ids(first) if hit_id != gone]
