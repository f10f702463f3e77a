"""The Q&A's sections of the reader's home: unread notifications, followed, newest and 精华."""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from community.home import register_home_section, section_html
from community.qa.services import notifications
from community.qa.services.lists import question_list

UNREAD_SHOWN = 5
FOLLOWED_SHOWN = 5
NEWEST_SHOWN = 10
FEATURED_SHOWN = 5


def unread_section(user) -> Markup | None:
    unread = [item for item in notifications.recent(user.id, UNREAD_SHOWN) if not item.read_at]
    if not unread:
        return None
    return section_html(
        "qa/home_notifications.html",
        items=unread,
        kinds=notifications.KINDS,
        total=notifications.unread_count(user.id),
    )


def list_section(kind: str, title, limit: int, more_endpoint: str, empty=None):
    """A section showing the first `limit` rows of list `kind` (nothing when empty and no
    `empty` text is given)."""

    def render(user) -> Markup | None:
        rows = question_list(kind, user_id=user.id, per_page=limit).items
        if not rows and empty is None:
            return None
        return section_html(
            "qa/home_list.html",
            kind=kind,
            title=title,
            items=rows,
            more_url=url_for(more_endpoint),
            empty=empty,
        )

    return render


def init_app(app: Flask) -> None:
    register_home_section(app, "qa-notifications", 10, unread_section)
    register_home_section(
        app,
        "qa-followed",
        20,
        list_section("followed", _l("What you follow"), FOLLOWED_SHOWN, "qa.followed"),
    )
    register_home_section(
        app,
        "qa-newest",
        30,
        list_section(
            "newest", _l("New questions"), NEWEST_SHOWN, "qa.index", _l("No questions here yet.")
        ),
    )
    register_home_section(
        app,
        "qa-featured",
        40,
        list_section("featured", _l("Featured (精华)"), FEATURED_SHOWN, "qa.featured"),
    )
