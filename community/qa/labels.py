"""Words and dates the Q&A pages repeat on every row, prepared once per request."""

from __future__ import annotations

from datetime import datetime

from flask import g
from flask_babel import get_locale, get_timezone
from flask_babel import lazy_gettext as _l

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
    "vote_up": _l("Vote up"),
    "vote_down": _l("Vote down"),
    "report": _l("Report"),
    "reason": _l("Reason"),
    "note": _l("Note for the moderators"),
}


def qa_labels() -> dict[str, str]:
    """The labels in the request's language, computed once per request."""
    if "qa_labels" not in g:
        g.qa_labels = {key: str(text) for key, text in LABELS.items()}
    return g.qa_labels


def short_date(moment: datetime) -> str:
    """`moment` as the viewer's medium date (2026年11月25日), with the locale looked up once."""
    if "qa_date_format" not in g:
        locale = get_locale()
        g.qa_date_format = (locale.date_formats["medium"], locale, get_timezone())
    pattern, locale, timezone = g.qa_date_format
    return pattern.apply(moment.astimezone(timezone), locale)
