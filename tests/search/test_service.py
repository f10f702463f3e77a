"""The search service on each backend: operators, ranking, sorting, paging, facets, suggestions."""

from __future__ import annotations

from community.extensions import db
from community.search.indexer import rebuild_index
from tests.search.conftest import MEMBER, VISITOR
from tests.search.corpus import IDS


def ids(results):
    return [hit.id for hit in results.hits]


def test_deleted_questions_never_appear_and_closed_ones_are_marked(indexed, backend_name):
    results = indexed.search("比特币", reader=MEMBER)
    assert IDS["deleted_spam"] not in ids(results)
    closed = [hit for hit in results.hits if hit.id == IDS["closed_dup"]]
    assert closed and closed[0].closed


def test_title_matches_rank_above_body_matches(indexed, backend_name):
    assert ids(indexed.search("路由器", reader=MEMBER))[:2] == [
        IDS["wifi_router"],
        IDS["wifi6"],
    ]


def test_all_words_rank_first_but_any_word_still_matches(indexed, backend_name):
    results = indexed.search("猫粮 洗碗机", reader=MEMBER)
    assert {IDS["cat_food"], IDS["dishwasher"]} <= set(ids(results))
    both = indexed.search("信用卡 征信", reader=MEMBER)
    assert ids(both)[0] == IDS["credit_score"]


def test_featured_questions_get_a_boost(indexed, backend_name):
    results = indexed.search("返利", reader=MEMBER)
    featured = [hit.featured for hit in results.hits]
    assert featured[0] is True


def test_accepted_answers_count_more_than_other_answers(indexed, backend_name):
    results = indexed.search("组网", reader=MEMBER)
    assert ids(results)[0] == IDS["wifi_router"]


def test_exclusions_remove_matches(indexed, backend_name):
    found = ids(indexed.search("docker", reader=MEMBER))
    assert IDS["docker_disk"] in found
    assert IDS["docker_disk"] not in ids(indexed.search("docker -清理", reader=MEMBER))


def test_filters_by_tag_flag_and_user(indexed, backend_name, source):
    tagged = indexed.search("[数字货币]", reader=MEMBER)
    assert set(ids(tagged)) == {
        IDS["bitcoin"],
        IDS["bitcoin_wallet"],
        IDS["digital_rmb"],
        IDS["closed_dup"],
    }
    unanswered = indexed.search("is:unanswered", reader=MEMBER)
    assert set(ids(unanswered)) == {IDS["closed_dup"], IDS["unanswered_vpn"]}
    public = indexed.search("is:public", reader=MEMBER)
    assert set(ids(public)) == {IDS["taobaoke"], IDS["passport_japan"]}
    accepted = indexed.search("is:accepted 比特币", reader=MEMBER)
    assert set(ids(accepted)) == {IDS["bitcoin"], IDS["bitcoin_wallet"]}
    by_alice = indexed.search("user:alice", reader=MEMBER, per_page=100)
    expected = {
        doc.id for doc in source.documents.values() if doc.author == "Alice" and not doc.deleted
    }
    assert set(ids(by_alice)) == expected


def test_sort_by_newest_and_votes(indexed, backend_name, source):
    newest = indexed.search("[理财]", reader=MEMBER, sort="newest")
    dates = [hit.created_at for hit in newest.hits]
    assert dates == sorted(dates, reverse=True)
    voted = indexed.search("[理财]", reader=MEMBER, sort="votes")
    votes = [hit.votes for hit in voted.hits]
    assert votes == sorted(votes, reverse=True) and votes[0] == 18


def test_pages_do_not_overlap_and_cover_the_total(indexed, backend_name):
    pages = [indexed.search("[数码]", reader=MEMBER, per_page=3, page=page) for page in (1, 2, 3)]
    assert [results.total for results in pages] == [8, 8, 8]
    assert pages[0].pages == 3
    seen = [hit_id for results in pages for hit_id in ids(results)]
    assert len(seen) == len(set(seen)) == 8


def test_tag_facets_count_every_match(indexed, backend_name):
    facets = dict(indexed.search("信用卡", reader=MEMBER).facets)
    assert facets["信用卡"] == 3
    assert facets["年费"] == 1


def test_did_you_mean_for_misspelt_latin_words(indexed, backend_name):
    results = indexed.search("dokcer 磁盘", reader=MEMBER)
    assert results.suggestion == "docker 磁盘"
    assert indexed.search("docker", reader=MEMBER).suggestion is None


def test_did_you_mean_offers_only_words_everyone_may_read(service, backend_name, source):
    coffee = source.documents[IDS["coffee"]]
    coffee.body = "器材怎么选？" + "，".join(["磨豆机、手冲壶、滤杯"] * 12) + "，还有 Chemex 滤纸。"
    coffee.teaser = coffee.body[:140] + "…"
    rebuild_index()
    db.session.commit()
    assert ids(service.search("chemex", reader=MEMBER)) == [IDS["coffee"]]
    for reader in (MEMBER, VISITOR):
        assert service.search("chemax", reader=reader).suggestion is None
    visitor = service.search("chemex", reader=VISITOR)
    assert (visitor.total, visitor.suggestion) == (0, None)


def test_results_carry_what_the_api_needs(indexed, backend_name):
    hit = indexed.search("淘宝客", reader=MEMBER).hits[0]
    assert hit.id == IDS["taobaoke"]
    assert hit.external_id == "ext-taobaoke"
    assert hit.tags == ["淘宝客", "返利"]
    assert hit.answer_count == 1 and hit.featured and hit.public
    assert "<mark>" in str(hit.title_html)


def test_snippets_escape_html(indexed, backend_name, source):
    from community.extensions import db
    from community.search import record_change

    source.documents[IDS["coffee"]].body = "<script>alert(1)</script> 手冲咖啡器材"
    record_change(IDS["coffee"])
    db.session.commit()
    from community.search.outbox import apply_all

    apply_all(indexed.backend)
    hit = indexed.search("手冲咖啡", reader=MEMBER).hits[0]
    assert "<script>" not in str(hit.snippet)
    assert "&lt;script&gt;" in str(hit.snippet)


def test_similar_questions_for_the_ask_form(indexed, backend_name):
    similar = indexed.similar("比特币到底是什么", reader=MEMBER)
    assert 0 < len(similar) <= 5
    assert IDS["bitcoin"] in [hit.id for hit in similar[:2]]


def test_an_empty_query_finds_nothing(indexed, backend_name):
    assert indexed.search("   ", reader=MEMBER).total == 0


def test_rank_boosts_follow_changes_to_the_index(indexed, backend_name, source):
    from community.extensions import db
    from community.search import record_change
    from community.search.outbox import apply_all

    first, second = ids(indexed.search("猫粮 洗碗机", reader=MEMBER))[:2]
    assert {first, second} == {IDS["cat_food"], IDS["dishwasher"]}
    source.documents[second].featured = True
    source.documents[second].votes = 50
    record_change(second)
    db.session.commit()
    apply_all(indexed.backend)
    assert ids(indexed.search("猫粮 洗碗机", reader=MEMBER))[:2] == [second, first]


def test_an_index_without_documents_answers_with_nothing(app, backend_name):
    """A new site: the index is built before the first question is asked."""
    from community.search.service import search_service

    service = search_service()
    try:
        assert rebuild_index() == 0
        db.session.commit()
        results = service.search("路由器", reader=MEMBER)
        assert (results.total, results.hits, results.from_database) == (0, [], False)
        assert service.similar("降噪 耳机", reader=VISITOR) == []
    finally:
        service.backend.close()
