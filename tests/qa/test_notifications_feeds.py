"""Notifications (bell and digests), experts, and the private Atom feeds."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from community.clock import utcnow
from community.extensions import db
from community.feeds import services as feeds
from community.qa.models import Notification
from community.qa.services import answers, curation, experts, notifications, votes
from community.qa.services import tags as tag_service
from tests.helpers import post_form, zh


def test_answers_comments_acceptance_and_tag_follows_notify(
    member, mallory, operator, make_question, make_user
):
    fan = make_user(tier="member")
    question = make_question(author=member, tags="理财")
    votes.follow_tag(fan, tag_service.tag_named("理财"))
    answer = answers.post_answer(mallory, question, "买货币基金。")
    answers.add_comment(member, question, "谢谢", answer)
    answers.accept_answer(member, answer)
    curation.choose_canonical(operator, answer)
    make_question(author=mallory, tags="理财")
    db.session.commit()
    kinds = lambda user: sorted(  # noqa: E731
        db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id))
    )
    assert kinds(member) == ["answer"]
    assert kinds(mallory) == ["accepted", "canonical", "comment"]
    assert kinds(fan) == ["tag_question"]
    assert notifications.unread_count(mallory.id) == 3


def test_bell_shows_the_unread_count_and_clears(client, login, member, mallory, make_question):
    question = make_question(author=member)
    answers.post_answer(mallory, question, "回答")
    db.session.commit()
    login(client, member)
    page = client.get("/qa/").get_data(as_text=True)
    assert 'data-testid="unread-count">1<' in page
    post_form(client, "/qa/notifications/read", {}, page="/qa/notifications")
    assert 'data-testid="unread-count"' not in client.get("/qa/").get_data(as_text=True)


def test_digests_are_due_by_choice_and_never_sent_twice(
    app, member, mallory, make_question, outbox
):
    question = make_question(author=member)
    answers.post_answer(mallory, question, "回答一")
    notifications.choose_digest(mallory, "off")
    db.session.commit()
    assert notifications.send_digests() == 1
    assert notifications.send_digests() == 0
    mails = outbox()
    assert len(mails) == 1 and mails[0]["To"] == member.email
    assert question.title in mails[0].get_body(preferencelist=("plain",)).get_content()

    answers.post_answer(mallory, question, "回答二")
    db.session.commit()
    assert notifications.send_digests(utcnow() + timedelta(days=1)) == 0  # weekly by default
    assert notifications.send_digests(utcnow() + timedelta(days=8)) == 1
    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(Notification.emailed_at.is_(None))
        )
        == 0
    )


def test_send_digests_command(runner, member, mallory, make_question):
    answers.post_answer(mallory, make_question(author=member), "回答")
    db.session.commit()
    assert "sent 1 notification mail" in runner.invoke(args=["qa", "send-digests"]).output
    assert "sent 0 notification mail" in runner.invoke(args=["qa", "send-digests"]).output


def test_digest_choice_is_validated(client, login, member):
    login(client, member)
    response = post_form(
        client, "/qa/notifications/digest", {"digest": "hourly"}, page="/qa/notifications"
    )
    assert response.status_code in (303, 400)
    assert notifications.digest_choice(member.id) == "weekly"
    post_form(client, "/qa/notifications/digest", {"digest": "daily"}, page="/qa/notifications")
    assert notifications.digest_choice(member.id) == "daily"


def test_experts_answer_the_queue(client, login, admin, pro_member, member, make_user, operator):
    from community.qa.services import questions

    expert = make_user(tier="member")
    experts.set_expert(admin, expert, True)
    question = questions.ask_question(
        pro_member, "孩子保险怎么配置", "预算一年五千。", "保险 育儿", expert=True
    )
    db.session.commit()
    assert experts.expert_queue() == [question]
    login(client, expert)
    assert question.title in client.get("/qa/experts/queue").get_data(as_text=True)
    login(client, member)
    assert client.get("/qa/experts/queue").status_code == 403
    answer = answers.post_answer(expert, question, "先配重疾险和医疗险。")
    db.session.commit()
    assert answer.by_expert and experts.expert_queue() == []
    login(client, pro_member)
    assert 'data-testid="expert-badge"' in client.get(f"/qa/{question.id}").get_data(as_text=True)


def test_only_pro_members_ask_experts_and_only_admins_make_experts(member, operator, make_user):
    import pytest

    from community.errors import NotAllowed
    from community.qa.services import questions

    with pytest.raises(NotAllowed):
        questions.ask_question(member, "普通会员想问专家", "正文", "a", expert=True)
    with pytest.raises(NotAllowed):
        experts.set_expert(operator, member, True)


def test_feeds_at_a_private_revocable_token(client, login, member, make_question):
    question = make_question(title="拼多多百亿补贴是真的吗", body="**正文**")
    login(client, member)
    post_form(client, "/account/feeds/token", {"action": "rotate"}, page="/account/feeds")
    token = feeds.active_token(member)
    raw = feeds.url_token(token)
    feed = client.get(f"/feeds/{raw}/qa-newest.atom")
    assert feed.status_code == 200
    assert feed.mimetype == "application/atom+xml"
    text = feed.get_data(as_text=True)
    assert question.title in text and "&lt;strong&gt;正文&lt;/strong&gt;" in text
    assert client.get(f"/feeds/{raw}/qa-tag.atom?tag=信用卡").status_code == 200
    assert f"/feeds/{raw}/qa-newest.atom" in client.get("/qa/").get_data(as_text=True)
    assert client.get(f"/feeds/{raw[:-1]}x/qa-newest.atom").status_code == 404
    assert client.get(f"/feeds/{raw}/nope.atom").status_code == 404
    post_form(client, "/account/feeds/token", {"action": "revoke"}, page="/account/feeds")
    assert client.get(f"/feeds/{raw}/qa-newest.atom").status_code == 404


def test_free_users_get_no_feed(client, free_user, make_question):
    make_question()
    token = feeds.rotate_token(free_user)
    db.session.commit()
    assert client.get(f"/feeds/{feeds.url_token(token)}/qa-newest.atom").status_code == 403


def test_feeds_drop_characters_xml_cannot_carry(client, member, make_question):
    question = make_question(author=member, title="标题里有\ufffe怪字符的问题")
    token = feeds.rotate_token(member)
    db.session.commit()
    raw = feeds.url_token(token)
    response = client.get(f"/feeds/{raw}/qa-newest.atom")
    assert response.status_code == 200
    assert "标题里有怪字符的问题" in response.get_data(as_text=True)
    assert client.get(f"/feeds/{raw}/qa-tag.atom?tag=%01").status_code == 404
    assert question.id


def test_members_who_chose_each_get_one_mail_per_notification(
    app, member, mallory, make_question, outbox
):
    question = make_question(author=member)
    notifications.choose_digest(member, "each")
    answers.post_answer(mallory, question, "第一条回答")
    answers.add_comment(mallory, question, "第一条评论")
    db.session.commit()
    assert notifications.send_digests() == 2
    assert notifications.send_digests() == 0
    mails = outbox()
    assert [mail["To"] for mail in mails] == [member.email, member.email]
    with app.test_request_context():
        assert {mail["Subject"] for mail in mails} == {
            zh("New answer to your question"),
            zh("New comment on your post"),
        }
    assert all(
        question.title in mail.get_body(preferencelist=("plain",)).get_content() for mail in mails
    )
