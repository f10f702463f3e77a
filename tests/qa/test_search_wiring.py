"""The Q&A source and its outbox: every change reaches the index once the indexer runs."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select

from community.extensions import db
from community.qa.access import ANY_MEMBER, ANYONE
from community.qa.models import Question
from community.qa.services import answers, curation, questions
from community.search.models import SearchChange
from community.search.service import search_service
from tests.qa.search_helpers import (  # noqa: F401 (search_index is an autouse fixture)
    BACKENDS,
    backend_config,
    found_ids,
    run_indexer,
    search_index,
)


@pytest.fixture(params=BACKENDS)
def app_config(app_config, request, database_url):
    return backend_config(app_config, request.param, database_url)


def outbox_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(SearchChange))


def test_asking_answering_and_editing_reach_the_index(make_question, make_answer, member):
    question = make_question(author=member, title="信用卡年费怎么免除", body="招商银行的卡年费很贵")
    assert outbox_rows() == 1
    run_indexer()
    assert outbox_rows() == 0
    assert question.id in found_ids("年费")

    make_answer(question, body="打电话给客服说要销卡，通常能减免")
    run_indexer()
    assert found_ids("销卡") == [question.id]

    questions.edit_question(member, question, "境外消费手续费退还", "外币交易", "旅行")
    db.session.commit()
    run_indexer()
    assert found_ids("手续费") == [question.id]
    assert question.id not in found_ids("招商银行")


def test_merged_titles_are_aliases_and_deleted_questions_leave(make_question, operator):
    target = make_question(title="信用卡如何提额", tags="信用卡")
    source = make_question(title="额度太低怎么提高", tags="信用卡")
    run_indexer()
    curation.merge_duplicate(operator, source, target)
    db.session.commit()
    run_indexer()
    assert found_ids("额度太低") == [target.id]

    curation.delete_question(operator, target)
    db.session.commit()
    run_indexer()
    assert found_ids("提额") == []
    assert search_service().backend.document_count() == 0


def test_closed_questions_are_marked(make_question, operator):
    question = make_question(title="积分兑换里程划算吗")
    curation.close_question(operator, question, "off-topic")
    db.session.commit()
    run_indexer()
    hits = search_service().search("积分", reader=ANY_MEMBER).hits
    assert [(hit.id, hit.closed) for hit in hits] == [(question.id, True)]


def test_a_rolled_back_change_writes_no_outbox_row(make_user):
    author = make_user(tier="member")
    questions.ask_question(author, "这个问题会被回滚掉", "正文内容，够长的描述。", "测试")
    assert outbox_rows() == 1
    db.session.rollback()
    assert outbox_rows() == 0


def test_answers_pending_approval_are_not_indexed(make_question, make_user):
    question = make_question(title="新手如何开始理财")
    newcomer = make_user(tier="member")
    answer = answers.post_answer(newcomer, question, "基金定投是最省心的开始方式")
    answer.approved = False
    db.session.commit()
    run_indexer()
    assert found_ids("定投") == []


def test_the_demo_seed_builds_the_index(runner):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert "search index built" in result.output
    live = db.session.scalar(
        select(func.count(Question.id)).where(Question.deleted_at.is_(None), Question.approved)
    )
    assert search_service().backend.document_count() == live
    hits = search_service().search("信用卡", reader=ANY_MEMBER).hits
    assert hits and all(hit.external_id for hit in hits)


def test_without_an_index_search_answers_from_the_database(app, make_question, make_answer):
    if app.config["SEARCH_BACKEND"] != "whoosh":
        pytest.skip("removes the Whoosh index directory")
    percent = make_question(title="返现50%的活动靠谱吗", body="看到一个返现活动")
    make_question(title="返现500元的活动靠谱吗", body="看到另一个返现活动")
    make_answer(percent, body="会员才能看到的判断方法")
    search_service().backend.close()
    shutil.rmtree(app.config["SEARCH_INDEX_DIR"])
    results = search_service().search("50%", reader=ANYONE)
    assert results.from_database
    assert [hit.id for hit in results.hits] == [percent.id]
    assert "判断方法" not in str(results.hits[0].snippet)
