"""Operators' side of a deal: creating, editing, scheduling, retiring and duplicating it, and
the warning that the same item is already live."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from community.clock import utcnow
from community.deals.models import (
    DRAFT,
    EXPIRED,
    LIVE,
    PUBLISHED,
    RETIRED,
    SCHEDULED,
    Deal,
    DealClick,
    DealTag,
)
from community.errors import NotAllowed, ValidationFailed
from community.extensions import db

# Fields an import or a form sets directly (tags, window and status have their own rules).
PLAIN_FIELDS = (
    "title",
    "description",
    "platform",
    "list_price",
    "price",
    "coupon",
    "coupon_code",
    "coupon_expires_at",
    "commission_rate",
    "url_template",
    "item_key",
    "image_url",
    "category",
)


def require_operator(actor) -> None:
    if actor is not None and not getattr(actor, "is_operator", False):
        raise NotAllowed(str(_l("Operators only.")))


def published_status(starts_at: datetime, expires_at: datetime | None, moment: datetime) -> str:
    """What a deal published now is stored as: expired already (kept for the record), waiting
    for its start, or live."""
    if expires_at is not None and expires_at <= moment:
        return EXPIRED
    return SCHEDULED if starts_at > moment else LIVE


def window(values: dict, moment: datetime, current: datetime | None = None) -> datetime:
    """The start a deal gets: the one given, else the one it has, else now (never after its
    end, for a deal that is over already)."""
    starts_at = values.get("starts_at") or current or moment
    expires_at = values.get("expires_at")
    return min(starts_at, expires_at) if expires_at is not None else starts_at


def set_tags(deal: Deal, names: list[str]) -> None:
    if deal.tag_names == names:
        return
    if deal.tags:
        # The old rows go first: a tag kept in a new position is the same primary key.
        deal.tags.clear()
        db.session.flush()
    deal.tags.extend(DealTag(name=name, position=index) for index, name in enumerate(names))


def create(values: dict, moment: datetime, actor=None, status: str | None = None) -> Deal:
    """A new deal from cleaned values; published (by its window) unless `status` says draft."""
    require_operator(actor)
    starts_at = window(values, moment)
    deal = Deal(
        external_id=values.get("external_id"),
        starts_at=starts_at,
        expires_at=values.get("expires_at"),
        status=status or published_status(starts_at, values.get("expires_at"), moment),
        created_by_id=getattr(actor, "id", None),
        **{name: values[name] for name in PLAIN_FIELDS if name in values},
    )
    db.session.add(deal)
    set_tags(deal, values.get("tags", []))
    return deal


def update_from_import(deal: Deal, values: dict, moment: datetime) -> bool:
    """Bring `deal` in line with an imported row; False when nothing differed. A retired deal
    stays retired; otherwise its window decides the status again."""
    starts_at = window(values, moment, deal.starts_at)
    wanted = {name: values[name] for name in PLAIN_FIELDS}
    wanted |= {"starts_at": starts_at, "expires_at": values.get("expires_at")}
    if deal.status not in (RETIRED, DRAFT):
        wanted["status"] = published_status(starts_at, values.get("expires_at"), moment)
        if wanted["status"] == EXPIRED and deal.status in PUBLISHED:
            # Already over and shown as such by its window; not a change worth writing.
            wanted["status"] = deal.status
    changed = {name: value for name, value in wanted.items() if getattr(deal, name) != value}
    tags_changed = deal.tag_names != values.get("tags", [])
    for name, value in changed.items():
        setattr(deal, name, value)
    set_tags(deal, values.get("tags", []))
    return bool(changed) or tags_changed


def save(actor, deal: Deal | None, values: dict, publish: bool, moment: datetime) -> Deal:
    """An operator's form: a new deal or changes to one; `publish` puts it in the feed from its
    start (a start in the future schedules it), otherwise it stays or becomes a draft."""
    require_operator(actor)
    taken = values.get("external_id") and db.session.scalar(
        select(Deal.id).where(Deal.external_id == values["external_id"])
    )
    if taken and (deal is None or taken != deal.id):
        raise ValidationFailed([("id", str(_l("Another deal has this id.")))])
    if deal is None:
        return create(values, moment, actor, status=None if publish else DRAFT)
    # A draft published without a start starts now, not when it was first written.
    starts_at = window(values, moment, None if deal.status == DRAFT else deal.starts_at)
    for name in PLAIN_FIELDS:
        setattr(deal, name, values[name])
    deal.external_id = values.get("external_id")
    deal.starts_at, deal.expires_at = starts_at, values.get("expires_at")
    if publish:
        deal.status = published_status(starts_at, deal.expires_at, moment)
        deal.retired_at = None
    elif deal.status != RETIRED:
        deal.status = DRAFT
    set_tags(deal, values.get("tags", []))
    return deal


def retire(actor, deal: Deal, moment: datetime | None = None) -> None:
    """Take a deal out of the feed for good; its page says it was withdrawn."""
    require_operator(actor)
    deal.status, deal.retired_at = RETIRED, moment or utcnow()


def duplicate(actor, deal: Deal) -> Deal:
    """A draft copy of `deal` (no id, votes or clicks) for an operator to adjust and publish."""
    require_operator(actor)
    copy = Deal(
        status=DRAFT,
        starts_at=utcnow(),
        expires_at=None,
        created_by_id=actor.id,
        **{name: getattr(deal, name) for name in PLAIN_FIELDS},
    )
    copy.title = copy.title[:200]
    db.session.add(copy)
    set_tags(copy, deal.tag_names)
    return copy


def live_same_item(item_key: str, moment: datetime, other_than: int | None = None) -> list[Deal]:
    """Published deals open at `moment` for the same item, for the operator's warning."""
    query = select(Deal).where(
        Deal.item_key == item_key,
        Deal.status.in_(PUBLISHED),
        or_(Deal.expires_at.is_(None), Deal.expires_at > moment),
    )
    if other_than is not None:
        query = query.where(Deal.id != other_than)
    return list(db.session.scalars(query.order_by(Deal.id).limit(5)))


def click_counts(deal_ids) -> dict[int, int]:
    """Go-link clicks per deal, for the operators' list."""
    ids = list(deal_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(DealClick.deal_id, func.count(DealClick.id))
        .where(DealClick.deal_id.in_(ids))
        .group_by(DealClick.deal_id)
    ).all()
    return dict(rows)
