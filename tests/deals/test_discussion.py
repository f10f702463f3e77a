"""A deal page's discussion: members' comments, and related questions cut for the viewer."""

from __future__ import annotations

import pytest

from community.deals import discussion
from community.errors import NotAllowed, ValidationFailed
from community.extensions import db
from community.qa.access import viewer_for
from community.qa.services import questions
from community.search.indexer import rebuild_index
from tests.helpers import post_form


def test_member_comments_and_reads_them_on_the_deal_page(client, login, member, make_deal):
    deal = make_deal()
    login(client, member)
    answer = post_form(
        client,
        f"/deals/{deal.id}/comments",
        {"body": "  昨天买了，确实便宜  "},
        f"/deals/{deal.id}",
    )
    assert answer.status_code == 303
    page = client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert "昨天买了，确实便宜" in page
    assert member.name in page


def test_visitors_and_free_users_see_how_many_comments_not_what_they_say(
    client, login, member, free_user, make_deal
):
    deal = make_deal()
    discussion.add_comment(member, deal, "COMMENTSECRET 这家店发货快")
    db.session.commit()
    for viewer in (None, free_user):
        if viewer is not None:
            login(client, viewer)
        page = client.get(f"/deals/{deal.id}").get_data(as_text=True)
        assert "COMMENTSECRET" not in page
        assert 'data-testid="deal-comments"' in page
        assert 'name="body"' not in page


def test_free_users_cannot_comment(client, login, free_user, make_deal):
    deal = make_deal()
    login(client, free_user)
    page = f"/deals/{deal.id}"
    answer = post_form(client, f"/deals/{deal.id}/comments", {"body": "我也想买"}, page)
    assert answer.status_code == 403
    assert discussion.comments_of(deal) == []


@pytest.mark.parametrize("body", ["   ", "长" * 601, "坏\x07字"])
def test_bad_comments_are_refused_with_a_reason(member, make_deal, body):
    deal = make_deal()
    with pytest.raises(ValidationFailed) as refused:
        discussion.add_comment(member, deal, body)
    [(field, reason)] = refused.value.errors
    assert field == "body" and reason
    assert discussion.comments_of(deal) == []


def test_a_comment_on_a_draft_or_missing_deal_is_refused(client, login, member, make_deal):
    draft = make_deal(status="draft")
    login(client, member)
    page = client.get("/deals/")
    assert page.status_code == 200
    for deal_id in (draft.id, 999_999):
        answer = post_form(client, f"/deals/{deal_id}/comments", {"body": "看看"}, "/deals/")
        assert answer.status_code == 404


def test_only_the_author_or_an_operator_deletes_a_comment(
    client, login, member, mallory, operator, make_deal
):
    deal = make_deal()
    comment = discussion.add_comment(member, deal, "删掉我")
    db.session.commit()
    with pytest.raises(NotAllowed):
        discussion.delete_comment(mallory, comment)
    login(client, mallory)
    page = f"/deals/{deal.id}"
    refused = post_form(client, f"/deals/comments/{comment.id}/delete", {}, page)
    assert refused.status_code == 403
    login(client, operator)
    assert post_form(client, f"/deals/comments/{comment.id}/delete", {}, page).status_code == 303
    db.session.expire_all()
    assert discussion.comments_of(deal) == []


@pytest.fixture(autouse=True)
def search_closed_after(app):
    """The search index these tests open is closed with the test (no reader outlives it)."""
    yield
    service = app.extensions.get("search", {}).get("service")
    if service is not None:
        service.backend.close()


@pytest.fixture
def kitchen_questions(make_user):
    """An open question about air fryers, and a members' one that names them only past the
    teaser everyone reads."""
    author = make_user(tier="member")
    open_question = questions.ask_question(
        author, "空气炸锅买多大容量合适", "一家三口用空气炸锅，4.5升够不够？", "空气炸锅 厨房"
    )
    open_question.public = True
    members_question = questions.ask_question(
        author,
        "会员经验分享 MEMBERSTITLE",
        "会员经验：" + "先看预算，再看用途。" * 30 + "空气炸锅别买太小 BODYSECRET",
        "经验",
    )
    db.session.commit()
    rebuild_index()
    db.session.commit()
    return open_question, members_question


def test_related_questions_follow_the_viewers_rights(
    client, login, member, make_deal, kitchen_questions
):
    """A visitor is matched against open text only and is shown no member text; a member is
    matched against everything."""
    open_question, members_question = kitchen_questions
    deal = make_deal(title="小米空气炸锅 4.5L 家用", tags="空气炸锅|厨房电器", category="小家电")
    member_related = discussion.related_questions(deal, viewer_for(member))
    assert {hit.id for hit in member_related} == {open_question.id, members_question.id}
    visitor_related = discussion.related_questions(deal, viewer_for(None))
    assert [hit.id for hit in visitor_related] == [open_question.id]

    page = client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert 'data-testid="related-questions"' in page
    assert f"/qa/{open_question.id}" in page
    assert "MEMBERSTITLE" not in page and "BODYSECRET" not in page
    login(client, member)
    page = client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert "MEMBERSTITLE" in page and f"/qa/{members_question.id}" in page


def test_at_most_three_related_questions(make_user, member, make_deal):
    author = make_user(tier="member")
    for n in range(5):
        questions.ask_question(author, f"蓝牙耳机推荐第{n}问", "蓝牙耳机怎么选比较好", "耳机")
    db.session.commit()
    rebuild_index()
    db.session.commit()
    deal = make_deal(tags="蓝牙耳机")
    assert len(discussion.related_questions(deal, viewer_for(member))) == 3


def test_a_shared_deal_page_drops_a_related_question_deleted_since(
    client, make_deal, kitchen_questions, operator
):
    from community.qa.services.curation import delete_question

    open_question, _members_question = kitchen_questions
    deal = make_deal(title="小米空气炸锅 4.5L 家用", tags="空气炸锅|厨房电器", category="小家电")
    for _ in range(2):
        assert f"/qa/{open_question.id}" in client.get(f"/deals/{deal.id}").get_data(as_text=True)
    delete_question(operator, open_question)
    db.session.commit()
    assert f"/qa/{open_question.id}" not in client.get(f"/deals/{deal.id}").get_data(as_text=True)


def test_a_title_with_search_syntax_still_finds_related_questions(
    member, make_deal, kitchen_questions
):
    """Brackets (half- or full-width), `key:value`, a leading minus and quotes in a deal's
    title are plain text to the related search, not tag filters or exclusions."""
    open_question, _members_question = kitchen_questions
    deal = make_deal(
        title='［限时］ [秒杀] tag:无 user:nobody -空气炸锅 "空气炸锅', tags="", category=""
    )
    related = discussion.related_questions(deal, viewer_for(member))
    assert open_question.id in {hit.id for hit in related}
