"""Open Graph tags for a page that may be shared: what WeChat, Weibo and chat apps show."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from community.sharing.cards import card_digest
from community.site_links import site_url

CARD_WIDTH, CARD_HEIGHT = 1200, 630


@dataclass(frozen=True)
class ShareCard:
    """What a shared link shows; every field is text anyone may read."""

    site_name: str
    title: str
    description: str
    url: str
    image: str | None = None
    kind: str = "article"
    image_width: int = CARD_WIDTH
    image_height: int = CARD_HEIGHT


def share_card(
    title: str, description: str, endpoint: str, image_endpoint: str | None = None, **values
) -> ShareCard:
    """The card of the page at `endpoint` (absolute, under SITE_URL); its image, when given,
    is versioned by what it draws so a changed title is fetched anew."""
    site_name = current_app.config["SITE_NAME"]
    image = None
    if image_endpoint:
        image = site_url(image_endpoint, v=card_digest(title, site_name), **values)
    return ShareCard(
        site_name=site_name,
        title=title,
        description=description,
        url=site_url(endpoint, **values),
        image=image,
    )
