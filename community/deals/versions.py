"""The deals' version: one number that changes with every write the feed or a deal page shows.

Shared renderings of deal pages (deals/pages.py) are keyed by it, so a vote, an edit, an import
or a comment retires them in every worker and host at once. Changes made through the ORM are
found at flush time, and bulk INSERTs, UPDATEs and DELETEs of those rows as they run; the
version changes once as the transaction commits. As with the Q&A's render versions, it is a
fresh random number, never a count, so a restored backup never repeats one.

Deals also enter and leave the feed by time alone (`starts_at`, `expires_at`); `stamp` gives
the next such moment beside the version, so a key changes when one passes.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from itertools import chain

from sqlalchemy import bindparam, event, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState, Session

from community.deals.member_models import DealComment
from community.deals.models import PUBLISHED, Deal, DealsVersion, DealTag, DealVote
from community.extensions import db

PENDING = "deals_version_bump"
SHOWN = (Deal, DealTag, DealVote, DealComment)
TABLE = DealsVersion.__table__


def new_version() -> int:
    return 1 + secrets.randbelow(2**31 - 2)


def stamp_columns() -> tuple:
    """The version, and the first moments after `:moment` a published deal starts and any deal
    ends: three scalar subqueries, for a statement to select beside what else it asks."""
    moment = bindparam("moment", type_=Deal.starts_at.type)
    next_start = (
        select(func.min(Deal.starts_at))
        .where(Deal.status.in_(PUBLISHED), Deal.starts_at > moment)
        .scalar_subquery()
    )
    next_end = select(func.min(Deal.expires_at)).where(Deal.expires_at > moment).scalar_subquery()
    version = select(TABLE.c.version).where(TABLE.c.id == 1).scalar_subquery()
    return version, next_start, next_end


def stamp_of(version, next_start, next_end) -> tuple[int, str]:
    """The stamp from the values of `stamp_columns`: the version and the next boundary."""
    boundary = min((value for value in (next_start, next_end) if value is not None), default=None)
    return version or 0, "" if boundary is None else boundary.isoformat()


# Built once: a feed page served from a shared rendering asks only this.
STAMP = select(*stamp_columns())


def stamp(moment: datetime) -> tuple[int, str]:
    """The version now, and the next moment a published deal starts or ends (one query)."""
    return stamp_of(*db.session.connection().execute(STAMP, {"moment": moment}).one())


def bump(session: Session) -> None:
    """A new version, inside the caller's transaction (the row is made if it went missing)."""
    connection = session.connection()
    version = new_version()
    if connection.execute(update(TABLE).where(TABLE.c.id == 1).values(version=version)).rowcount:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    connection.execute(dialect.insert(TABLE).values(id=1, version=version).on_conflict_do_nothing())


def collect(session: Session, _flush_context, _instances) -> None:
    if any(isinstance(item, SHOWN) for item in chain(session.new, session.dirty, session.deleted)):
        session.info[PENDING] = True


def bulk_change(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    if state.bind_mapper is not None and state.bind_mapper.class_ in SHOWN:
        state.session.info[PENDING] = True


def apply(session: Session) -> None:
    """Before a commit: flush what is left (collecting it), then change the version once."""
    session.flush()
    if session.info.pop(PENDING, False):
        bump(session)


def forget(session: Session, *_args) -> None:
    session.info.pop(PENDING, None)


def init_app() -> None:
    if not event.contains(db.session, "before_flush", collect):
        event.listen(db.session, "before_flush", collect)
        event.listen(db.session, "before_commit", apply)
        event.listen(db.session, "after_rollback", forget)
        event.listen(db.session, "do_orm_execute", bulk_change)
