"""Searching the knowledge base: the /search page, /api/v1/search and similar questions.

The viewer is the search's reader (qa/access.py decides who reads what): visitors and free users
are matched against titles, tags, teasers and public questions only and get title and teaser
highlights; members (and anyone, for public questions) get snippets from the body and answers.
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.api.views import authenticate_bearer
from community.extensions import csrf
from community.numbers import parse_int
from community.qa.access import Viewer, viewer_for
from community.search.query import MAX_QUERY_LENGTH, SORTS
from community.search.results import SearchResults
from community.search.service import search_service

bp = Blueprint("search", __name__)
api_bp = Blueprint("search_api", __name__, url_prefix="/api/v1")
# Like the rest of the API: a bearer token (or the session) identifies the viewer.
csrf.exempt(api_bp)
api_bp.before_request(authenticate_bearer)

PER_PAGE = 20
MAX_PAGE = 1000
SIMILAR_TITLE_MAX = 200


def search_arguments() -> tuple[str, int, str]:
    """The query, page and sort of this request; anything malformed answers 400."""
    text = " ".join(request.args.get("q", "").split())
    if len(text) > MAX_QUERY_LENGTH:
        abort(
            400,
            description=_(
                "The search is too long: at most %(count)d characters.", count=MAX_QUERY_LENGTH
            ),
        )
    page = parse_int(request.args.get("page", "1"), 1, MAX_PAGE)
    if page is None:
        abort(
            400,
            description=_("The page must be a number from 1 to %(count)d.", count=MAX_PAGE),
        )
    sort = request.args.get("sort", "relevance")
    if sort not in SORTS:
        abort(
            400,
            description=_("Sort by one of: %(sorts)s.", sorts=", ".join(SORTS)),
        )
    return text, page, sort


def run_search(viewer: Viewer) -> tuple[str, str, SearchResults]:
    text, page, sort = search_arguments()
    results = search_service().search(text, reader=viewer, page=page, per_page=PER_PAGE, sort=sort)
    return text, sort, results


@bp.route("/search")
def search_page():
    viewer = viewer_for(current_user, request.args.get("preview"))
    text, sort, results = run_search(viewer)
    return render_template(
        "qa/search.html", query=text, sort=sort, sorts=SORTS, results=results, viewer=viewer
    )


@api_bp.route("/search")
def search_api():
    _text, _sort, results = run_search(viewer_for(current_user))
    return jsonify(
        total=results.total,
        page=results.page,
        results=[
            {
                "id": hit.id,
                "external_id": hit.external_id,
                "title": hit.title,
                "url": url_for("qa.show", question_id=hit.id, _external=True),
                "snippet": str(hit.snippet),
                "tags": hit.tags,
                "answer_count": hit.answer_count,
                "accepted": hit.accepted,
                "featured": hit.featured,
            }
            for hit in results.hits
        ],
    )


@bp.route("/qa/similar")
def similar():
    """Up to five questions like the title being typed in the ask form: titles and links only."""
    title = " ".join(request.args.get("title", "").split())[:SIMILAR_TITLE_MAX]
    hits = search_service().similar(title, reader=viewer_for(current_user))
    return jsonify(
        results=[
            {"title": hit.title, "url": url_for("qa.show", question_id=hit.id)} for hit in hits
        ]
    )
