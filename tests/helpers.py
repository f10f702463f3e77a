"""Small helpers tests share: CSRF tokens from pages, links from emails, threads at once."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from alembic.script import Script, ScriptDirectory
from flask import Flask

from community import create_app
from community.extensions import db

CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)
LINK_RE = re.compile(r"https?://\S+")


def csrf_from(response) -> str:
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


def link_in(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    match = LINK_RE.search(body)
    assert match, f"no link in email: {body!r}"
    return match.group(0)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def post_form(client, url: str, data: dict, page: str | None = None, **kwargs):
    """GET `page` (default `url`) for a CSRF token, then POST `data` to `url`."""
    token = csrf_from(client.get(page or url))
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


def zh(msgid: str, **variables) -> str:
    """`msgid` as the Chinese UI shows it, escaped as Jinja escapes it (needs an app context)."""
    from flask_babel import force_locale, gettext
    from markupsafe import escape

    with force_locale("zh_CN"):
        return str(escape(gettext(msgid, **variables)))


def run_together(work, count: int, app=None) -> list:
    """Run work(index) in `count` threads released at once; return what they raised. With
    `app`, each thread works in an app context (and database session) of its own."""
    start, failures = threading.Barrier(count), []

    def runner(index: int) -> None:
        try:
            start.wait(10)
            if app is None:
                work(index)
                return
            with app.app_context():
                try:
                    work(index)
                finally:
                    db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported by the caller
            failures.append(error)

    threads = [threading.Thread(target=runner, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return failures


@contextmanager
def site_on_empty_database(app_config: dict, folder) -> Iterator[Flask]:
    """A site on an empty SQLite database of its own (`folder`/fresh.db), its app context
    pushed, for a test that migrates it step by step."""
    site = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'fresh.db'}"})
    with site.app_context():
        try:
            yield site
        finally:
            db.session.remove()
            db.engine.dispose()


def migration_ending(site: Flask, suffix: str) -> Script:
    """The one migration whose revision id ends with `suffix` ("_item_keys")."""
    config = site.extensions["migrate"].migrate.get_config()
    (found,) = [
        script
        for script in ScriptDirectory.from_config(config).walk_revisions()
        if script.revision.endswith(suffix)
    ]
    return found
