"""A question shared away from the site: its Open Graph card, card image and QR code.

All of them show only what a visitor sees of a question (its title and teaser), and only for a
question a visitor may see at all, decided from the database at each request.
"""

from __future__ import annotations

from flask import abort, request
from flask_babel import gettext as _

from community.extensions import db
from community.qa.access import ANYONE
from community.qa.models import Question
from community.qa.views import bp
from community.sharing.cards import card_response
from community.sharing.meta import ShareCard, share_card
from community.sharing.qr import qr_response
from community.site_links import site_url

# Cards and codes show only what everyone may read; an hour bounds how long a shared cache
# keeps one after its question is deleted.
PUBLIC_MAX_AGE = 3600


@bp.app_template_global()
def question_share_card(question) -> ShareCard:
    description = question.teaser or _("A members-only community that answers your questions.")
    return share_card(
        question.title, description, "qa.show", "qa.share_card_image", question_id=question.id
    )


def visible_question(question_id: int) -> Question:
    """The question if a visitor may see it (its title and teaser), else 404 for everyone."""
    question = db.session.get(Question, question_id)
    if question is None or not ANYONE.sees(question):
        abort(404)
    return question


@bp.route("/<int:question_id>/card.png")
def share_card_image(question_id: int):
    return card_response(visible_question(question_id).title, PUBLIC_MAX_AGE)


@bp.route("/<int:question_id>/qr.svg", defaults={"kind": "svg"})
@bp.route("/<int:question_id>/qr.png", defaults={"kind": "png"})
def share_qr(question_id: int, kind: str):
    """The question's address (under SITE_URL) as a QR code; `?download=1` saves it."""
    visible_question(question_id)
    link = site_url("qa.show", question_id=question_id)
    download = f"question-{question_id}.{kind}" if request.args.get("download") == "1" else None
    response = qr_response(link, kind, download)
    response.cache_control.public = True
    response.cache_control.max_age = PUBLIC_MAX_AGE
    return response
