"""The question lists, tags and the operator reports that are lists too."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from community.feeds import services as feeds
from community.qa.models import Tag
from community.qa.question_rendering import shared_list_rows
from community.qa.services import experts, lists, votes
from community.qa.services import tags as tag_service
from community.qa.views import bp, current_viewer, page_number
from community.security import login_required_view

TITLE_FILTER_MAX = 100


def render_list(kind: str, tag: Tag | None = None):
    viewer = current_viewer()
    title_filter = " ".join(request.args.get("q", "").split())[:TITLE_FILTER_MAX]
    number = page_number()
    shared = None if title_filter else shared_list_rows(kind, number, tag)
    if shared is None:
        page, rows = (
            lists.question_list(
                kind, number, user_id=viewer.user_id, tag=tag, title_filter=title_filter
            ),
            None,
        )
    else:
        rows, has_next = shared
        page = lists.Page(items=[], number=number, has_next=has_next)
    feed_name = f"qa-{kind}" if tag is None else "qa-tag"
    return render_template(
        "qa/list.html",
        kind=kind,
        tag=tag,
        page=page,
        rows=rows,
        title_filter=title_filter,
        viewer=viewer,
        following_tag=votes.follows_tag(viewer.user_id, tag) if tag else False,
        expert=experts.is_expert(viewer.user),
        feed_url=feeds.feed_url_for(current_user, feed_name, tag=tag.name if tag else None),
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
