"""Q&A rules tested through the services, without HTTP."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.errors import NotAllowed, ValidationFailed
from community.extensions import db
from community.qa import indexing
from community.qa.models import (
    Answer,
    ModerationAction,
    Question,
    QuestionAlias,
    QuestionFollow,
    Revision,
    Tag,
    TagFollow,
    Vote,
)
from community.qa.search.source import QuestionSource
from community.qa.services import answers, curation, moderation, votes
from community.qa.services import questions as question_service
from community.qa.services import tags as tag_service


def test_asking_renders_markdown_makes_a_teaser_and_a_first_revision(member):
    body = "# 标题\n\n" + "信用卡年费的减免规则，" * 30 + "\n\n```python\nprint(1)\n```"
    question = question_service.ask_question(member, "信用卡年费怎么免？", body, "信用卡, 年费")
    db.session.commit()
    assert "<h1>标题</h1>" in question.body_html
    assert 'class="language-python"' in question.body_html
    assert len(question.teaser) <= 141 and question.teaser.endswith("…")
    assert "#" not in question.teaser
    assert [tag.name for tag in question.tags] == ["信用卡", "年费"]
    assert len(question_service.revisions_of(question=question)) == 1
    assert db.session.get(QuestionFollow, (member.id, question.id)) is not None


@pytest.mark.parametrize(
    ("title", "body", "tags", "field"),
    [
        ("短", "正文", "a", "title"),
        ("足够长的标题呢", "", "a", "body"),
        ("足够长的标题呢", "正文", "", "tags"),
        ("足够长的标题呢", "正文", "a b c d e f", "tags"),
        ("足够长的标题呢", "正文", "<script>", "tags"),
        ("足够长的标题\u0000呢", "正文", "a", "title"),
        ("足够长的标题呢", "x" * 20_001, "a", "body"),
    ],
)
def test_bad_questions_are_refused_with_the_field(member, title, body, tags, field):
    with pytest.raises(ValidationFailed) as caught:
        question_service.ask_question(member, title, body, tags)
    assert caught.value.for_field(field)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Question.id))) == 0


def test_all_problems_are_reported_together(member):
    with pytest.raises(ValidationFailed) as caught:
        question_service.ask_question(member, "", "", "")
    assert {field for field, _ in caught.value.errors} == {"title", "body", "tags"}


def test_tags_fold_full_width_and_case_and_follow_aliases(member, operator):
    question = question_service.ask_question(
        member, "ＷｉＦｉ 路由器推荐", "正文", "ＷｉＦｉ Router"
    )
    assert sorted(tag.name for tag in question.tags) == ["router", "wifi"]
    wifi = tag_service.tag_named("wifi")
    tag_service.alias_tag(operator, wifi, "无线网")
    other = question_service.ask_question(member, "无线网总掉线怎么办", "正文", "无线网")
    assert [tag.name for tag in other.tags] == ["wifi"]


def test_free_users_and_visitors_cannot_post(free_user, member, make_question):
    with pytest.raises(NotAllowed):
        question_service.ask_question(free_user, "免费用户想提问", "正文", "a")
    question = make_question()
    for action in (
        lambda: answers.post_answer(free_user, question, "回答"),
        lambda: answers.add_comment(free_user, question, "评论"),
        lambda: votes.cast_vote(free_user, question, "up"),
        lambda: votes.follow_question(free_user, question),
        lambda: moderation.flag_post(free_user, question, "spam"),
    ):
        with pytest.raises(NotAllowed):
            action()


def test_votes_are_one_per_person_changeable_and_never_on_own_posts(member, mallory, make_question):
    question = make_question(author=member)
    assert votes.cast_vote(mallory, question, "up") == 1
    assert votes.cast_vote(mallory, question, "up") == 1
    assert votes.cast_vote(mallory, question, "down") == -1
    assert db.session.scalar(select(func.count(Vote.id))) == 1
    assert votes.cast_vote(mallory, question, "clear") == 0
    with pytest.raises(NotAllowed):
        votes.cast_vote(member, question, "up")
    with pytest.raises(ValidationFailed):
        votes.cast_vote(mallory, question, "sideways")


def test_answer_votes_and_own_answer(member, mallory, make_question, make_answer):
    question = make_question(author=member)
    answer = make_answer(question, author=mallory)
    with pytest.raises(NotAllowed):
        votes.cast_vote(mallory, answer, "up")
    assert votes.cast_vote(member, answer, "up") == 1


def test_only_the_asker_or_an_operator_accepts_one_answer(
    member, mallory, operator, make_question, make_answer
):
    question = make_question(author=member)
    first, second = make_answer(question), make_answer(question)
    with pytest.raises(NotAllowed):
        answers.accept_answer(mallory, first)
    answers.accept_answer(member, first)
    answers.accept_answer(operator, second)
    db.session.commit()
    assert [a.accepted for a in (first, second)] == [False, True]
    answers.accept_answer(member, second)
    assert not second.accepted


def test_ordinary_members_cannot_curate(mallory, make_question, make_answer):
    question = make_question()
    answer = make_answer(question)
    target = make_question()
    for action in (
        lambda: curation.set_flag(mallory, question, "feature"),
        lambda: curation.close_question(mallory, question, "重复"),
        lambda: curation.set_status(mallory, question, "lock"),
        lambda: curation.delete_question(mallory, question),
        lambda: curation.choose_canonical(mallory, answer),
        lambda: curation.merge_duplicate(mallory, question, target),
        lambda: tag_service.rename_tag(mallory, question.tags[0], "新名"),
        lambda: question_service.restore_revision(
            mallory, question_service.revisions_of(question=question)[0]
        ),
        lambda: moderation.set_first_post_approval(mallory, True),
    ):
        with pytest.raises(NotAllowed):
            action()


def test_editing_keeps_revisions_with_a_diff_and_restore(member, operator, make_question):
    question = make_question(author=member, body="第一版")
    question_service.edit_question(member, question, question.title, "第二版", "信用卡 年费")
    question_service.edit_question(operator, question, "改过的标题很长", "第三版", "信用卡")
    db.session.commit()
    history = question_service.revisions_of(question=question)
    assert [r.number for r in history] == [3, 2, 1]
    diff = question_service.revision_diff(history[1], history[0])
    assert ("-", "第二版") in diff and ("+", "第三版") in diff
    question_service.restore_revision(operator, history[2])
    db.session.commit()
    assert question.body == "第一版" and question.title == history[2].title
    assert "第一版" in question.body_html
    assert len(question_service.revisions_of(question=question)) == 4
    assert db.session.scalar(select(func.count(ModerationAction.id))) >= 2


def test_others_cannot_edit(mallory, make_question, make_answer):
    question = make_question()
    answer = make_answer(question)
    with pytest.raises(NotAllowed):
        question_service.edit_question(mallory, question, "别人的问题标题", "改", "a")
    with pytest.raises(NotAllowed):
        answers.edit_answer(mallory, answer, "改")


def test_canonical_answer_is_single_and_operators_edit_it(operator, make_question, make_answer):
    question = make_question()
    first, second = make_answer(question), make_answer(question)
    curation.choose_canonical(operator, first)
    curation.choose_canonical(operator, second)
    answers.edit_answer(operator, second, "运营整理后的长期条目")
    db.session.commit()
    assert (first.canonical, second.canonical) == (False, True)
    assert len(question_service.revisions_of(answer=second)) == 2


def test_closed_and_locked_questions(member, operator, make_question):
    question = make_question()
    with pytest.raises(ValidationFailed):
        curation.close_question(operator, question, "  ")
    curation.close_question(operator, question, "与主题无关")
    with pytest.raises(NotAllowed):
        answers.post_answer(member, question, "晚到的回答")
    answers.add_comment(member, question, "关闭了还能评论")
    curation.set_status(operator, question, "lock")
    with pytest.raises(NotAllowed):
        answers.add_comment(member, question, "锁定后不能评论")
    curation.set_status(operator, question, "unlock")
    answers.post_answer(member, question, "重新开放后的回答")


def test_merge_moves_answers_votes_followers_and_keeps_the_title(
    make_user, operator, make_question, make_answer
):
    voter, both, follower = (make_user(tier="member") for _ in range(3))
    source = make_question(title="信用卡年费能退吗")
    target = make_question(title="信用卡年费怎么免除")
    make_answer(source)
    make_answer(target)
    votes.cast_vote(voter, source, "up")
    votes.cast_vote(both, source, "up")
    votes.cast_vote(both, target, "down")
    votes.follow_question(follower, source)
    db.session.commit()

    curation.merge_duplicate(operator, source, target)
    db.session.commit()
    assert source.status == "duplicate" and source.duplicate_of_id == target.id
    assert target.answer_count == 2
    assert (
        db.session.scalar(select(func.count(Answer.id)).where(Answer.question_id == source.id)) == 0
    )
    assert target.score == 0  # voter's +1 moved, both's -1 on the target kept
    assert db.session.get(QuestionFollow, (follower.id, target.id)) is not None
    assert [alias.title for alias in target.aliases] == ["信用卡年费能退吗"]
    assert curation.most_duplicated()[0] == (target, 1)
    (document,) = QuestionSource().load([target.id])
    assert "信用卡年费能退吗" in document.aliases and document.answer_count == 2

    with pytest.raises(ValidationFailed):
        curation.merge_duplicate(operator, target, target)
    with pytest.raises(ValidationFailed):
        curation.merge_duplicate(operator, make_question(), source)


def test_merging_a_merge_target_repoints_earlier_duplicates(operator, make_question):
    a, b, c = make_question(), make_question(), make_question()
    curation.merge_duplicate(operator, a, b)
    curation.merge_duplicate(operator, b, c)
    db.session.commit()
    assert a.duplicate_of_id == c.id
    assert {alias.title for alias in c.aliases} == {a.title, b.title}


def test_tag_rename_and_merge(member, operator, make_user, make_question):
    question = make_question(tags="信用卡 年费")
    other = make_question(tags="年费减免")
    fan = make_user(tier="member")
    votes.follow_tag(fan, tag_service.tag_named("年费减免"))
    tag_service.rename_tag(operator, tag_service.tag_named("信用卡"), "credit-card")
    assert tag_service.tag_named("信用卡").name == "credit-card"
    tag_service.merge_tags(
        operator, tag_service.tag_named("年费减免"), tag_service.tag_named("年费")
    )
    db.session.commit()
    assert [t.name for t in other.tags] == ["年费"]
    assert [t.name for t in question.tags] == ["credit-card", "年费"]
    assert db.session.scalar(select(func.count(Tag.id))) == 2
    assert db.session.scalar(select(TagFollow.tag_id).where(TagFollow.user_id == fan.id)) == (
        tag_service.tag_named("年费").id
    )
    with pytest.raises(ValidationFailed):
        tag_service.rename_tag(operator, tag_service.tag_named("年费"), "credit-card")


def test_question_changed_is_sent_inside_the_transaction(member, make_question):
    received = []

    def listener(question, reason):
        received.append((question.id, reason, db.session.is_active))

    indexing.question_changed.connect(listener)
    try:
        question = make_question(author=member)
    finally:
        indexing.question_changed.disconnect(listener)
    assert received == [(question.id, "asked", True)]


def test_first_posts_wait_for_approval_when_turned_on(operator, make_user, member):
    moderation.set_first_post_approval(operator, True)
    newcomer = make_user(tier="member")
    question = question_service.ask_question(newcomer, "新人的第一个问题", "正文", "a")
    assert not question.approved
    assert question_service.ask_question(operator, "运营的问题无需审核", "正文", "a").approved
    moderation.approve_post(operator, question=question)
    assert question.approved
    assert question_service.ask_question(newcomer, "新人的第二个问题", "正文", "a").approved


def test_flags_need_a_reason_and_duplicates_an_original(member, operator, make_question):
    question, original = make_question(), make_question()
    with pytest.raises(ValidationFailed):
        moderation.flag_post(member, question, "nonsense")
    with pytest.raises(ValidationFailed):
        moderation.flag_post(member, question, "duplicate")
    with pytest.raises(ValidationFailed):
        moderation.flag_post(member, question, "other")
    flag = moderation.flag_post(member, question, "duplicate", original=original)
    assert moderation.open_flags() == [flag]
    moderation.resolve_flag(operator, flag, "dismissed")
    assert moderation.open_flags() == []
    assert db.session.scalar(
        select(ModerationAction.action).where(ModerationAction.action == "flag_dismissed")
    )


def test_revision_rows_store_rendered_html(member, make_question):
    question = make_question(author=member, body="**粗体**")
    revision = db.session.scalar(select(Revision).where(Revision.question_id == question.id))
    assert revision.body_html == question.body_html == "<p><strong>粗体</strong></p>\n"


def test_alias_titles_survive(operator, make_question):
    a, b = make_question(), make_question()
    curation.merge_duplicate(operator, a, b)
    db.session.commit()
    assert db.session.scalar(select(QuestionAlias.merged_question_id)) == a.id
