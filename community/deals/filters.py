"""Reading the feed's filters and sorts from a query string: every value checked, and what was
left out said in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from community.deals.models import PLATFORMS
from community.deals.services import SORTS, FeedQuery
from community.numbers import parse_int, parse_yuan
from community.qa.markdown import clean_line, has_control_characters

MAX_TEXT = 40
MAX_PAGE = 1000
# What a visitor's teaser may be ordered by: nothing that tells prices or discounts apart.
TEASER_SORTS = ("newest", "ending")


def text_filter(args, name: str) -> str | None:
    value = clean_line(args.get(name, ""))[:MAX_TEXT]
    return value if value and not has_control_characters(value) else None


def parse_feed_query(args, member: bool) -> tuple[FeedQuery, list[str]]:
    """The feed query `args` ask for and notes on what was left out. For anyone who is not a
    member, price filters and money sorts are ignored: they would tell prices apart."""
    notes: list[str] = []
    platform = args.get("platform") or None
    if platform is not None and platform not in PLATFORMS:
        notes.append(str(_l("Unknown platform; showing every platform.")))
        platform = None
    prices = {}
    for name, label in (
        ("min_price", _l("The lowest price is not an amount in yuan; it was left out.")),
        ("max_price", _l("The highest price is not an amount in yuan; it was left out.")),
    ):
        raw = (args.get(name) or "").strip()
        prices[name] = parse_yuan(raw) if raw and member else None
        if raw and member and prices[name] is None:
            notes.append(str(label))
    if None not in prices.values() and prices["min_price"] > prices["max_price"]:
        prices["min_price"], prices["max_price"] = prices["max_price"], prices["min_price"]
    raw_worth = (args.get("min_worth") or "").strip()
    min_worth = parse_int(raw_worth, 0, 100) if raw_worth else None
    if raw_worth and min_worth is None:
        notes.append(str(_l("The minimum 值 is not a percentage from 0 to 100; it was left out.")))
    sort = args.get("sort") or "newest"
    allowed = SORTS if member else TEASER_SORTS
    if sort not in allowed:
        sort = "newest"
    page = parse_int(args.get("page") or "1", 1, MAX_PAGE) or 1
    query = FeedQuery(
        platform=platform,
        category=text_filter(args, "category"),
        tag=text_filter(args, "tag"),
        min_price=prices["min_price"],
        max_price=prices["max_price"],
        min_worth=min_worth or None,
        q=text_filter(args, "q"),
        sort=sort,
        page=page,
    )
    return query, notes
