"""Words and dates the Q&A pages repeat on every row, prepared once per language or request."""

from __future__ import annotations

from datetime import datetime

from flask import g, url_for
from flask_babel import get_locale, get_timezone
from flask_babel import lazy_gettext as _l

from community.templating import url_with_id

LABELS = {
    "votes": _l("votes"),
    "Votes": _l("Votes"),
    "answers": _l("answers"),
    "Answers": _l("Answers"),
    "pinned": _l("Pinned"),
    "featured": _l("Featured"),
    "public": _l("Public"),
    "open": _l("Open"),
    "closed": _l("Closed"),
    "locked": _l("Locked"),
    "duplicate": _l("Duplicate"),
    "comment": _l("Comment"),
    "add_comment": _l("Add a comment"),
    "edit": _l("Edit"),
    "history": _l("History"),
    "accept": _l("Accept this answer"),
    "unaccept": _l("Take back acceptance"),
    "canonical": _l("Choose as curated answer"),
    "uncanonical": _l("Remove as curated answer"),
    "delete": _l("Delete"),
    "undelete": _l("Undelete"),
    "approve": _l("Approve"),
    "waiting": _l("Waiting for approval"),
    "curated": _l("The community's curated answer"),
    "accepted": _l("Accepted by the asker"),
    "by_expert": _l("Answered by an expert"),
    "vote_up": _l("Vote up"),
    "vote_down": _l("Vote down"),
    "report": _l("Report"),
    "reason": _l("Reason"),
    "note": _l("Note for the moderators"),
}


TRANSLATED: dict[str, dict[str, str]] = {}


def qa_labels() -> dict[str, str]:
    """The labels in the request's language, translated once per language and process."""
    key = str(get_locale())
    if key not in TRANSLATED:
        TRANSLATED[key] = {name: str(text) for name, text in LABELS.items()}
    return TRANSLATED[key]


def short_date(moment: datetime) -> str:
    """`moment` as the viewer's medium date (2026年11月25日), with the locale looked up once."""
    if "qa_date_format" not in g:
        locale = get_locale()
        g.qa_date_format = (locale.date_formats["medium"], locale, get_timezone())
    pattern, locale, timezone = g.qa_date_format
    return pattern.apply(moment.astimezone(timezone), locale)


def question_url(question_id: int) -> str:
    """The question page's address; the route is built once per request."""
    if "qa_question_url" not in g:
        g.qa_question_url = url_with_id("qa.show", "question_id")
    return g.qa_question_url(question_id)


def tag_url(name: str) -> str:
    """A tag's page; each tag's address is built once per request, however many rows show it."""
    urls = g.setdefault("qa_tag_urls", {})
    if name not in urls:
        urls[name] = url_for("qa.tag", name=name)
    return urls[name]
