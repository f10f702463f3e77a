"""The question lists, tags and the operator reports that are lists too."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for

from community.qa.models import Tag
from community.qa.pages.lists import list_state, shared_list_page
from community.qa.services import lists
from community.qa.services import tags as tag_service
from community.qa.views import bp, current_viewer, page_number
from community.security import login_required_view

TITLE_FILTER_MAX = 100


def render_list(kind: str, tag: Tag | None = None):
    viewer = current_viewer()
    title_filter = " ".join(request.args.get("q", "").split())[:TITLE_FILTER_MAX]
    number = page_number()
    shared = None if title_filter else shared_list_page(viewer, kind, number, tag)
    if shared is not None:
        return shared
    page = lists.question_list(
        kind, number, user_id=viewer.user_id, tag=tag, title_filter=title_filter
    )
    return render_template(
        "qa/list.html",
        kind=kind,
        tag=tag,
        page=page,
        title_filter=title_filter,
        viewer=viewer,
        state=list_state(viewer, kind, tag),
    )


@bp.route("/")
def index():
    return render_list("newest")


@bp.route("/unanswered")
def unanswered():
    return render_list("unanswered")


@bp.route("/featured")
def featured():
    return render_list("featured")


@bp.route("/hot")
def hot():
    return render_list("hot")


@bp.route("/mine")
@login_required_view
def mine():
    return render_list("mine")


@bp.route("/followed")
@login_required_view
def followed():
    return render_list("followed")


@bp.route("/tags/")
def tags():
    return render_template("qa/tags.html", tags=tag_service.tags_with_counts())


@bp.route("/tags/<name>")
def tag(name: str):
    found = tag_service.tag_named(name)
    if found is None:
        abort(404)
    if found.name != name:
        return redirect(url_for("qa.tag", name=found.name), 301)
    return render_list("newest", tag=found)
