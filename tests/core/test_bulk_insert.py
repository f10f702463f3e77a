"""Bulk inserts (COPY on PostgreSQL, executemany on SQLite) write what an ORM insert writes:
defaults filled in, times as UTCDateTime stores them, text as given; reserved ids are new and
the table goes on counting after them."""

from datetime import UTC, datetime

from sqlalchemy import select

from community.clock import utcnow
from community.database import insert_rows, reserve_ids
from community.extensions import db
from community.qa.models import Tag

TAGS = Tag.__table__


def test_rows_go_in_with_their_defaults_and_reserved_ids(app):
    db.session.add(Tag(name="已有"))
    db.session.flush()
    first, second = reserve_ids(db.session, TAGS, 2)
    assert first > db.session.scalar(select(Tag.id).where(Tag.name == "已有"))
    moment = datetime(2025, 3, 1, 8, 30, tzinfo=UTC)
    insert_rows(
        db.session,
        TAGS,
        [
            {"id": first, "name": "制表\t换行\n反斜杠\\", "created_at": moment},
            {"id": second, "name": "年费", "created_at": moment},
        ],
    )
    before = utcnow()
    insert_rows(db.session, TAGS, [{"name": "默认时间"}, {"name": "又一个"}])
    db.session.commit()

    rows = {tag.name: tag for tag in db.session.scalars(select(Tag))}
    assert rows["制表\t换行\n反斜杠\\"].id == first and rows["年费"].id == second
    assert rows["年费"].created_at == moment
    assert rows["默认时间"].created_at >= before
    assert rows["默认时间"].id > second and rows["又一个"].id > rows["默认时间"].id
    db.session.add(Tag(name="之后"))
    db.session.commit()
    assert db.session.scalar(select(Tag.id).where(Tag.name == "之后")) > rows["又一个"].id
