"""Atom feeds at private token URLs, and the page where a member gets or revokes the token."""

from __future__ import annotations

import re

from feedgen.feed import FeedGenerator
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.clock import utcnow
from community.extensions import db
from community.feeds import services
from community.security import login_required_view, personal_response

bp = Blueprint("feeds", __name__)

# Characters XML 1.0 cannot carry; member text may contain them, a feed must not.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    return XML_INVALID.sub("", text or "")


@bp.route("/feeds/<token>/<name>.atom")
def read(token: str, name: str):
    user = services.user_for_token(token)
    registered = services.FEEDS.get(name)
    if user is None or registered is None:
        abort(404)
    personal_response()
    feed = registered.producer(user, request.args)
    if feed is None:
        abort(403, description=_("This feed is for members."))
    generator = FeedGenerator()
    generator.id(request.base_url)
    generator.title(xml_safe(f"{feed.title} · {current_app.config['SITE_NAME']}"))
    generator.link(href=feed.link, rel="alternate")
    generator.language("zh-CN")
    generator.updated(max((entry.updated for entry in feed.entries), default=utcnow()))
    for item in reversed(feed.entries):
        entry = generator.add_entry()
        entry.id(item.id)
        entry.title(xml_safe(item.title))
        entry.link(href=item.link)
        entry.updated(item.updated)
        if item.author:
            entry.author(name=xml_safe(item.author))
        for category in item.categories:
            entry.category(term=xml_safe(category))
        if item.content_html:
            entry.content(xml_safe(item.content_html), type="html")
    response = current_app.response_class(
        generator.atom_str(pretty=False), mimetype="application/atom+xml"
    )
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.route("/account/feeds")
@login_required_view
def manage():
    token = services.active_token(current_user)
    links = []
    if token is not None:
        links = [
            (registered.label, services.feed_url_for(current_user, name))
            for name, registered in services.FEEDS.items()
            if registered.listed
        ]
    return render_template("feeds/manage.html", token=token, links=links)


@bp.route("/account/feeds/token", methods=["POST"])
@login_required_view
def rotate():
    if request.form.get("action") == "revoke":
        services.revoke_tokens(current_user)
        flash(_("Your feed links no longer work."), "info")
    else:
        services.rotate_token(current_user)
        flash(_("New feed links are ready; the old ones no longer work."), "success")
    db.session.commit()
    return redirect(url_for("feeds.manage"))
