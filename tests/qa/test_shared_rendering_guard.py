"""Shared renderings enforce their own rule: nothing of one person reaches a page many share.

The plausible mistake: a "your membership ends in 3 days" banner in base.html that reads
`current_user`. Built into a shared question page it would be served to every member for
hours. While a shared rendering is built, such a read refuses: the page is rendered for its
viewer alone instead, and the refusal is logged.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from flask import g, get_flashed_messages, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from jinja2 import ChoiceLoader, DictLoader

from community.rendering.shared import PersonalValueRefused, building_shared
from tests.conftest import log_in

BASE = Path(__file__).parents[2] / "templates" / "base.html"
BANNER = (
    "{% if current_user.is_authenticated %}"
    '<p class="banner">{{ current_user.name }}，您的会员还有 3 天到期</p>'
    "{% endif %}"
)


@pytest.fixture
def banner_in_base(app):
    """base.html with the banner someone might add, ahead of the real templates."""
    original = BASE.read_text()
    changed = original.replace('<main class="wrap">', BANNER + '<main class="wrap">', 1)
    assert changed != original
    app.jinja_env.loader = ChoiceLoader([DictLoader({"base.html": changed}), app.jinja_loader])
    app.jinja_env.cache.clear()
    app.extensions.pop("site_headers", None)


def member_client(app, make_user, name):
    user = make_user(name=name, tier="member")
    client = app.test_client()
    log_in(client, user)
    return client


def test_a_banner_reading_current_user_is_refused_in_shared_renderings_not_leaked(
    app, make_user, make_question, banner_in_base, caplog
):
    question = make_question()
    first = member_client(app, make_user, "第一位会员")
    second = member_client(app, make_user, "第二位会员")

    with caplog.at_level(logging.ERROR, logger="community.rendering.cache"):
        for path in (f"/qa/{question.id}", "/qa/"):
            mine = first.get(path).get_data(as_text=True)
            theirs = second.get(path).get_data(as_text=True)
            assert "第一位会员，您的会员还有" in mine and "第二位会员" not in mine
            assert "第二位会员，您的会员还有" in theirs and "第一位会员" not in theirs

    refusals = [r for r in caplog.records if r.exc_info and r.exc_info[0] is PersonalValueRefused]
    assert refusals, "the shared build should have refused the banner"
    caches = app.extensions["renderings"]["caches"]
    assert all(not cache.memory.entries for cache in caches.values())


def test_the_unchanged_templates_build_shared_pages(app, make_user, make_question, caplog):
    question = make_question()
    first = member_client(app, make_user, "第一位会员")
    with caplog.at_level(logging.ERROR):
        assert first.get(f"/qa/{question.id}").status_code == 200
        assert first.get("/qa/").status_code == 200
    assert not [r for r in caplog.records if r.exc_info]
    caches = app.extensions["renderings"]["caches"]
    assert len(caches["questions"].memory.entries) == 1
    assert len(caches["lists"].memory.entries) == 1


def test_inside_the_guard_every_personal_value_refuses_and_comes_back_after(app, member):
    with app.test_request_context("/qa/"):
        log_in_request(member)
        g.session_values = {"user_id": member.id, "qa_unread": 3}
        g.standings = {member.id: "standing"}
        with building_shared(signed_in=True):
            assert current_user.is_authenticated and not current_user.is_operator
            for read in (
                lambda: current_user.name,
                lambda: current_user.id,
                lambda: current_user.email,
                lambda: session.get("_user_id"),
                lambda: "_flashes" in session,
                get_flashed_messages,
                generate_csrf,
            ):
                with pytest.raises(PersonalValueRefused):
                    read()
            assert "session_values" not in g and "standings" not in g
        assert current_user.id == member.id
        assert g.session_values["qa_unread"] == 3 and g.standings == {member.id: "standing"}
        assert session["_user_id"] == member.get_id()


def test_visitors_audience_is_anonymous(app):
    with app.test_request_context("/"), building_shared(signed_in=False):
        assert not current_user.is_authenticated and current_user.is_anonymous
        with pytest.raises(PersonalValueRefused):
            current_user.get_id()


def log_in_request(user) -> None:
    from flask_login import login_user

    login_user(user)
