"""Links in mail point at SITE_URL, whatever Host header the request that sent them named."""

from __future__ import annotations

from datetime import timedelta

import pytest

from community.billing import reminders
from community.clock import utcnow
from community.extensions import db
from community.qa.services import answers, notifications, questions
from tests.conftest import PASSWORD
from tests.helpers import csrf_from, link_in, post_form

SITE = "https://community.example.com"
FOREIGN = {"Host": "evil.example.net"}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "SITE_URL": SITE}


def post_with_host(client, url: str, data: dict, page: str | None = None):
    token = csrf_from(client.get(page or url, headers=FOREIGN))
    return client.post(url, data={"csrf_token": token, **data}, headers=FOREIGN)


def test_reset_mail_sent_for_a_foreign_host_links_to_site_url(client, member, outbox):
    assert post_with_host(client, "/account/forgot", {"email": member.email}).status_code == 302
    link = link_in(outbox()[-1])
    assert link.startswith(f"{SITE}/account/reset/"), link


def test_verification_mail_links_to_site_url(client, outbox):
    data = {"email": "new@example.com", "name": "新同学", "password": PASSWORD}
    assert post_with_host(client, "/account/register", data).status_code == 302
    assert link_in(outbox()[-1]).startswith(f"{SITE}/account/verify/")


def test_new_address_mail_links_to_site_url(client, member, outbox):
    signed_in = post_with_host(
        client, "/account/login", {"email": member.email, "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    response = post_with_host(
        client,
        "/account/settings/email",
        {"email": "moved@example.com", "current_password": PASSWORD},
        page="/account/settings",
    )
    assert response.status_code == 302
    assert link_in(outbox()[-1]).startswith(f"{SITE}/account/email/confirm/")


def test_notification_mail_sent_inside_a_request_links_to_site_url(app, member, mallory, outbox):
    question = questions.ask_question(
        member, "信用卡年费怎么免？", "正文内容，够长的描述。", "信用卡"
    )
    answers.post_answer(mallory, question, "一条足够长的回答，讲清楚了。")
    db.session.commit()
    with app.test_request_context("/", headers=FOREIGN):
        assert notifications.send_digests(utcnow() + timedelta(days=8)) == 1
    assert link_in(outbox()[-1]) == f"{SITE}/qa/{question.id}"


def test_renewal_reminder_links_to_site_url(app, member, outbox):
    with app.test_request_context("/", headers=FOREIGN):
        reminders.send_reminder(member, utcnow() + timedelta(days=7), 7)
    assert link_in(outbox()[-1]) == f"{SITE}/pricing"


def test_site_url_with_a_path_keeps_it(app, client, member, outbox):
    app.config["SITE_URL"] = "https://example.org/community/"
    post_form(client, "/account/forgot", {"email": member.email})
    assert link_in(outbox()[-1]).startswith("https://example.org/community/account/reset/")
