"""Affiliate URL templates: which are acceptable for a platform, and the one address a member's
go link leads to (the deal's own template with the member's identifiers filled in)."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from flask_babel import lazy_gettext as _l

# The places a template may hold, and the identity field each is filled from.
PLACES = {"{sub_id}": "sub_id", "{adzone_id}": "adzone_id", "{relation_id}": "relation_id"}
ANY_PLACE = re.compile(r"\{[^{}]*\}")
# Taobao and Tmall attribute orders by adzone or relation id; JD and Pinduoduo by sub id. A
# template for an "other" shop may carry none (a brand's own store pays no commission).
NEEDS = {
    "taobao": ("{adzone_id}", "{relation_id}"),
    "tmall": ("{adzone_id}", "{relation_id}"),
    "jd": ("{sub_id}",),
    "pdd": ("{sub_id}",),
    "other": (),
}
MAX_TEMPLATE = 2000
UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")


class MissingBinding(Exception):
    """The member has no value for a place the deal's template needs."""

    def __init__(self, field: str):
        self.field = field
        super().__init__(field)


def template_problem(platform: str, template: str):
    """Why `template` cannot be a go link's destination for `platform` (a lazy string), or
    None when it can."""
    if not template:
        return _l("The URL is missing.")
    if len(template) > MAX_TEMPLATE:
        return _l("The URL is longer than %(count)d characters.", count=MAX_TEMPLATE)
    if UNSAFE.search(template):
        return _l("The URL contains spaces, control characters or backslashes.")
    parts = urlsplit(template)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return _l("The URL must start with http:// or https:// and name a host.")
    if "{" in parts.netloc or "}" in parts.netloc or "@" in parts.netloc:
        return _l("The URL's host must be written out in full (no places, no user names).")
    unknown = [place for place in ANY_PLACE.findall(template) if place not in PLACES]
    if unknown:
        return _l(
            "The URL has an unknown place %(place)s (known: {sub_id}, {adzone_id}, {relation_id}).",
            place=unknown[0],
        )
    needed = NEEDS.get(platform, ())
    if needed and not any(place in template for place in needed):
        return _l(
            "This platform's URL needs a place for the member's id: %(places)s.",
            places=" / ".join(needed),
        )
    return None


def destination(template: str, identity) -> str:
    """The deal's URL with each place filled from the member's `identity` (percent-encoded);
    raises MissingBinding for a place the member has no value for."""
    url = template
    for place, field in PLACES.items():
        if place in url:
            value = getattr(identity, field, None)
            if not value:
                raise MissingBinding(field)
            url = url.replace(place, quote(str(value), safe=""))
    return url
