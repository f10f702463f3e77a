"""Reading deals: the live feed with its filters and sorts, the member's estimated rebate, and
what a member does on a deal (值/不值 votes, go-link clicks)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, bindparam, case, func, or_, select, update
from sqlalchemy.orm import defer, joinedload, selectinload

from community.clock import utcnow
from community.database import insert_unless_present
from community.deals.models import PLATFORMS, PUBLISHED, Deal, DealClick, DealTag, DealVote
from community.extensions import db
from community.membership.entitlements import tier_now

PAGE_SIZE = 20
# The feed page counts matching deals up to this many (50 pages), then says "more than".
COUNTED = 1000
CHOICES_LIFETIME = timedelta(seconds=60)
SORTS = ("newest", "ending", "discount", "worth")
MAX_USER_AGENT = 255


@dataclass(frozen=True)
class FeedQuery:
    """What a reader asked the feed for; every field already checked."""

    platform: str | None = None
    category: str | None = None
    tag: str | None = None
    min_price: int | None = None
    max_price: int | None = None
    min_worth: int | None = None
    q: str | None = None
    sort: str = "newest"
    page: int = 1

    @property
    def filtered(self) -> bool:
        return any(
            value is not None
            for value in (
                self.platform,
                self.category,
                self.tag,
                self.min_price,
                self.max_price,
                self.min_worth,
                self.q,
            )
        )


@dataclass(frozen=True)
class FeedPage:
    deals: list[Deal]
    total: int
    page: int
    pages: int
    capped: bool = False


def live_at(moment: datetime):
    """Published and within its window at `moment`: how deals leave the feed by time alone."""
    return and_(
        Deal.status.in_(PUBLISHED),
        Deal.starts_at <= moment,
        or_(Deal.expires_at.is_(None), Deal.expires_at > moment),
    )


def worth_percent_expression():
    votes = Deal.worth_votes + Deal.unworth_votes
    return case((votes > 0, Deal.worth_votes * 100 / votes), else_=0)


def discount_expression():
    return case(
        (Deal.list_price > 0, (Deal.list_price - Deal.price) * 10_000 / Deal.list_price),
        else_=0,
    )


def feed_filter(query: FeedQuery, moment: datetime) -> list:
    conditions = [live_at(moment)]
    if query.platform in PLATFORMS:
        conditions.append(Deal.platform == query.platform)
    if query.category:
        conditions.append(Deal.category == query.category)
    if query.tag:
        conditions.append(Deal.id.in_(select(DealTag.deal_id).where(DealTag.name == query.tag)))
    if query.min_price is not None:
        conditions.append(Deal.price >= query.min_price)
    if query.max_price is not None:
        conditions.append(Deal.price <= query.max_price)
    if query.min_worth:
        votes = Deal.worth_votes + Deal.unworth_votes
        conditions.append(and_(votes > 0, Deal.worth_votes * 100 >= query.min_worth * votes))
    if query.q:
        pattern = "%" + query.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(
            or_(Deal.title.ilike(pattern, escape="\\"), Deal.category.ilike(pattern, escape="\\"))
        )
    return conditions


def feed_order(sort: str) -> list:
    if sort == "ending":
        # Deals without an end come last.
        return [Deal.expires_at.is_(None), Deal.expires_at.asc(), Deal.id.desc()]
    if sort == "discount":
        return [discount_expression().desc(), Deal.id.desc()]
    if sort == "worth":
        return [worth_percent_expression().desc(), Deal.worth_votes.desc(), Deal.id.desc()]
    return [Deal.starts_at.desc(), Deal.id.desc()]


def feed(
    query: FeedQuery,
    moment: datetime | None = None,
    page_size: int = PAGE_SIZE,
    count_up_to: int | None = None,
) -> FeedPage:
    """One page of live deals matching `query`, in its order. With `count_up_to`, counting
    stops there (`capped` says it did): a page needs no exact count of ten thousand deals."""
    moment = moment or utcnow()
    conditions = feed_filter(query, moment)
    matching = select(Deal.id).where(*conditions)
    if count_up_to is not None:
        matching = matching.limit(count_up_to + 1)
    total = db.session.scalar(select(func.count()).select_from(matching.subquery())) or 0
    capped = count_up_to is not None and total > count_up_to
    total = min(total, count_up_to) if capped else total
    pages = max(1, -(-total // page_size))
    page = min(max(query.page, 1), pages)
    deals = db.session.scalars(
        select(Deal)
        .where(*conditions)
        # Cards show neither the description nor the template.
        .options(selectinload(Deal.tags), defer(Deal.description), defer(Deal.url_template))
        .order_by(*feed_order(query.sort))
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    return FeedPage(deals=list(deals), total=total, page=page, pages=pages, capped=capped)


def live_deals(limit: int = 5, moment: datetime | None = None) -> list[Deal]:
    """The newest live deals, for a member's home page."""
    return feed(FeedQuery(), moment, page_size=limit).deals


