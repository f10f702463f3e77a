"""Mail that lands, checked on a real SMTP server (aiosmtpd): headers, both parts, encodings,
absolute links, one-click unsubscribe, the recipient's language, the true days left."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
from datetime import timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import pytest
import time_machine
from aiosmtpd.controller import Controller

from community.clock import utcnow
from community.extensions import db
from community.qa.services import notifications
from tests.conftest import grant_period
from tests.helpers import post_form, zh

SITE = "https://club.example.cn"
CJK = re.compile(r"[\u4e00-\u9fff]")


class Inbox:
    """An SMTP handler that keeps every message it receives, parsed."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.raw: list[bytes] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        with self.arrived:
            self.raw.append(envelope.original_content)
            self.messages.append(
                email.message_from_bytes(envelope.original_content, policy=email.policy.default)
            )
            self.arrived.notify_all()
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(app):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_URL=f"smtp://127.0.0.1:{port}", SITE_URL=SITE, SITE_NAME="理财社区")
    try:
        yield inbox
    finally:
        controller.stop()


def parts(message):
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    return plain, html


def check_headers(message, raw: bytes) -> None:
    assert abs(parsedate_to_datetime(message["Date"]) - utcnow()) < timedelta(minutes=5)
    assert message["From"].addresses[0].display_name == "理财社区"
    assert message["From"].addresses[0].domain == "club.example.cn"
    assert message["Message-ID"].strip("<>").endswith("@club.example.cn")
    assert message.get_content_type() == "multipart/alternative"
    # Non-ASCII headers are encoded words on the wire; the parts declare their charset.
    assert b"From: =?utf-8?" in raw
    if not str(message["Subject"]).isascii():
        assert b"Subject: =?utf-8?" in raw
    plain, html = parts(message)
    assert plain.get_content_charset() == "utf-8" and html.get_content_charset() == "utf-8"


def links(text: str) -> list[str]:
    return re.findall(r'(?:href="|\s)(https?://[^\s"<]+)', text)


def test_a_confirmation_mail_has_the_headers_and_both_parts(client, smtp):
    post_form(
        client,
        "/account/register",
        {"email": "new@example.com", "name": "新人", "password": "a long enough passphrase 2026"},
    )
    (message,) = smtp.messages
    check_headers(message, smtp.raw[0])
    assert message["List-Unsubscribe"] is None  # account mail cannot be turned off
    plain, html = parts(message)
    for text in (plain.get_content(), html.get_content()):
        found = links(text)
        assert found and all(link.startswith(SITE + "/") for link in found)
        assert any("/account/verify/" in link for link in found)
        assert f"{SITE}/account/settings" in found
    assert "<a href=" in html.get_content()


def make_notification(make_user, make_question, make_answer, locale):
    reader = make_user(tier="member")
    reader.locale = locale
    question = make_question(author=reader, title="信用卡年费怎么免")
    make_answer(question)
    db.session.commit()
    return reader, question


def test_a_digest_is_whole_in_the_readers_language_and_unsubscribes_in_one_click(
    app, client, smtp, make_user, make_question, make_answer
):
    english, _question = make_notification(make_user, make_question, make_answer, "en")
    chinese, _other = make_notification(make_user, make_question, make_answer, "zh_CN")
    assert notifications.send_digests(utcnow() + timedelta(days=8)) == 2
    by_reader = {message["To"]: message for message in smtp.messages}

    english_mail = by_reader[english.email]
    check_headers(english_mail, smtp.raw[[m["To"] for m in smtp.messages].index(english.email)])
    plain, html = parts(english_mail)
    assert not CJK.search(english_mail["Subject"])
    # Only the question's title and the site's name are Chinese in an English mail.
    for text in (plain.get_content(), html.get_content()):
        leftover = text.replace("信用卡年费怎么免", "").replace("理财社区", "").replace("用户", "")
        assert not CJK.search(leftover), leftover
        assert "New answer to your question" in text
    chinese_mail = by_reader[chinese.email]
    assert CJK.search(chinese_mail["Subject"])
    with app.app_context():
        label = zh("New answer to your question")
    assert all(label in part.get_content() for part in parts(chinese_mail))

    assert english_mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = english_mail["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith(f"{SITE}/account/unsubscribe/")
    assert f"{SITE}/qa/notifications" in links(plain.get_content())
    # One click from the mail client: no sign-in, no CSRF token, and the mail is off.
    path = urlsplit(unsubscribe).path
    assert client.get(path).status_code == 200  # looking changes nothing
    assert notifications.digest_choice(english.id) == "weekly"
    done = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert notifications.digest_choice(english.id) == "off"
    assert notifications.digest_choice(chinese.id) == "weekly"
    assert client.post(path[:-3] + "xyz", data={"List-Unsubscribe": "One-Click"}).status_code == 404


def test_a_reminder_states_the_days_truly_left_and_can_be_turned_off(
    app, client, runner, smtp, make_user
):
    soon = make_user(email="soon@example.com")
    grant_period(soon, "member", 6, start=utcnow() - timedelta(days=1))  # ends in 5 days
    db.session.commit()
    assert runner.invoke(args=["billing", "send-reminders"]).exit_code == 0
    (message,) = smtp.messages
    check_headers(message, smtp.raw[0])
    assert "5" in message["Subject"] and "7" not in message["Subject"]
    plain, html = parts(message)
    assert "还剩 5 天" in plain.get_content() and "还剩 5 天" in html.get_content()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    path = urlsplit(message["List-Unsubscribe"].strip("<>")).path
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    with time_machine.travel(utcnow() + timedelta(days=4, hours=12)):
        assert runner.invoke(args=["billing", "send-reminders"]).exit_code == 0
    assert len(smtp.messages) == 1  # the 1-day reminder is not sent once turned off
