"""The Q&A blueprint; its routes live in one module per area."""

from __future__ import annotations

import re

from flask import Blueprint, abort, request
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from community.clock import utcnow
from community.errors import render_error
from community.extensions import db
from community.numbers import parse_id, parse_int
from community.qa.access import PostMissing, Viewer, viewer_for
from community.qa.models import Answer, Question
from community.qa.pages.labels import (
    answer_links,
    count_word,
    qa_labels,
    question_url,
    short_date,
    tag_url,
)
from community.qa.services import notifications as notification_service
from community.qa.services.answers import COMMENT_MAX
from community.qa.services.lists import QUESTION_OPTIONS
from community.templating import register_unread_counter

bp = Blueprint("qa", __name__, url_prefix="/qa")

QUESTION_REF = re.compile(r"(?:/qa/)?([0-9]+)/?$")


bp.record_once(lambda state: register_unread_counter(state.app, notification_service.bell_count))
bp.add_app_template_global(qa_labels, "qa_labels")
bp.add_app_template_global(count_word, "count_word")
bp.add_app_template_global(COMMENT_MAX, "comment_max")
bp.add_app_template_filter(short_date, "short_date")
bp.add_app_template_global(answer_links, "answer_links")
bp.add_app_template_global(question_url, "question_url")
bp.add_app_template_global(tag_url, "tag_url")


@bp.app_template_filter("age")
def age(moment) -> str:
    """How long ago `moment` was, in words ("3 days")."""
    return format_timedelta(utcnow() - moment, threshold=1.1)


def current_viewer() -> Viewer:
    # The user itself, not Flask-Login's proxy: pages ask the viewer about them many times.
    return viewer_for(current_user._get_current_object(), request.args.get("preview"))


def acting_user():
    return current_user if current_user.is_authenticated else None


def question_or_404(
    question_id: int, viewer: Viewer | None = None, options=QUESTION_OPTIONS
) -> Question:
    """A question this viewer may see at all (deleted and pending ones only for their people)."""
    question = db.session.get(Question, question_id, options=list(options))
    viewer = viewer or current_viewer()
    if question is None or not viewer.sees(question):
        abort(404)
    return question


def answer_or_404(answer_id: int, question: Question | None = None) -> Answer:
    """An answer this viewer may see, on a question they may see (on `question`, if given)."""
    answer = db.session.get(Answer, answer_id)
    viewer = current_viewer()
    if answer is None or not viewer.sees(answer):
        abort(404)
    if question is not None and answer.question_id != question.id:
        abort(404)
    question_or_404(answer.question_id, viewer)
    return answer


@bp.app_errorhandler(PostMissing)
def post_missing(_error: PostMissing):
    """A service refused a post the acting person cannot see: as if it were not there."""
    return render_error(404)


def question_from_reference(text: str | None) -> Question | None:
    """A question from "123", "#123" or a link ending in /qa/123."""
    match = QUESTION_REF.search((text or "").strip().lstrip("#"))
    question_id = parse_id(match.group(1)) if match else None
    return db.session.get(Question, question_id) if question_id else None


def commit_or_conflict() -> None:
    """Commit; a unique row written twice at once (a double-clicked vote) answers 409."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        abort(409, description=_("That was sent twice at the same moment. Please try again."))


def page_number() -> int:
    return parse_int(request.args.get("page"), 1, 9_999) or 1


from community.qa.views import curation, lists, notifications, questions, sharing  # noqa: E402, F401
