"""Documents for the Whoosh tests: the relevance corpus plus generated ones with awkward text."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

from community.search import AnswerText, SearchDocument
from tests.search.corpus import BASE_TIME, DOCUMENTS

WORDS = [
    "比特币",
    "钱包",
    "交易所",
    "信用卡",
    "年费",
    "积分",
    "返利",
    "淘宝客",
    "京东",
    "百亿补贴",
    "價保",
    "組合貸",
    "请问",
    "大家",
    "有没有",
    "推荐",
    "ＷｉＦｉ",
    "iPhone",
    "running",
    "shoes",
    "C++",
    "Python3",
    "ﬁle",
    "㎏",
    "café",
    "😀",
    "𠀋",
    "。",
    "，",
    "？",
    "！",
    "…",
    "e\u0301",
    "页\x0c眉",
    "ㄱㅏ",
]


def awkward_documents(count: int, seed: int = 5) -> list[SearchDocument]:
    """Documents mixing CJK, traditional and full-width forms, Latin words, ligatures,
    combining marks, characters outside the BMP, separators and empty parts."""
    rng = random.Random(seed)

    def text(low: int, high: int) -> str:
        return "".join(
            rng.choice(WORDS) + (" " if rng.random() < 0.3 else "")
            for _ in range(rng.randint(low, high))
        )

    documents = []
    for number in range(count):
        created = BASE_TIME + timedelta(minutes=number)
        documents.append(
            SearchDocument(
                id=1000 + number,
                title=text(1, 6),
                body=text(0, 30) if number % 7 else "",
                answers=[
                    AnswerText(text(1, 40), accepted=index == 0 and number % 3 == 0)
                    for index in range(number % 4)
                ],
                tags=rng.sample(["理财", "信用卡", "Tech", "數碼", " 旅行 "], rng.randint(0, 3)),
                aliases=[text(1, 4)] if number % 11 == 0 else [],
                author=rng.choice(["老王", "Alice", "", "ＡＬＩＣＥ"]),
                featured=number % 5 == 0,
                public=number % 6 == 0,
                open_to_all=number % 6 == 0,
                closed=number % 13 == 0,
                votes=rng.randint(-3, 40),
                external_id=f"ext-{number}" if number % 2 else None,
                created_at=created,
                updated_at=created,
            )
        )
    return documents


def whoosh_documents(count: int = 400) -> list[SearchDocument]:
    """The relevance corpus (without its deleted threads) and `count` awkward documents."""
    return [replace(doc) for doc in DOCUMENTS if not doc.deleted] + awkward_documents(count)
