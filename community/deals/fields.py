"""What a deal's fields may hold: one check shared by the import and the operators' form.

`clean_deal` takes the fields as text (a CSV row, a JSON line, a form) and returns the values a
Deal stores, or raises ValidationFailed with every reason at once.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l

from community.deals.items import item_key
from community.deals.links import template_problem
from community.deals.models import PLATFORMS
from community.errors import ValidationFailed
from community.numbers import FULL_WIDTH, parse_yuan
from community.qa.markdown import clean_line, has_control_characters

MAX_TITLE = 200
MAX_DESCRIPTION = 20_000
MAX_TAGS = 10
MAX_TAG = 40
MAX_CATEGORY = 40
MAX_COUPON = 200
MAX_CODE = 64
MAX_EXTERNAL_ID = 64
PERCENT = re.compile(r"([0-9]{1,3})(?:\.([0-9]{1,2}))?")
PLATFORM_ALIASES = {
    "淘宝": "taobao",
    "天猫": "tmall",
    "京东": "jd",
    "拼多多": "pdd",
    "其他": "other",
}


def text_of(raw: dict, name: str) -> str:
    value = raw.get(name)
    return "" if value is None else str(value).strip()


def parse_rate(text: str) -> int | None:
    """A commission in percent ("5.5", "5.5%") as basis points (550), 0 to 100%."""
    text = text.translate(FULL_WIDTH).strip().removesuffix("%").strip()
    match = PERCENT.fullmatch(text)
    if match is None:
        return None
    whole, cents = match.groups()
    points = int(whole) * 100 + int((cents or "").ljust(2, "0"))
    return points if points <= 10_000 else None


def parse_moment(text: str) -> datetime | None:
    """ISO-8601 ("2026-12-24T20:00:00+08:00", "2026-12-24 20:00"); without an offset it is the
    site's time zone. Raises ValueError for anything else."""
    try:
        moment = datetime.fromisoformat(text.translate(FULL_WIDTH).strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(text) from None
    if moment.tzinfo is None:
        zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai"))
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def parse_tags(text: str) -> list[str]:
    seen: list[str] = []
    for piece in text.replace("｜", "|").split("|"):
        tag = clean_line(piece)[:MAX_TAG]
        if tag and tag not in seen:
            seen.append(tag)
    return seen


def clean_deal(raw: dict) -> dict:
    """The stored values of a deal described by `raw` (text fields named as in the import
    header); `starts_at` is None when not given. Raises ValidationFailed with every reason."""
    errors: list[tuple[str, object]] = []
    values: dict = {}

    def refuse(field: str, reason) -> None:
        errors.append((field, reason))

    external_id = text_of(raw, "id")
    if len(external_id) > MAX_EXTERNAL_ID or has_control_characters(external_id):
        refuse("id", _l("The id is longer than %(count)d characters.", count=MAX_EXTERNAL_ID))
    values["external_id"] = external_id or None

    title = clean_line(text_of(raw, "title"))
    if not title:
        refuse("title", _l("The title is missing."))
    elif len(title) > MAX_TITLE or has_control_characters(title):
        refuse("title", _l("The title is longer than %(count)d characters.", count=MAX_TITLE))
    values["title"] = title

    platform = text_of(raw, "platform").lower()
    platform = PLATFORM_ALIASES.get(platform, platform)
    if platform not in PLATFORMS:
        refuse(
            "platform",
            _l(
                "Unknown platform %(platform)s (use taobao, tmall, jd, pdd or other).",
                platform=repr(text_of(raw, "platform"))[:40],
            ),
        )
    values["platform"] = platform

    url = text_of(raw, "url")
    problem = template_problem(platform, url) if platform in PLATFORMS else None
    if problem is None and platform in PLATFORMS:
        values["url_template"], values["item_key"] = url, item_key(url)
    elif problem is not None:
        refuse("url", problem)

    price = parse_yuan(text_of(raw, "price"))
    if price is None:
        refuse("price", _l("The price is not an amount in yuan (like 189.00)."))
    list_text = text_of(raw, "list_price")
    list_price = parse_yuan(list_text) if list_text else None
    if list_text and list_price is None:
        refuse("list_price", _l("The list price is not an amount in yuan (like 199.00)."))
    elif price is not None and list_price is not None and price > list_price:
        refuse("price", _l("The deal price is above the list price."))
    values["price"], values["list_price"] = price, list_price

    rate_text = text_of(raw, "commission_rate")
    rate = parse_rate(rate_text) if rate_text else 0
    if rate is None:
        refuse("commission_rate", _l("The commission rate is not a percentage from 0 to 100."))
    values["commission_rate"] = rate

    coupon = clean_line(text_of(raw, "coupon"))
    code = clean_line(text_of(raw, "coupon_code"))
    if len(coupon) > MAX_COUPON or len(code) > MAX_CODE or has_control_characters(coupon + code):
        refuse("coupon", _l("The coupon is longer than %(count)d characters.", count=MAX_COUPON))
    values["coupon"], values["coupon_code"] = coupon, code

    category = clean_line(text_of(raw, "category"))
    if len(category) > MAX_CATEGORY or has_control_characters(category):
        refuse(
            "category", _l("The category is longer than %(count)d characters.", count=MAX_CATEGORY)
        )
    values["category"] = category

    tags = parse_tags(text_of(raw, "tags"))
    if len(tags) > MAX_TAGS or has_control_characters("".join(tags)):
        refuse("tags", _l("At most %(count)d tags.", count=MAX_TAGS))
    values["tags"] = tags

    description = text_of(raw, "description").replace("\r\n", "\n")
    if len(description) > MAX_DESCRIPTION or has_control_characters(description):
        refuse(
            "description",
            _l("The description is longer than %(count)d characters.", count=MAX_DESCRIPTION),
        )
    values["description"] = description

    image = text_of(raw, "image_url")
    if image and template_problem("other", image) is not None:
        refuse("image_url", _l("The image URL must start with http:// or https://."))
    values["image_url"] = image

    for name, label in (
        ("starts_at", _l("The start time is not an ISO-8601 time (like 2026-12-24T20:00+08:00).")),
        ("expires_at", _l("The end time is not an ISO-8601 time (like 2026-12-31T23:59+08:00).")),
        (
            "coupon_expires_at",
            _l("The coupon's end is not an ISO-8601 time (like 2026-12-31T23:59+08:00)."),
        ),
    ):
        given = text_of(raw, name)
        try:
            values[name] = parse_moment(given) if given else None
        except ValueError:
            refuse(name, label)
    starts_at, expires_at = values.get("starts_at"), values.get("expires_at")
    if starts_at is not None and expires_at is not None and expires_at <= starts_at:
        refuse("expires_at", _l("The deal ends before it starts."))
    if errors:
        raise ValidationFailed([(field, str(reason)) for field, reason in errors])
    return values
