"""The Q&A lists as Atom feeds for members (registered with the generic feed tokens)."""

from __future__ import annotations

from flask import abort, url_for
from flask_babel import lazy_gettext as _l

from community.feeds.services import Feed, FeedEntry, register_feed
from community.membership.entitlements import may
from community.qa.services import lists
from community.qa.services import tags as tag_service

FEED_SIZE = 30
LIST_LABELS = {
    "newest": _l("Newest questions"),
    "unanswered": _l("Unanswered questions"),
    "featured": _l("Featured questions"),
    "hot": _l("Hot questions"),
    "mine": _l("My questions"),
    "followed": _l("Followed questions"),
}
LIST_ENDPOINTS = {kind: f"qa.{'index' if kind == 'newest' else kind}" for kind in LIST_LABELS}


def entries_for(questions) -> list[FeedEntry]:
    return [
        FeedEntry(
            id=url_for("qa.show", question_id=question.id, _external=True),
            title=question.title,
            link=url_for("qa.show", question_id=question.id, _external=True),
            updated=question.updated_at,
            content_html=question.body_html,
            author=question.author.name,
            categories=[tag.name for tag in question.tags],
        )
        for question in questions
    ]


def list_feed(kind: str):
    def produce(user, args):
        if not may(user, "read_answers"):
            return None
        page = lists.question_list(kind, 1, user_id=user.id, per_page=FEED_SIZE, with_body=True)
        return Feed(
            title=str(LIST_LABELS[kind]),
            link=url_for(LIST_ENDPOINTS[kind], _external=True),
            entries=entries_for(page.items),
        )

    return produce


def tag_feed(user, args):
    if not may(user, "read_answers"):
        return None
    tag = tag_service.tag_named(args.get("tag", "")[:100])
    if tag is None:
        abort(404)
    page = lists.question_list(
        "newest", 1, user_id=user.id, tag=tag, per_page=FEED_SIZE, with_body=True
    )
    return Feed(
        title=f"#{tag.name}",
        link=url_for("qa.tag", name=tag.name, _external=True),
        entries=entries_for(page.items),
    )


def reads_answers(user) -> bool:
    return may(user, "read_answers")


def register_qa_feeds() -> None:
    for kind, label in LIST_LABELS.items():
        register_feed(f"qa-{kind}", label, list_feed(kind), available=reads_answers)
    register_feed(
        "qa-tag", _l("Questions in a tag"), tag_feed, listed=False, available=reads_answers
    )
