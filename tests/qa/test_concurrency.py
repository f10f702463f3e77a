"""Two members at the same moment: what one writes must not make the other's post fail."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from community.extensions import db
from community.qa.models import Tag
from community.qa.services import tags as tag_service


def test_two_posts_bringing_in_the_same_new_tag_at_once_share_it(app):
    """The second waits for the first's uncommitted tag row, then uses it (no unique error)."""
    first_inserted, ids, failures = threading.Event(), {}, []

    def first() -> None:
        with app.app_context():
            try:
                ids["first"] = tag_service.resolve_tags("并发标签 年费")[0].id
                first_inserted.set()
                # Holding the new row uncommitted while the other request tries to add it.
                threading.Event().wait(0.5)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported by the test below
                failures.append(("first", error))
                first_inserted.set()
            finally:
                db.session.remove()

    def second() -> None:
        first_inserted.wait(10)
        with app.app_context():
            try:
                ids["second"] = tag_service.resolve_tags("并发标签")[0].id
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported by the test below
                failures.append(("second", error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert failures == []
    assert ids["first"] == ids["second"]
    named = select(func.count()).select_from(Tag).where(Tag.name == "并发标签")
    assert db.session.scalar(named) == 1
