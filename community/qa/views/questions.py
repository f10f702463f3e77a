"""Asking, reading, answering, commenting, voting, following, accepting and flagging."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from community.errors import ValidationFailed, attach_errors
from community.extensions import db
from community.membership.decorators import entitlement_required, member_required
from community.membership.tiers import tiers_for_sale
from community.qa.forms import AnswerForm, AskForm, CommentForm, EditQuestionForm, FlagForm
from community.qa.models import QuestionStatus, Tag
from community.qa.pages.heads import question_head
from community.qa.pages.question import shared_question_page, viewer_state
from community.qa.services import answers as answer_service
from community.qa.services import experts, lists, moderation, votes
from community.qa.services import questions as question_service
from community.qa.views import (
    acting_user,
    answer_or_404,
    bp,
    commit_or_conflict,
    current_viewer,
    question_from_reference,
    question_or_404,
)
from community.security import login_required_view


def form_status(form) -> int:
    return 400 if form.errors or form.form_errors else 200


def refused(failure: ValidationFailed):
    db.session.rollback()
    abort(400, description=" ".join(reason for _field, reason in failure.errors))


@bp.route("/ask", methods=["GET", "POST"])
@entitlement_required("ask")
def ask():
    form = AskForm()
    if form.validate_on_submit():
        try:
            question = question_service.ask_question(
                acting_user(),
                form.title.data,
                form.body.data,
                form.tags.data,
                expert=form.expert.data,
            )
        except ValidationFailed as failure:
            db.session.rollback()
            attach_errors(form, failure)
        else:
            db.session.commit()
            if not question.approved:
                flash(
                    _("Thanks! Your first post will appear once a moderator approves it."), "info"
                )
            return redirect(url_for("qa.show", question_id=question.id))
    return render_template(
        "qa/ask.html", form=form, may_ask_expert=experts.may_ask_expert(acting_user())
    ), form_status(form)


def render_question(question_id: int, status: int = 200, **forms):
    viewer = current_viewer()
    head = question_head(question_id, viewer.user_id)
    if head is None:
        abort(404)
    shared = None if forms else shared_question_page(viewer, head)
    if shared is not None:
        return shared, status
    question = question_or_404(question_id, viewer)
    if question.status == QuestionStatus.DUPLICATE and question.duplicate_of_id:
        return redirect(url_for("qa.show", question_id=question.duplicate_of_id), 301)
    page = lists.question_page(question, viewer)
    if page.readable and viewer.user is not None:
        forms.setdefault("answer_form", AnswerForm(formdata=None))
    return render_template(
        "qa/show.html",
        page=page,
        question=question,
        viewer=viewer,
        state=viewer_state(head),
        tiers=[] if page.readable else tiers_for_sale(),
        **forms,
    ), status


@bp.route("/<int:question_id>")
def show(question_id: int):
    return render_question(question_id)


@bp.route("/<int:question_id>.json")
def show_json(question_id: int):
    """The question as JSON, with exactly what the viewer may read."""
    viewer = current_viewer()
    question = question_or_404(question_id, viewer)
    if question.status == QuestionStatus.DUPLICATE and question.duplicate_of_id:
        return redirect(url_for("qa.show_json", question_id=question.duplicate_of_id), 301)
    page = lists.question_page(question, viewer)
    data = {
        "id": question.id,
        "title": question.title,
        "tags": [tag.name for tag in question.tags],
        "teaser": question.teaser,
        "score": question.score,
        "answer_count": question.answer_count,
        "status": question.status,
        "featured": question.featured,
        "public": question.public,
        "url": url_for("qa.show", question_id=question.id, _external=True),
        "readable": page.readable,
    }
    if page.readable:
        data["body_html"] = question.body_html
        data["answers"] = [
            {
                "id": a.id,
                "body_html": a.body_html,
                "score": a.score,
                "accepted": a.accepted,
                "canonical": a.canonical,
                "author": a.author_name,
            }
            for a in page.answers
        ]
    return jsonify(data)


@bp.route("/<int:question_id>/answers", methods=["POST"])
@member_required
def answer(question_id: int):
    question = question_or_404(question_id)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            posted = answer_service.post_answer(acting_user(), question, form.body.data)
        except ValidationFailed as failure:
            db.session.rollback()
            attach_errors(form, failure)
        else:
            db.session.commit()
            if not posted.approved:
                flash(
                    _("Thanks! Your first post will appear once a moderator approves it."), "info"
                )
            return redirect(url_for("qa.show", question_id=question_id, _anchor=f"a{posted.id}"))
    return render_question(question_id, 400, answer_form=form)


@bp.route("/<int:question_id>/edit", methods=["GET", "POST"])
@login_required_view
def edit(question_id: int):
    question = question_or_404(question_id)
    if not question_service.may_edit(acting_user(), question.author_id):
        abort(403)
    initial = {
        "title": question.title,
        "body": question.body,
        "tags": " ".join(tag.name for tag in question.tags),
    }
    form = EditQuestionForm(data=None if request.method == "POST" else initial)
    if form.validate_on_submit():
        try:
            question_service.edit_question(
                acting_user(),
                question,
                form.title.data,
                form.body.data,
                form.tags.data,
                note=form.note.data or "",
            )
        except ValidationFailed as failure:
            db.session.rollback()
            attach_errors(form, failure)
        else:
            db.session.commit()
            return redirect(url_for("qa.show", question_id=question.id))
    return render_template("qa/edit.html", form=form, question=question), form_status(form)


@bp.route("/answers/<int:answer_id>/edit", methods=["GET", "POST"])
@login_required_view
def edit_answer(answer_id: int):
    answer = answer_or_404(answer_id)
    if not question_service.may_edit(acting_user(), answer.author_id):
        abort(403)
    form = AnswerForm(data=None if request.method == "POST" else {"body": answer.body})
    if form.validate_on_submit():
        try:
            answer_service.edit_answer(acting_user(), answer, form.body.data, form.note.data or "")
        except ValidationFailed as failure:
            db.session.rollback()
            attach_errors(form, failure)
        else:
            db.session.commit()
            return redirect(
                url_for("qa.show", question_id=answer.question_id, _anchor=f"a{answer.id}")
            )
    return render_template("qa/edit_answer.html", form=form, answer=answer), form_status(form)


@bp.route("/<int:question_id>/comments", methods=["POST"])
@bp.route("/<int:question_id>/answers/<int:answer_id>/comments", methods=["POST"])
@member_required
def comment(question_id: int, answer_id: int | None = None):
    question = question_or_404(question_id)
    target = answer_or_404(answer_id, question) if answer_id else None
    form = CommentForm()
    if not form.validate_on_submit():
        abort(400, description=_("Write something here."))
    try:
        answer_service.add_comment(acting_user(), question, form.body.data, target)
    except ValidationFailed as failure:
        refused(failure)
    db.session.commit()
    return redirect(url_for("qa.show", question_id=question_id))


def vote_response(question_id: int, score: int):
    if request.accept_mimetypes.best == "application/json":
        return jsonify(score=score)
    return redirect(url_for("qa.show", question_id=question_id))


@bp.route("/<int:question_id>/vote", methods=["POST"])
@member_required
def vote_question(question_id: int):
    question = question_or_404(question_id)
    try:
        score = votes.cast_vote(acting_user(), question, request.form.get("value", ""))
    except ValidationFailed as failure:
        refused(failure)
    commit_or_conflict()
    return vote_response(question_id, score)


@bp.route("/answers/<int:answer_id>/vote", methods=["POST"])
@member_required
def vote_answer(answer_id: int):
    answer = answer_or_404(answer_id)
    try:
        score = votes.cast_vote(acting_user(), answer, request.form.get("value", ""))
    except ValidationFailed as failure:
        refused(failure)
    commit_or_conflict()
    return vote_response(answer.question_id, score)


@bp.route("/answers/<int:answer_id>/accept", methods=["POST"])
@login_required_view
def accept(answer_id: int):
    answer = answer_or_404(answer_id)
    try:
        answer_service.accept_answer(acting_user(), answer)
    except ValidationFailed as failure:
        refused(failure)
    db.session.commit()
    return redirect(url_for("qa.show", question_id=answer.question_id, _anchor=f"a{answer.id}"))


@bp.route("/<int:question_id>/follow", methods=["POST"])
@member_required
def follow(question_id: int):
    question = question_or_404(question_id)
    votes.follow_question(acting_user(), question, request.form.get("follow") != "0")
    commit_or_conflict()
    return redirect(url_for("qa.show", question_id=question_id))


@bp.route("/tags/<name>/follow", methods=["POST"])
@member_required
def follow_tag(name: str):
    tag = db.session.scalar(db.select(Tag).where(Tag.name == name)) or abort(404)
    votes.follow_tag(acting_user(), tag, request.form.get("follow") != "0")
    commit_or_conflict()
    return redirect(url_for("qa.tag", name=tag.name))


@bp.route("/<int:question_id>/flag", methods=["GET", "POST"])
@bp.route("/<int:question_id>/answers/<int:answer_id>/flag", methods=["GET", "POST"])
@member_required
def flag(question_id: int, answer_id: int | None = None):
    question = question_or_404(question_id)
    target = answer_or_404(answer_id, question) if answer_id else None
    form = FlagForm()
    if form.validate_on_submit():
        try:
            moderation.flag_post(
                acting_user(),
                question,
                form.reason.data,
                form.note.data or "",
                answer=target,
                original=question_from_reference(form.original.data),
            )
        except ValidationFailed as failure:
            db.session.rollback()
            attach_errors(form, failure)
        else:
            db.session.commit()
            flash(_("Thanks, a moderator will take a look."), "success")
            return redirect(url_for("qa.show", question_id=question_id))
    return render_template(
        "qa/flag.html", form=form, question=question, answer=target
    ), form_status(form)