def feed_choices(moment: datetime | None = None) -> dict[str, list[str]]:
    """The categories and tags live deals have, for the feed's filter menus: counted over every
    live deal, so kept a minute per process (they name no price and change slowly)."""
    moment = moment or utcnow()
    kept = current_app.extensions.setdefault("deal_choices", {})
    if "value" in kept and kept["at"] <= moment < kept["at"] + CHOICES_LIFETIME:
        return kept["value"]
    kept.update(value=count_choices(moment), at=moment)
    return kept["value"]


def count_choices(moment: datetime) -> dict[str, list[str]]:
    categories = db.session.scalars(
        select(Deal.category)
        .where(live_at(moment), Deal.category != "")
        .group_by(Deal.category)
        .order_by(func.count(Deal.id).desc(), Deal.category)
        .limit(30)
    )
    tags = db.session.scalars(
        select(DealTag.name)
        .join(Deal, Deal.id == DealTag.deal_id)
        .where(live_at(moment))
        .group_by(DealTag.name)
        .order_by(func.count(DealTag.deal_id).desc(), DealTag.name)
        .limit(30)
    )
    return {"categories": list(categories), "tags": list(tags)}


def rebate_share(user) -> int:
    """The percent of a commission `user`'s tier passes on to them now."""
    return tier_now(user).rebate_share


def estimated_rebate(deal: Deal, share: int) -> int:
    """Fen a member with `share` percent may expect back from buying `deal` at its price."""
    return deal.price * deal.commission_rate * share // 1_000_000


def worth_percent(deal: Deal) -> int | None:
    votes = deal.worth_votes + deal.unworth_votes
    return round(deal.worth_votes * 100 / votes) if votes else None


def vote_column():
    """The vote of `:user_id` on `:deal_id` (True for 值, False for 不值, NULL for none)."""
    return (
        select(DealVote.worth)
        .where(DealVote.deal_id == bindparam("deal_id"), DealVote.user_id == bindparam("user_id"))
        .scalar_subquery()
    )


def load_deal(deal_id: int) -> Deal | None:
    """The deal with its tags, in one statement (for rendering its page)."""
    return db.session.get(Deal, deal_id, options=[joinedload(Deal.tags)])


def vote(user, deal: Deal, worth: bool) -> None:
    """Record `user`'s 值 (True) or 不值 on `deal`, replacing their earlier vote; the counts
    move by exactly the change, whatever other votes arrive at the same moment."""
    moment = utcnow()
    inserted = insert_unless_present(
        db.session,
        DealVote,
        {
            "deal_id": deal.id,
            "user_id": user.id,
            "worth": worth,
            "created_at": moment,
            "updated_at": moment,
        },
        ["deal_id", "user_id"],
    )
    if inserted:
        column = "worth_votes" if worth else "unworth_votes"
        bump(deal.id, **{column: 1})
        return
    switched = db.session.execute(
        update(DealVote)
        .where(
            DealVote.deal_id == deal.id,
            DealVote.user_id == user.id,
            DealVote.worth.is_not(worth),
        )
        .values(worth=worth, updated_at=moment)
    ).rowcount
    if switched:
        bump(deal.id, worth_votes=1 if worth else -1, unworth_votes=-1 if worth else 1)


def bump(deal_id: int, **changes: int) -> None:
    db.session.execute(
        update(Deal)
        .where(Deal.id == deal_id)
        .values({getattr(Deal, name): getattr(Deal, name) + by for name, by in changes.items()})
        .execution_options(synchronize_session=False)
    )
    deal = db.session.get(Deal, deal_id)
    if deal is not None:
        db.session.refresh(deal, ["worth_votes", "unworth_votes"])


def hashed_ip(address: str | None, secret: str) -> str:
    """The visitor's address as a keyed hash: the same address gives the same value, and the
    address cannot be read back."""
    return hmac.new(secret.encode(), (address or "").encode(), hashlib.sha256).hexdigest()


def record_click(user, deal: Deal, ip_hash: str, user_agent: str | None) -> None:
    """One row per redirect answered; the caller commits before answering."""
    db.session.add(
        DealClick(
            deal_id=deal.id,
            user_id=user.id,
            clicked_at=utcnow(),
            ip_hash=ip_hash,
            user_agent=(user_agent or "")[:MAX_USER_AGENT],
        )
    )
