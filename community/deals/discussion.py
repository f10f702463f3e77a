"""A deal's discussion: members' comments (the Q&A's comment rules) and up to three related
knowledge-base questions, found through search with the viewer's rights."""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from community.clock import utcnow
from community.deals.member_models import DealComment
from community.deals.models import DRAFT, Deal
from community.errors import NotAllowed, ValidationFailed
from community.extensions import db
from community.membership.entitlements import is_member
from community.qa import markdown
from community.qa.access import Viewer, viewer_for
from community.qa.services.answers import COMMENT_MAX
from community.search.results import SearchHit
from community.search.service import search_service

log = logging.getLogger(__name__)

RELATED_LIMIT = 3
WORD = re.compile(r"\w+")


@dataclass
class Discussion:
    """What a deal page shows below the card, for one viewer."""

    readable: bool
    comments: list[DealComment] = field(default_factory=list)
    comment_count: int = 0
    related: list[SearchHit] = field(default_factory=list)


def require_member(actor) -> None:
    if actor is None or not is_member(actor):
        raise NotAllowed(str(_l("Comments on deals are for members.")))


def add_comment(author, deal: Deal, body) -> DealComment:
    """A member's comment on a published deal, checked as Q&A comments are."""
    require_member(author)
    if deal.status == DRAFT:
        raise NotAllowed(str(_l("This deal is not published.")))
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationFailed([("body", str(_l("Write something here.")))])
    if len(text) > COMMENT_MAX:
        raise ValidationFailed(
            [("body", str(_l("Keep it under %(max)d characters.", max=COMMENT_MAX)))]
        )
    if markdown.has_control_characters(text):
        raise ValidationFailed(
            [("body", str(_l("The text contains characters that cannot be shown.")))]
        )
    comment = DealComment(deal_id=deal.id, author_id=author.id, body=text)
    db.session.add(comment)
    db.session.flush()
    return comment


def delete_comment(actor, comment: DealComment) -> None:
    if actor is None or not (actor.is_operator or actor.id == comment.author_id):
        raise NotAllowed(str(_l("Only the author or an operator can delete this.")))
    comment.deleted_at = utcnow()


def comments_of(deal: Deal) -> list[DealComment]:
    return list(
        db.session.scalars(
            select(DealComment)
            .where(DealComment.deal_id == deal.id, DealComment.deleted_at.is_(None))
            .order_by(DealComment.created_at, DealComment.id)
        )
    )


def related_questions(deal: Deal, reader: Viewer) -> list[SearchHit]:
    """Up to three questions about the deal's tags, category and title, cut for `reader` by
    search (a visitor is matched against open text only and sees only what is open).

    One search for all of them: questions with every word rank first, then those sharing the
    most, and the rarest words, with the deal (search/whoosh_backend.py). Only runs of letters
    and digits are searched, so nothing in a title reads as search syntax (`[tag]`, `user:`,
    `-word`, quotes)."""
    texts = (*deal.tag_names, deal.category, deal.title)
    words = dict.fromkeys(
        word for text in texts for word in WORD.findall(unicodedata.normalize("NFKC", text))
    )
    return search_service().similar(" ".join(words), reader=reader, limit=RELATED_LIMIT)


def discussion_for(deal: Deal, user) -> Discussion:
    """The discussion as `user` sees it."""
    return discussion(deal, is_member(user), viewer_for(user))


def discussion(deal: Deal, readable: bool, reader: Viewer) -> Discussion:
    """Comments when `readable` (members; everyone else gets their number only) and related
    questions as `reader` may read them."""
    comments = comments_of(deal) if readable else []
    count = (
        len(comments)
        if readable
        else db.session.scalar(
            select(db.func.count(DealComment.id)).where(
                DealComment.deal_id == deal.id, DealComment.deleted_at.is_(None)
            )
        )
    )
    return Discussion(
        readable=readable,
        comments=comments,
        comment_count=count or 0,
        related=related_questions(deal, reader),
    )
