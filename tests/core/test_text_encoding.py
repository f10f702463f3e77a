"""The one place files' encodings are told apart (deals and rebates imports both ask it)."""

from __future__ import annotations

import codecs

from community.text_encoding import detect_encoding

TEXT = "订单号,商品,佣金\n1234567890123456789,蓝牙耳机,12.30\n" * 20


def test_utf8_with_and_without_a_bom_and_gbk_are_told_apart():
    assert detect_encoding(codecs.BOM_UTF8 + TEXT.encode()) == "utf-8-sig"
    assert detect_encoding(TEXT.encode()) == "utf-8"
    assert detect_encoding(TEXT.encode("gbk")) == "gb18030"


def test_a_character_cut_at_the_end_of_the_sample_is_still_utf8():
    data = TEXT.encode()
    assert detect_encoding(data[: data.index("蓝".encode()) + 1]) == "utf-8"


def test_bytes_that_are_no_text_are_neither():
    assert detect_encoding(bytes(range(128, 256)) * 64) is None
