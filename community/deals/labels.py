"""How deals read in pages: platform names, states, sorts, time left and the estimated rebate."""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_timedelta, gettext
from flask_babel import lazy_gettext as _l

from community.deals import services

PLATFORMS = {
    "taobao": _l("Taobao"),
    "tmall": _l("Tmall"),
    "jd": _l("JD"),
    "pdd": _l("Pinduoduo"),
    "other": _l("Other shops"),
}
STATES = {
    "draft": _l("Draft"),
    "scheduled": _l("Scheduled"),
    "live": _l("Live"),
    "expired": _l("Expired"),
    "retired": _l("Withdrawn"),
}
SORTS = {
    "newest": _l("Newest"),
    "ending": _l("Ending soon"),
    "discount": _l("Biggest discount"),
    "worth": _l("Most 值"),
}
BINDINGS = {
    "sub_id": _l("member tracking id"),
    "adzone_id": _l("Taobao adzone (推广位)"),
    "relation_id": _l("Taobao relation ID (渠道关系ID)"),
}


def time_left(expires_at: datetime | None, moment: datetime) -> str:
    """ "3 days" left, or "" for a deal without an end."""
    if expires_at is None or expires_at <= moment:
        return ""
    return format_timedelta(expires_at - moment, threshold=1.1, add_direction=False)


def discount_percent(deal) -> int | None:
    if not deal.list_price or deal.list_price <= deal.price:
        return None
    return round((deal.list_price - deal.price) * 100 / deal.list_price)


def template_labels() -> dict:
    return {
        "platform_name": lambda name: PLATFORMS.get(name, name),
        "deal_state_name": lambda name: STATES.get(name, name),
        "deal_sorts": SORTS,
        "deal_platforms": PLATFORMS,
        "binding_name": lambda name: BINDINGS.get(name, name),
        "time_left": time_left,
        "discount_percent": discount_percent,
        "estimated_rebate": services.estimated_rebate,
        "worth_percent": services.worth_percent,
    }


def card_words() -> dict:
    """The words of a deal card in the request's language, looked up once for a page of cards
    rather than once a card (format strings keep their %(name)s places)."""
    return {
        "platforms": {name: str(label) for name, label in PLATFORMS.items()},
        "off": gettext("%(percent)d%% off"),
        "coupon": gettext("Coupon: %(coupon)s"),
        "left": gettext("%(left)s left"),
        "worth_percent": gettext("值 %(percent)d%%"),
        "counts": gettext("%(worth)d 值 / %(unworth)d 不值"),
        "rebate": gettext("Rebate about %(amount)s"),
        "go": gettext("Go to the shop"),
    }
