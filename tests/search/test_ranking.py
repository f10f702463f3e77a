"""Where a query's words are found decides the ranking, on both backends: a title or tag match
ranks above any mention in a body or answer, whatever the votes, 精华 or length; and a compound
query word finds text that names its parts apart."""

from __future__ import annotations

from datetime import timedelta

import pytest

from community.extensions import db
from community.search import AnswerText, SearchDocument, register_source
from community.search.analysis import query_words, use_dictionary
from community.search.indexer import rebuild_index
from community.search.models import DictionaryTerm
from tests.search.conftest import MEMBER, VISITOR
from tests.search.corpus import BASE_TIME, CorpusSource

FILLER = (
    "我们一家人最近在考虑很多事情，包括换工作、搬家、孩子上学、父母养老，"
    "每一件都要花不少时间和精力去研究。"
)


def question(number: int, title: str, body: str = FILLER, **options) -> SearchDocument:
    created = BASE_TIME + timedelta(days=number)
    answers = [
        AnswerText(text, accepted=index == 0)
        for index, text in enumerate(options.pop("answers", []))
    ]
    return SearchDocument(
        id=number,
        title=title,
        body=body,
        answers=answers,
        created_at=created,
        updated_at=created,
        **options,
    )


def index(app, documents: list[SearchDocument]) -> None:
    register_source(app, CorpusSource(documents))
    rebuild_index()
    db.session.commit()


def ranked(service, query: str, reader=MEMBER) -> list[int]:
    return [hit.id for hit in service.search(query, reader=reader, per_page=50).hits]


def about_funds(mentions: int) -> list[SearchDocument]:
    """Two questions about 基金 (in the title; as a tag), the oldest and least voted; three
    newer, voted and 精华 ones that mention it in a long body and an accepted answer; and
    `mentions` more that mention it once in a body."""
    documents = [
        question(
            1,
            "基金定投到底适合什么人",
            "工资不高，想长期投资。",
            answers=["适合收入稳定、能坚持三年以上的人。" + FILLER * 8, FILLER * 8, FILLER * 8],
            votes=-50,
        ),
        question(2, "每个月结余的钱放哪里", tags=["基金"], votes=-50),
    ]
    for number in range(3, 6):
        documents.append(
            question(
                number,
                f"第{number}个家庭开销怎么安排",
                FILLER * 3 + "顺便问一句基金要不要买。" + FILLER * 3,
                answers=["先存应急金，基金以后再说。"],
                featured=True,
                votes=50,
            )
        )
    for number in range(6, 6 + mentions):
        documents.append(question(number, f"第{number}个理财问题", FILLER + "基金。"))
    documents += [question(100 + number, f"第{number}个别的问题") for number in range(20)]
    return documents


@pytest.mark.parametrize("mentions", [0, 12], ids=["few matches", "many matches"])
def test_title_and_tag_matches_rank_above_mentions_in_bodies_and_answers(
    app, service, backend_name, mentions
):
    index(app, about_funds(mentions))
    for reader in (MEMBER, VISITOR):
        found = ranked(service, "基金", reader)
        assert set(found[:2]) == {1, 2}, (reader, found)
    assert set(ranked(service, "基金")) == set(range(1, 6 + mentions))


def test_a_title_phrase_ranks_above_the_phrase_in_a_body(app, service, backend_name):
    index(
        app,
        [
            question(1, "信用卡年费怎么免", votes=-50),
            question(2, "别的问题", FILLER + "听说信用卡年费可以免。", featured=True, votes=50),
            question(3, "又一个问题", "信用卡年费" + FILLER, featured=True, votes=50),
        ],
    )
    assert ranked(service, '"信用卡年费"')[0] == 1


def family_plans() -> list[SearchDocument]:
    return [
        question(1, "怎么规划孩子的教育", "从小学到大学，花费怎么准备？"),
        question(2, "教育规划从几岁开始", "孩子三岁了。"),
        question(3, "个人理财如何规划", "刚工作一年，存款不多。"),
        question(4, "信用记录怎么查", "想看看自己的征信。"),
        question(5, "孩子的教育经费", "每个月存多少合适？"),
    ]


def test_a_compound_query_word_finds_its_parts_named_apart(app, service, backend_name):
    index(app, family_plans())
    assert ranked(service, "教育规划") == [2, 1]
    assert ranked(service, "教育规划", VISITOR) == [2, 1]
    # Sub-words that leave part of the word out do not stand in for it.
    assert 4 not in ranked(service, "信用卡")


def test_a_community_dictionary_compound_finds_its_parts(app, service, backend_name):
    db.session.add(DictionaryTerm(term="理财规划"))
    db.session.commit()
    try:
        index(app, family_plans())
        assert query_words("理财规划") == ["理财规划"]
        assert ranked(service, "理财规划") == [3]
        assert ranked(service, "理财规划", VISITOR) == [3]
    finally:
        use_dictionary([])
