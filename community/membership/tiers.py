"""The seeded tiers and the lookups every page needs."""

from __future__ import annotations

from sqlalchemy import select

from community.extensions import db
from community.membership.models import Tier

FREE = "free"

DEFAULT_TIERS = (
    {
        "slug": "free",
        "name": "免费用户",
        "description": "浏览问题标题与摘要，搜索标题，获取邀请链接。",
        "annual_price": 0,
        "rebate_share": 0,
        "rank": 0,
    },
    {
        "slug": "member",
        "name": "会员",
        "description": "阅读全部回答，提问、回答、评论，订阅优惠信息并获得返利。",
        "annual_price": 19900,
        "rebate_share": 50,
        "rank": 10,
        "can_read_answers": True,
        "can_ask": True,
        "can_deals": True,
    },
    {
        "slug": "pro",
        "name": "专业会员",
        "description": "会员的一切，外加向专家提问，返利比例更高。",
        "annual_price": 49900,
        "rebate_share": 70,
        "rank": 20,
        "can_read_answers": True,
        "can_ask": True,
        "can_deals": True,
        "can_ask_expert": True,
    },
)


def seed_default_tiers() -> list[Tier]:
    """Create any of the default tiers that are missing; existing rows are left as edited."""
    existing = {tier.slug for tier in db.session.scalars(select(Tier))}
    created = [Tier(**row) for row in DEFAULT_TIERS if row["slug"] not in existing]
    db.session.add_all(created)
    db.session.flush()
    return created


def tiers_for_sale() -> list[Tier]:
    return list(db.session.scalars(select(Tier).where(Tier.is_public).order_by(Tier.rank)))


def tier_by_slug(slug: str) -> Tier | None:
    return db.session.scalar(select(Tier).where(Tier.slug == slug))
