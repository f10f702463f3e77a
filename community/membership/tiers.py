"""The seeded tiers, the lookups every page needs, and a tier's texts in each language."""

from __future__ import annotations

import unicodedata

from babel import Locale
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from community.errors import ValidationFailed
from community.extensions import db
from community.membership.models import Tier

FREE = "free"
NAME_MAX = 60
DESCRIPTION_MAX = 2000
# The languages with texts of their own on a tier (columns `name_<lang>`, `description_<lang>`);
# every other language, Chinese first of all, reads `name` and `description`.
TRANSLATED_LANGUAGES = ("en",)

DEFAULT_TIERS = (
    {
        "slug": "free",
        "name": "免费用户",
        "description": "浏览问题标题与摘要，搜索标题，获取邀请链接。",
        "name_en": "Free",
        "description_en": (
            "Browse question titles and summaries, search titles, get an invite link."
        ),
        "annual_price": 0,
        "rebate_share": 0,
        "rank": 0,
    },
    {
        "slug": "member",
        "name": "会员",
        "description": "阅读全部回答，提问、回答、评论，订阅优惠信息并获得返利。",
        "name_en": "Member",
        "description_en": (
            "Read every answer; ask, answer and comment; follow the deal feed and earn rebates."
        ),
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
        "name_en": "Pro",
        "description_en": (
            "Everything a member gets, plus asking an expert and a higher rebate share."
        ),
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


def _text(tier: Tier, field: str, locale: Locale | None) -> str:
    language = (locale or get_locale() or Locale("zh")).language
    if language in TRANSLATED_LANGUAGES:
        translated = getattr(tier, f"{field}_{language}")
        if translated:
            return translated
    return getattr(tier, field)


def tier_name(tier: Tier, locale: Locale | None = None) -> str:
    """The tier's name in `locale` (default: the request's), else its Chinese name."""
    return _text(tier, "name", locale)


def tier_description(tier: Tier, locale: Locale | None = None) -> str:
    """The tier's description in `locale` (default: the request's), else the Chinese one."""
    return _text(tier, "description", locale)


def unshowable(text: str) -> bool:
    """Whether `text` holds control or unpaired surrogate characters (PostgreSQL refuses NUL)."""
    return any(unicodedata.category(char) in ("Cc", "Cs") and char not in "\n\r\t" for char in text)


def set_tier_texts(
    tier: Tier,
    *,
    name: str | None = None,
    description: str | None = None,
    name_en: str | None = None,
    description_en: str | None = None,
) -> Tier:
    """Change the given texts of `tier` (None leaves one as it is). The Chinese name may not be
    empty; an English text may, and English readers then see the Chinese one."""
    given = {
        "name": name,
        "description": description,
        "name_en": name_en,
        "description_en": description_en,
    }
    cleaned = {}
    errors = []
    for field, value in given.items():
        if value is None:
            continue
        is_name = field.startswith("name")
        value = " ".join(value.split()) if is_name else value.strip()
        limit = NAME_MAX if is_name else DESCRIPTION_MAX
        if field == "name" and not value:
            errors.append((field, _("A tier needs a name.")))
        elif unshowable(value):
            errors.append((field, _("The text contains characters that cannot be shown.")))
        elif len(value) > limit:
            errors.append((field, _("Use at most %(count)d characters.", count=limit)))
        cleaned[field] = value
    if errors:
        raise ValidationFailed(errors)
    for field, value in cleaned.items():
        setattr(tier, field, value)
    db.session.flush()
    return tier
