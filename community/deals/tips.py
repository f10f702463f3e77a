"""Tips (爆料): a member sends an item they found; an operator completes it and publishes it as
a deal that credits them, or turns it down with a reason the member reads."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from community.clock import utcnow
from community.deals import publishing
from community.deals.fields import MAX_TITLE, clean_deal
from community.deals.items import item_key
from community.deals.links import UNSAFE
from community.deals.member_models import PENDING, PUBLISHED, REJECTED, DealTip
from community.deals.models import Deal
from community.errors import NotAllowed, ValidationFailed
from community.extensions import db
from community.membership.entitlements import is_member
from community.numbers import parse_yuan
from community.qa.markdown import clean_line, has_control_characters
from community.qa.services.notifications import notify_about, register_kind
from community.site_links import site_path

MAX_URL = 1000
MAX_REASON = 1000
# A member's tips waiting at once, and sent within a day: more is a flood, not a find.
MAX_WAITING = 5
MAX_PER_DAY = 10

register_kind("deal_tip_published", _l("Your tip was published"))
register_kind("deal_tip_rejected", _l("Your tip was not published"))


def require_member(actor) -> None:
    if actor is None or not is_member(actor):
        raise NotAllowed(str(_l("Tips are for members.")))


def clean_tip(url: str | None, title: str | None, price: str | None, reason: str | None) -> dict:
    """The stored values of a tip, or ValidationFailed with every reason at once."""
    errors = []
    url = (url or "").strip()
    parts = urlsplit(url) if not UNSAFE.search(url) else None
    if not url:
        errors.append(("url", _l("Paste the item's link.")))
    elif len(url) > MAX_URL:
        errors.append(("url", _l("The link is longer than %(count)d characters.", count=MAX_URL)))
    elif (
        parts is None
        or parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or "@" in parts.netloc
    ):
        errors.append(("url", _l("The link must start with http:// or https:// and name a shop.")))
    title = clean_line(title)
    if not title:
        errors.append(("title", _l("Give the item's name.")))
    elif len(title) > MAX_TITLE or has_control_characters(title):
        errors.append(
            ("title", _l("The title is longer than %(count)d characters.", count=MAX_TITLE))
        )
    fen = parse_yuan(price)
    if fen is None:
        errors.append(("price", _l("The price is not an amount in yuan (like 189.00).")))
    reason = (reason or "").replace("\r\n", "\n").strip()
    if not reason:
        errors.append(("reason", _l("Say why it is a good deal.")))
    elif len(reason) > MAX_REASON or has_control_characters(reason):
        errors.append(("reason", _l("Keep it under %(max)d characters.", max=MAX_REASON)))
    if errors:
        raise ValidationFailed([(name, str(message)) for name, message in errors])
    return {"url": url, "item_key": item_key(url), "title": title, "price": fen, "reason": reason}


def refuse_flood(member, moment: datetime) -> None:
    waiting, today = db.session.execute(
        select(
            func.count(DealTip.id).filter(DealTip.status == PENDING),
            func.count(DealTip.id).filter(DealTip.created_at > moment - timedelta(days=1)),
        ).where(DealTip.user_id == member.id)
    ).one()
    if waiting >= MAX_WAITING:
        raise ValidationFailed(
            [
                (
                    None,
                    str(
                        _l(
                            "You have %(count)d tips waiting for review; wait for them first.",
                            count=waiting,
                        )
                    ),
                )
            ]
        )
    if today >= MAX_PER_DAY:
        raise ValidationFailed(
            [(None, str(_l("You sent %(count)d tips today; send more tomorrow.", count=today)))]
        )


def submit_tip(member, url, title, price, reason, moment: datetime | None = None) -> DealTip:
    """A member's tip, waiting for review; refused when the item is live already or tipped."""
    require_member(member)
    moment = moment or utcnow()
    values = clean_tip(url, title, price, reason)
    refuse_flood(member, moment)
    if publishing.live_same_item(values["item_key"], moment):
        raise ValidationFailed([("url", str(_l("This item is already in the deals.")))])
    duplicate = ValidationFailed(
        [("url", str(_l("Someone has tipped this item already; it is waiting for review.")))]
    )
    if db.session.scalar(select(DealTip.id).where(DealTip.pending_key == values["item_key"])):
        raise duplicate
    tip = DealTip(user_id=member.id, pending_key=values["item_key"], **values)
    try:
        # Two members may tip the same item at this moment: the unique key decides.
        with db.session.begin_nested():
            db.session.add(tip)
    except IntegrityError:
        raise duplicate from None
    return tip


def waiting_tips(limit: int = 100) -> list[DealTip]:
    """The operators' review queue, oldest first."""
    return list(
        db.session.scalars(
            select(DealTip)
            .where(DealTip.status == PENDING)
            .order_by(DealTip.created_at, DealTip.id)
            .limit(limit)
        )
    )


def tips_of(member, limit: int = 50) -> list[DealTip]:
    return list(
        db.session.scalars(
            select(DealTip)
            .where(DealTip.user_id == member.id)
            .order_by(DealTip.id.desc())
            .limit(limit)
        )
    )


def claim(actor, tip: DealTip, status: str, note: str = "", deal: Deal | None = None) -> None:
    """Move a waiting tip to `status` (one UPDATE that must find it still waiting, so two
    operators reviewing it at once cannot both act)."""
    claimed = db.session.execute(
        update(DealTip)
        .where(DealTip.id == tip.id, DealTip.status == PENDING)
        .values(
            status=status,
            pending_key=None,
            deal_id=deal.id if deal is not None else None,
            reviewed_by_id=actor.id,
            reviewed_at=utcnow(),
            review_note=note,
        )
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise NotAllowed(str(_l("This tip has been reviewed already.")))
    db.session.refresh(tip)


def publish_tip(actor, tip: DealTip, row: dict, moment: datetime | None = None) -> Deal:
    """An operator's completion of a tip (the deal form's fields as text) published as a deal
    that credits the member who tipped it."""
    publishing.require_operator(actor)
    if actor is None:
        raise NotAllowed(str(_l("Operators only.")))
    moment = moment or utcnow()
    deal = publishing.create(clean_deal(row), moment, actor)
    deal.tipped_by_id = tip.user_id
    db.session.flush()
    claim(actor, tip, PUBLISHED, deal=deal)
    notify_about(
        tip.user_id,
        "deal_tip_published",
        deal.title,
        site_path("deals.show", deal_id=deal.id),
    )
    return deal


def reject_tip(actor, tip: DealTip, note: str | None) -> None:
    """Turn a tip down; the member reads `note` on their tips page."""
    publishing.require_operator(actor)
    if actor is None:
        raise NotAllowed(str(_l("Operators only.")))
    note = clean_line(note)[:300]
    if not note:
        raise ValidationFailed([("note", str(_l("Tell the member why.")))])
    claim(actor, tip, REJECTED, note=note)
    notify_about(tip.user_id, "deal_tip_rejected", tip.title, site_path("deal_tips.mine"))


def completion_row(tip: DealTip) -> dict:
    """The deal form's first values for a tip: what the member gave."""
    return {
        "title": tip.title,
        "url": tip.url,
        "price": f"{tip.price // 100}.{tip.price % 100:02d}",
        "description": tip.reason,
    }
