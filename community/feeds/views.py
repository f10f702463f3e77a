"""Atom feeds at private token URLs, and the page where a member gets or revokes the token."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlencode

from feedgen.feed import FeedGenerator
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.clock import utcnow
from community.extensions import db
from community.feeds import services
from community.media.paths import IMAGE_PATH
from community.media.services import register_reader
from community.security import login_required_view, personal_response

bp = Blueprint("feeds", __name__)

# Characters XML 1.0 cannot carry; member text may contain them, a feed must not.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


# The site's uploaded pictures, as Markdown rendering leaves them.
PICTURE_SOURCE = re.compile(r'src="(' + IMAGE_PATH.pattern.strip("^$") + ')"')
# href="/…" and src="/…" (not "//host/…"), as Markdown rendering and nh3 leave them.
SITE_RELATIVE = re.compile(r'\b(href|src)="(/(?!/)[^"]*)"')


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
    root = current_app.config["SITE_URL"].rstrip("/")
    generator = FeedGenerator()
    generator.id(services.feed_id(user, name, request.args))
    generator.title(xml_safe(f"{feed.title} · {current_app.config['SITE_NAME']}"))
    generator.link(href=feed.link, rel="alternate", type="text/html")
    generator.link(href=request.url, rel="self", type="application/atom+xml")
    generator.language("zh-CN")
    last_change = max((entry.updated for entry in feed.entries), default=None)
    generator.updated(last_change or utcnow())
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
            content = absolute_links(pictures_for_reader(item.content_html, token), root)
            entry.content(xml_safe(content), type="html")
    response = current_app.response_class(
        generator.atom_str(pretty=False), mimetype="application/atom+xml"
    )
    response.headers["X-Robots-Tag"] = "noindex"
    # Readers poll: an unchanged feed is answered 304 from the reader's ETag or date.
    response.set_etag(content_digest(feed, request.url))
    if last_change is not None:
        response.last_modified = last_change
    return response.make_conditional(request)


def absolute_links(html: str, root: str) -> str:
    """Links and pictures of the site made absolute: a feed is read away from the site."""
    return SITE_RELATIVE.sub(lambda match: f'{match.group(1)}="{root}{match.group(2)}"', html)


def pictures_for_reader(html: str, token: str) -> str:
    """Member-only pictures carry the feed's token, so the reader (no session) may fetch them;
    a rotated or revoked token stops them with the feed."""
    return PICTURE_SOURCE.sub(
        lambda match: f'src="{match.group(1)}?{urlencode({"feed": token})}"', html
    )


def reader_from_feed_token():
    """The member a picture request names by `?feed=<token>` (see `pictures_for_reader`)."""
    raw = request.args.get("feed")
    return services.user_for_token(raw) if raw else None


bp.record_once(lambda state: register_reader(state.app, reader_from_feed_token))


def content_digest(feed: services.Feed, address: str) -> str:
    """What the feed says, digested: equal digests are equal feeds, whenever they were made."""
    digest = hashlib.sha256(f"{address}\0{feed.title}\0{feed.link}".encode())
    for entry in feed.entries:
        parts = (entry.id, entry.title, entry.link, entry.updated.isoformat(), entry.author)
        digest.update("\0".join((*parts, *entry.categories, entry.content_html)).encode())
    return digest.hexdigest()[:32]


@bp.route("/account/feeds")
@login_required_view
def manage():
    token = services.active_token(current_user)
    readable = [
        (name, registered)
        for name, registered in services.FEEDS.items()
        if registered.listed and services.feed_available(current_user, name)
    ]
    links = []
    if token is not None:
        links = [
            (registered.label, services.feed_url_for(current_user, name))
            for name, registered in readable
        ]
    return render_template("feeds/manage.html", token=token, links=links, readable=bool(readable))


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
