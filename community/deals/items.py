"""Which item a URL points at, so that two deals or tips for the same item are recognised
however the link was copied: a shop page or an affiliate link to it, the phone or the desktop
site, with or without tracking parameters.

Taobao and Tmall items are one numbering (`id`, `itemId`), as are JD skus and Pinduoduo goods
ids; any other address is known by its host, path and the query parameters that are neither
the member's places nor tracking.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

from community.deals.links import ANY_PLACE

KEY_LENGTH = 255

TAOBAO_HOSTS = re.compile(r"(^|\.)(taobao\.com|tmall\.com|tmall\.hk|liangxinyao\.com)$")
TAOBAO_ID_NAMES = ("id", "itemid", "item_id")
JD_HOSTS = re.compile(r"(^|\.)(jd\.com|jd\.hk)$")
JD_PATH_SKU = re.compile(r"/(?:product/)?(\d{4,20})\.html$")
JD_SKU_NAMES = ("sku", "skuid", "wareid")
PDD_HOSTS = re.compile(r"(^|\.)(yangkeduo\.com|pinduoduo\.com)$")
PDD_ID_NAMES = ("goods_id", "goodsid")
DIGITS = re.compile(r"^\d{4,20}$")
# Parameters that say where a click came from, not what it is for.
TRACKING = frozenset(
    (
        "spm",
        "scm",
        "pvid",
        "trackid",
        "ali_trackid",
        "ali_refid",
        "union_lens",
        "clickid",
        "gclid",
        "fbclid",
        "share_crt_v",
        "sharer",
        "share_uin",
        "refer_page_name",
        "refer_page_id",
        "refer_page_sn",
    )
)


def item_key(url: str) -> str:
    """The item `url` points at, in lower case, at most 255 characters."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    query = [
        (name.lower(), value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not ANY_PLACE.search(value)
    ]
    known = platform_item(host, parts.path, dict(query))
    if known:
        return known
    kept = sorted(
        (name, value)
        for name, value in query
        if name not in TRACKING and not name.startswith("utm_")
    )
    key = f"{host}{parts.path.rstrip('/')}?{urlencode(kept)}".rstrip("?")
    return key[:KEY_LENGTH].lower()


def platform_item(host: str, path: str, query: dict[str, str]) -> str | None:
    """`taobao:<id>`, `jd:<sku>` or `pdd:<goods id>` when the address names one."""
    if TAOBAO_HOSTS.search(host):
        found = first_number(query, TAOBAO_ID_NAMES)
        return f"taobao:{found}" if found else None
    if JD_HOSTS.search(host):
        in_path = JD_PATH_SKU.search(path)
        found = in_path.group(1) if in_path else first_number(query, JD_SKU_NAMES)
        return f"jd:{found}" if found else None
    if PDD_HOSTS.search(host):
        found = first_number(query, PDD_ID_NAMES)
        return f"pdd:{found}" if found else None
    return None


def first_number(query: dict[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = query.get(name, "").strip()
        if DIGITS.match(value):
            return value.lstrip("0") or "0"
    return None
