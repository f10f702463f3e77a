"""The analyzer: folding, segmentation, positions, offsets, the community dictionary."""

from __future__ import annotations

import pytest

from community.search import analysis
from community.search.analysis import analyze, bigrams, fold, query_words, use_dictionary


def texts(terms):
    return [term.text for term in terms]


def test_a_word_inside_a_sentence_is_a_term_of_its_own():
    indexed = set(texts(analyze("什么是比特币")))
    assert set(query_words("比特币")) <= indexed


def test_full_width_latin_folds_to_ascii_and_keeps_offsets_into_the_original():
    text = "家里ＷｉＦｉ信号差"
    (wifi,) = [term for term in analyze(text) if term.text == "wifi"]
    assert text[wifi.start : wifi.end] == "ＷｉＦｉ"
    assert query_words("WiFi") == ["wifi"]


def test_traditional_characters_fold_to_simplified():
    assert fold("繁體中文的資料庫")[0] == "繁体中文的资料库"
    assert set(query_words("資料庫")) == set(query_words("资料库"))


def test_length_changing_folds_map_offsets_back():
    text = "㎏ 单位和ﬁle"
    terms = analyze(text)
    assert "kg" in texts(terms)
    (kg,) = [term for term in terms if term.text == "kg"]
    assert text[kg.start : kg.end] == "㎏"


def test_mixed_chinese_and_english_are_segmented_and_english_is_stemmed():
    terms = texts(analyze("用Python写爬虫 running routers"))
    assert terms == ["用", "python", "写", "爬虫", "run", "router"]


def test_positions_count_words_and_search_mode_sub_words_share_them():
    terms = analyze("中华人民共和国成立")
    positions = {term.text: term.position for term in terms}
    assert positions["中华人民共和国"] == positions["人民"] == positions["共和国"] == 0
    assert positions["成立"] == 1


def test_precise_mode_for_queries_has_no_sub_words():
    assert query_words("中华人民共和国成立") == ["中华人民共和国", "成立"]


def test_phrase_positions_are_consecutive_for_consecutive_words():
    terms = analyze("申请公积金贷款的流程")
    words = [term for term in terms if term.text in ("公积金", "贷款")]
    assert [term.position for term in words] == [1, 2]


def test_punctuation_takes_no_position():
    assert [term.position for term in analyze("你好，世界！hello, world")] == [0, 1, 2, 3]


def test_bigrams_cover_every_pair_of_neighbouring_characters():
    terms = bigrams("比特币钱包 ok")
    assert texts(terms) == ["比特", "特币", "币钱", "钱包", "ok"]
    assert [term.position for term in terms] == [0, 1, 2, 3, 4]


@pytest.fixture
def community_dictionary():
    yield
    use_dictionary([])


def test_the_community_dictionary_keeps_its_words_whole(community_dictionary):
    assert "淘宝客" not in query_words("淘宝客返利")
    use_dictionary(["淘宝客"])
    assert query_words("淘宝客返利") == ["淘宝客", "返利"]
    assert "淘宝客" in texts(analyze("做淘宝客返利"))


def test_the_segmenter_is_loaded_once_per_process(community_dictionary):
    first = analysis.segmenter()
    use_dictionary([])
    assert analysis.segmenter() is first
