"""The query syntax."""

from community.search.query import parse_page, parse_query, parse_sort, plan_query


def test_plain_words():
    parsed = parse_query("比特币 钱包")
    assert parsed.words == ["比特币", "钱包"]
    assert not parsed.phrases and not parsed.tags


def test_phrases_exclusions_tags_flags_and_users():
    parsed = parse_query(
        '"公积金 贷款" -广告 -"免费 领取" [Python] tag:房贷 is:accepted user:"老 王"'
    )
    assert parsed.phrases == ["公积金 贷款"]
    assert parsed.excluded == ["广告", "免费 领取"]
    assert parsed.tags == ["python", "房贷"]
    assert parsed.flags == {"accepted"}
    assert parsed.users == ["老 王"]
    assert parsed.words == []


def test_full_width_and_chinese_punctuation_count_as_syntax():
    parsed = parse_query("“自动续费” ［理财］ 【基金】 ｉｓ：featured －广告")
    assert parsed.phrases == ["自动续费"]
    assert parsed.tags == ["理财", "基金"]
    assert parsed.flags == {"featured"}
    assert parsed.excluded == ["广告"]


def test_unknown_flags_and_unclosed_quotes_degrade_to_text():
    parsed = parse_query('is:shiny "unclosed phrase')
    assert parsed.words == ["is:shiny"]
    assert parsed.phrases == ["unclosed phrase"]


def test_every_flag():
    parsed = parse_query("is:accepted is:unanswered is:featured is:public")
    assert parsed.flags == {"accepted", "unanswered", "featured", "public"}
    assert not parsed.is_empty and not parsed.has_text


def test_empty_and_lone_syntax():
    assert parse_query("").is_empty
    assert parse_query("  -  ").is_empty
    assert parse_query('""').is_empty


def test_plan_drops_question_words_from_what_is_required():
    (word,) = plan_query(parse_query("什么是比特币")).words
    assert "什么" in word.terms
    assert "什么" not in word.required
    assert word.grams[:2] == ["什么", "么是"]


def test_plan_keeps_a_query_made_only_of_stopwords():
    (word,) = plan_query(parse_query("什么")).words
    assert word.required == ["什么"]


def test_sort_and_page_are_bounded():
    assert parse_sort("votes") == "votes"
    assert parse_sort("drop table") == "relevance"
    assert parse_page("3") == 3
    assert parse_page("-1") == 1
    assert parse_page("abc") == 1
    assert parse_page(10**9) == 1000
