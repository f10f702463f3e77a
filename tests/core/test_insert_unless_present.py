"""insert_unless_present says whether it inserted, on SQLite and on PostgreSQL alike (psycopg
reports rowcount -1 for ORM-enabled inserts, so the count comes from RETURNING)."""

from community.clock import utcnow
from community.database import insert_unless_present
from community.extensions import db
from community.qa.models import Tag


def test_it_counts_one_insert_then_none(app):
    values = {"name": "信用卡", "created_at": utcnow()}
    assert insert_unless_present(db.session, Tag, values, ["name"]) == 1
    assert insert_unless_present(db.session, Tag, values, ["name"]) == 0
    assert db.session.query(Tag).filter_by(name="信用卡").count() == 1
