"""Operator pages: curation buttons, revisions, merges, tags, the review queue and reports."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.accounts.models import User
from community.errors import ValidationFailed
from community.extensions import db
from community.numbers import parse_id
from community.qa.forms import CloseForm, MergeForm, TagNameForm
from community.qa.models import Answer, Flag, Question, Revision
from community.qa.services import curation, experts, moderation
from community.qa.services import questions as question_service
from community.qa.services import tags as tag_service
from community.qa.services.log import recent_actions
from community.qa.views import answer_or_404, bp, question_from_reference, question_or_404
from community.security import admin_required, operator_required

STATUS_ACTIONS = ("reopen", "lock", "unlock")


def back_to(question_id: int):
    """Back to the review queue when the button was pressed there, else to the question."""
    if request.form.get("next_page") == "review":
        return redirect(url_for("qa.review"))
    return redirect(url_for("qa.show", question_id=question_id))


def failed(failure: ValidationFailed, question_id: int):
    db.session.rollback()
    for _field, reason in failure.errors:
        flash(reason, "error")
    return redirect(url_for("qa.show", question_id=question_id)), 303


@bp.route("/<int:question_id>/curate/<action>", methods=["POST"])
@operator_required
def curate(question_id: int, action: str):
    question = question_or_404(question_id)
    try:
        if action in curation.FLAG_ACTIONS:
            curation.set_flag(current_user, question, action)
        elif action in STATUS_ACTIONS:
            curation.set_status(current_user, question, action)
        elif action == "close":
            form = CloseForm()
            curation.close_question(current_user, question, form.reason.data or "")
        elif action in ("delete", "undelete"):
            curation.delete_question(current_user, question, action == "delete")
        elif action == "approve":
            moderation.approve_post(current_user, question=question)
        else:
            abort(404)
        if request.form.get("resolve_flags"):
            moderation.resolve_flags_on(current_user, question)
    except ValidationFailed as failure:
        return failed(failure, question_id)
    db.session.commit()
    return back_to(question_id)


@bp.route("/answers/<int:answer_id>/curate/<action>", methods=["POST"])
@operator_required
def curate_answer(answer_id: int, action: str):
    answer = answer_or_404(answer_id)
    try:
        if action == "canonical":
            curation.choose_canonical(current_user, answer)
        elif action in ("delete", "undelete"):
            curation.delete_answer(current_user, answer, action == "delete")
        elif action == "approve":
            moderation.approve_post(current_user, answer=answer)
        else:
            abort(404)
    except ValidationFailed as failure:
        return failed(failure, answer.question_id)
    db.session.commit()
    return back_to(answer.question_id)


@bp.route("/<int:question_id>/merge", methods=["GET", "POST"])
@operator_required
def merge(question_id: int):
    question = question_or_404(question_id)
    form = MergeForm()
    if form.validate_on_submit():
        target = question_from_reference(form.target.data)
        try:
            if target is None:
                raise ValidationFailed([("target", _("No question with that number or link."))])
            curation.merge_duplicate(current_user, question, target)
        except ValidationFailed as failure:
            db.session.rollback()
            form.target.errors = [*form.target.errors, *(r for _f, r in failure.errors)]
        else:
            db.session.commit()
            flash(_("Merged. The old link now leads here."), "success")
            return redirect(url_for("qa.show", question_id=target.id))
    status = 400 if form.errors else 200
    return render_template("qa/merge.html", form=form, question=question), status


@bp.route("/<int:question_id>/revisions")
@operator_required
def revisions(question_id: int):
    question = question_or_404(question_id)
    history = question_service.revisions_of(question=question)
    return render_template(
        "qa/revisions.html",
        question=question,
        answer=None,
        rows=with_diffs(history),
    )


@bp.route("/answers/<int:answer_id>/revisions")
@operator_required
def answer_revisions(answer_id: int):
    answer = answer_or_404(answer_id)
    history = question_service.revisions_of(answer=answer)
    return render_template(
        "qa/revisions.html",
        question=answer.question,
        answer=answer,
        rows=with_diffs(history),
    )


def with_diffs(history: list[Revision]) -> list[tuple[Revision, list]]:
    """Newest first, each with its diff against the revision before it."""
    rows = []
    for index, revision in enumerate(history):
        older = history[index + 1] if index + 1 < len(history) else None
        rows.append((revision, question_service.revision_diff(older, revision)))
    return rows


@bp.route("/revisions/<int:revision_id>/restore", methods=["POST"])
@operator_required
def restore(revision_id: int):
    revision = db.session.get(Revision, revision_id) or abort(404)
    try:
        restored = question_service.restore_revision(current_user, revision)
    except ValidationFailed as failure:
        question_id = revision.question_id or db.session.get(Answer, revision.answer_id).question_id
        return failed(failure, question_id)
    db.session.commit()
    flash(_("Revision %(number)d restored.", number=revision.number), "success")
    question_id = restored.id if isinstance(restored, Question) else restored.question_id
    return redirect(url_for("qa.show", question_id=question_id))


@bp.route("/manage/tags", methods=["GET", "POST"])
@operator_required
def manage_tags():
    form = TagNameForm()
    if request.method == "POST":
        try:
            change_tag(form)
        except ValidationFailed as failure:
            db.session.rollback()
            for _field, reason in failure.errors:
                flash(reason, "error")
            return render_tags_page(), 400
        db.session.commit()
        flash(_("Tags updated."), "success")
        return redirect(url_for("qa.manage_tags"))
    return render_tags_page()


def render_tags_page():
    return render_template(
        "qa/manage_tags.html",
        tags=tag_service.tags_with_counts(500),
        form=TagNameForm(formdata=None),
    )


def change_tag(form: TagNameForm) -> None:
    """Apply the rename, alias or merge the tags page asked for."""
    if not form.validate():
        raise ValidationFailed([("name", _("Give the new name."))])
    tag = tag_service.tag_named(request.form.get("tag", "")) or abort(404)
    action = request.form.get("action")
    if action == "rename":
        tag_service.rename_tag(current_user, tag, form.name.data)
    elif action == "alias":
        tag_service.alias_tag(current_user, tag, form.name.data)
    elif action == "merge":
        target = tag_service.tag_named(tag_service.normalize_tag(form.name.data))
        if target is None:
            raise ValidationFailed([("name", _("No tag with that name."))])
        tag_service.merge_tags(current_user, tag, target)
    else:
        abort(400)


@bp.route("/review")
@operator_required
def review():
    questions, answers = moderation.pending_posts()
    return render_template(
        "qa/review.html",
        flags=moderation.open_flags(),
        pending_questions=questions,
        pending_answers=answers,
        approval_on=moderation.setting(moderation.FIRST_POST_APPROVAL) == "on",
        actions=recent_actions(50),
    )


@bp.route("/review/flags/<int:flag_id>/<resolution>", methods=["POST"])
@operator_required
def resolve_flag(flag_id: int, resolution: str):
    flag = db.session.get(Flag, flag_id) or abort(404)
    try:
        moderation.resolve_flag(current_user, flag, resolution)
    except ValidationFailed:
        abort(404)
    db.session.commit()
    return redirect(url_for("qa.review"))


@bp.route("/review/approval", methods=["POST"])
@operator_required
def set_approval():
    moderation.set_first_post_approval(current_user, request.form.get("enabled") == "1")
    db.session.commit()
    return redirect(url_for("qa.review"))


@bp.route("/reports/duplicates")
@operator_required
def duplicates_report():
    return render_template("qa/duplicates.html", rows=curation.most_duplicated())


@bp.route("/experts/queue")
def expert_queue():
    if not experts.is_expert(current_user if current_user.is_authenticated else None):
        abort(403, description=_("Experts only."))
    return render_template("qa/expert_queue.html", questions=experts.expert_queue())


@bp.route("/experts", methods=["GET", "POST"])
@admin_required
def manage_experts():
    if request.method == "POST":
        user_id = parse_id(request.form.get("user_id")) or abort(404)
        user = db.session.get(User, user_id) or abort(404)
        experts.set_expert(current_user, user, request.form.get("expert") == "1")
        db.session.commit()
        return redirect(url_for("qa.manage_experts"))
    return render_template("qa/experts.html", experts=experts.experts())
