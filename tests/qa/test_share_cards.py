"""Sharing a question: Open Graph tags and a card image with only what visitors may read."""

from __future__ import annotations

import io
import logging
import re

import pytest
from PIL import Image

from community.extensions import db
from community.qa.services import answers, curation
from community.sharing import cards

SECRET_TAIL = "会员专享正文BODYSECRET"
SECRET_ANSWER = "会员专享回答ANSWERSECRET"


def meta(page: str) -> dict[str, str]:
    found = re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)"', page)
    return dict(found)


@pytest.fixture
def gated_question(make_question, make_answer):
    body = "公开的开头摘要。" + "详" * 200 + SECRET_TAIL
    question = make_question(title="信用卡年费怎么免？招商银行 Visa 白金卡", body=body)
    make_answer(question, body=SECRET_ANSWER)
    return question


def test_a_question_page_carries_its_card(app, client, login, member, gated_question):
    app.config["SITE_URL"] = "https://community.example.com"
    login(client, member)
    page = client.get(f"/qa/{gated_question.id}").get_data(as_text=True)
    tags = meta(page)
    assert tags["og:title"] == "信用卡年费怎么免？招商银行 Visa 白金卡"
    assert tags["og:description"] == gated_question.teaser and tags["og:description"]
    assert tags["og:site_name"] == app.config["SITE_NAME"]
    assert tags["og:url"] == f"https://community.example.com/qa/{gated_question.id}"
    assert re.fullmatch(
        rf"https://community\.example\.com/qa/{gated_question.id}/card\.png\?v=[0-9a-f]{{12}}",
        tags["og:image"],
    )
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
    assert tags["twitter:card"] == "summary_large_image"
    head = page.split("</head>")[0]
    assert SECRET_TAIL not in head and SECRET_ANSWER not in head


def test_visitors_get_the_same_card_tags_and_no_member_text(app, client, gated_question):
    page = client.get(f"/qa/{gated_question.id}").get_data(as_text=True)
    assert meta(page)["og:title"] == gated_question.title
    assert SECRET_TAIL not in page and SECRET_ANSWER not in page


def test_the_card_draws_the_title_and_nothing_of_the_body_or_answers(
    app, client, make_question, make_answer, gated_question
):
    twin = make_question(title=gated_question.title, body="完全不同的正文。")
    response = client.get(f"/qa/{gated_question.id}/card.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert Image.open(io.BytesIO(response.data)).size == (1200, 630)
    assert "public" in response.headers["Cache-Control"]
    # Same title, other body and no answers: the very same picture.
    assert client.get(f"/qa/{twin.id}/card.png").data == response.data


def test_a_card_is_drawn_once_and_answers_304_when_unchanged(
    app, client, gated_question, monkeypatch
):
    drawn = []
    real = cards.draw_card
    monkeypatch.setattr(cards, "draw_card", lambda *args: drawn.append(args) or real(*args))
    first = client.get(f"/qa/{gated_question.id}/card.png")
    again = client.get(f"/qa/{gated_question.id}/card.png")
    assert len(drawn) == 1 and again.data == first.data
    conditional = client.get(
        f"/qa/{gated_question.id}/card.png", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert conditional.status_code == 304

    gated_question.title = "改过的标题：信用卡年费"
    db.session.commit()
    changed = client.get(f"/qa/{gated_question.id}/card.png")
    assert len(drawn) == 2 and changed.data != first.data


def test_deleted_and_waiting_questions_have_no_card(
    app, client, login, operator, gated_question, make_question
):
    assert client.get(f"/qa/{gated_question.id}/card.png").status_code == 200
    curation.delete_question(operator, gated_question)
    waiting = make_question(approved=False)
    db.session.commit()
    assert client.get(f"/qa/{gated_question.id}/card.png").status_code == 404
    assert client.get(f"/qa/{waiting.id}/card.png").status_code == 404
    assert client.get("/qa/999999/card.png").status_code == 404


def test_without_a_cjk_font_the_card_is_plain_and_a_warning_is_logged(
    app, client, gated_question, monkeypatch, caplog
):
    monkeypatch.setattr(cards, "FONT_CANDIDATES", ())
    monkeypatch.setattr(cards, "FONT_PATTERNS", ())
    app.config["CARD_FONT"] = "/nowhere/font.ttc"
    cards.find_font.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="community.sharing.cards"):
            response = client.get(f"/qa/{gated_question.id}/card.png")
    finally:
        cards.find_font.cache_clear()
    assert response.status_code == 200
    assert Image.open(io.BytesIO(response.data)).size == (1200, 630)
    assert any("no CJK font" in record.message for record in caplog.records)


def test_titles_wrap_between_chinese_characters_and_keep_latin_words_whole(app):
    font = cards.load_font(cards.find_font(None), 64)
    lines = cards.wrap("招商银行 Visa Signature 白金卡的年费政策" * 3, font, 1040, 3)
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert all(font.getlength(line) <= 1040 for line in lines)
    words = " ".join(lines).split()
    assert all(word in ("Visa", "Signature") or not word.isascii() for word in words)


def test_icons_are_where_browsers_and_phones_look(app, client):
    with client.get("/favicon.ico") as favicon:
        assert favicon.status_code == 200
        assert Image.open(io.BytesIO(favicon.data)).format == "ICO"
    with client.get("/apple-touch-icon.png") as touch:
        assert Image.open(io.BytesIO(touch.data)).size == (180, 180)
    page = client.get("/").get_data(as_text=True)
    assert 'rel="apple-touch-icon"' in page and 'rel="icon"' in page


def test_an_answer_added_later_changes_nothing_on_the_card(app, client, gated_question, member):
    before = client.get(f"/qa/{gated_question.id}/card.png").data
    answers.post_answer(member, gated_question, "又一条会员回答ANOTHERSECRET")
    db.session.commit()
    assert client.get(f"/qa/{gated_question.id}/card.png").data == before
