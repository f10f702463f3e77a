"""Pictures in questions and answers are read by exactly those who may read the post, decided
from the database at each request; other images never reach a page."""

from __future__ import annotations

import pytest

from community.extensions import db
from community.qa.services import answers, curation, questions
from tests.media import pictures
from tests.media.uploads import upload_picture


@pytest.fixture
def picture(app, login, make_user):
    """Upload as a member and return (the member, their client, the picture's path)."""

    def make(user=None):
        user = user or make_user(tier="member")
        client = app.test_client()
        login(client, user)
        response = upload_picture(client, pictures.photo_with_location())
        assert response.status_code == 201
        return user, client, response.get_json()["url"]

    return make


def clients(app, login, make_user):
    """A visitor, a free user and another paying member, each with a client."""
    visitor = app.test_client()
    free = app.test_client()
    login(free, make_user(tier="free"))
    other = app.test_client()
    login(other, make_user(tier="member"))
    return visitor, free, other


def statuses(url, *readers) -> list[int]:
    return [reader.get(url).status_code for reader in readers]


def test_a_picture_in_a_member_question_is_for_members_only(app, login, make_user, picture):
    author, _client, url = picture()
    question = questions.ask_question(
        author, "截图里的账单怎么看？", f"看图：\n\n![账单]({url})", "账单"
    )
    db.session.commit()
    visitor, free, other = clients(app, login, make_user)
    assert statuses(url, visitor, free, other) == [404, 404, 200]
    assert statuses(f"{url}/full", visitor, free, other) == [404, 404, 200]

    page = other.get(f"/qa/{question.id}").get_data(as_text=True)
    assert f'<img src="{url}" alt="账单" loading="lazy">' in page
    for reader in (visitor, free):
        assert url not in reader.get(f"/qa/{question.id}").get_data(as_text=True)

    question.public = True
    db.session.commit()
    assert statuses(url, visitor, free) == [200, 200]


def test_a_picture_in_an_answer_follows_its_question(app, login, make_user, picture, operator):
    question = questions.ask_question(make_user(tier="member"), "问题标题够长", "正文描述", "账单")
    db.session.flush()
    author, _client, url = picture()
    answer = answers.post_answer(author, question, f"![]({url})")
    db.session.commit()
    visitor, free, other = clients(app, login, make_user)
    assert statuses(url, visitor, free, other) == [404, 404, 200]

    curation.delete_answer(operator, answer)
    db.session.commit()
    assert statuses(url, other) == [404]
    staff = app.test_client()
    login(staff, operator)
    assert statuses(url, staff) == [200]


def test_a_deleted_question_takes_its_pictures_with_it(app, login, make_user, picture, operator):
    author, own_client, url = picture()
    question = questions.ask_question(
        author, "问题标题够长", f"![]({url})", "账单", check_member=True
    )
    question.public = True
    db.session.commit()
    visitor, _free, other = clients(app, login, make_user)
    assert statuses(url, visitor, other) == [200, 200]
    curation.delete_question(operator, question)
    db.session.commit()
    assert statuses(url, visitor, other) == [404, 404]
    assert statuses(url, own_client) == [200]


def test_pasting_someone_elses_picture_into_a_public_post_opens_nothing(
    app, login, make_user, picture, mallory
):
    author, _client, url = picture()
    questions.ask_question(author, "会员问题标题", f"![]({url})", "账单")
    public = questions.ask_question(mallory, "公开问题标题", f"偷来的图 ![]({url})", "账单")
    public.public = True
    db.session.commit()
    visitor = app.test_client()
    assert visitor.get(f"/qa/{public.id}").status_code == 200
    assert statuses(url, visitor) == [404]


def test_an_edit_that_drops_a_picture_keeps_it_for_the_revisions(app, login, make_user, picture):
    author, _client, url = picture()
    question = questions.ask_question(author, "问题标题够长", f"![]({url})", "账单")
    db.session.commit()
    questions.edit_question(author, question, question.title, "图删掉了，只有文字。", "账单")
    db.session.commit()
    _visitor, _free, other = clients(app, login, make_user)
    assert statuses(url, other) == [200]


def test_an_operator_editing_keeps_the_authors_pictures(app, login, make_user, picture, operator):
    author, _client, url = picture()
    question = questions.ask_question(author, "问题标题够长", "还没有图", "账单")
    db.session.commit()
    questions.edit_question(operator, question, question.title, f"补上图 ![]({url})", "账单")
    db.session.commit()
    _visitor, _free, other = clients(app, login, make_user)
    assert statuses(url, other) == [200]


@pytest.mark.parametrize(
    "markdown",
    [
        "![t](https://tracker.example.com/pixel.png)",
        "![t](//tracker.example.com/pixel.png)",
        "![t](/media/AAAAAAAAAAAAAAAAAAAAAA/../../secret)",
        "![t](/static/img/bell.svg)",
        "![t](data:image/png;base64,iVBORw0KGgo=)",
    ],
)
def test_only_the_sites_own_pictures_become_images(app, make_user, markdown):
    question = questions.ask_question(make_user(tier="member"), "问题标题够长", markdown, "账单")
    assert "<img" not in question.body_html


def test_a_feed_token_opens_only_pictures_its_member_may_read(
    app, login, make_user, picture, free_user
):
    from community.feeds import services as feeds

    author, _client, url = picture()
    questions.ask_question(author, "会员问题标题", f"![]({url})", "账单")
    member_token = feeds.url_token(feeds.rotate_token(make_user(tier="member")))
    free_token = feeds.url_token(feeds.rotate_token(free_user))
    db.session.commit()
    reader = app.test_client()
    assert statuses(f"{url}?feed={member_token}", reader) == [200]
    assert statuses(f"{url}?feed={free_token}", reader) == [404]
    assert statuses(f"{url}?feed=1.forged", reader) == [404]
    forged = member_token[:-1] + ("0" if member_token[-1] != "0" else "1")
    assert statuses(f"{url}?feed={forged}", reader) == [404]
