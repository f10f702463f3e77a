"""The catalog reads well in both languages: Chinese as Chinese is typeset (full-width colons
after Chinese labels, no spaces before full-width punctuation or before 上/的, no ASCII
punctuation inside Chinese), English counts as plurals, never "day(s)"."""

from __future__ import annotations

import re

from babel.messages.pofile import read_po

from tests.core.test_translations import CATALOG
from tests.typography import typography_faults


def test_the_zh_catalog_has_no_typography_faults():
    with open(CATALOG, "rb") as file:
        catalog = read_po(file)
    faults = []
    for message in catalog:
        if not message.id:
            continue
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in forms:
            faults.extend(f"{message.id!r}: {fault}" for fault in typography_faults(text))
    assert not faults, "\n".join(faults)


def test_the_rules_catch_each_fault():
    assert typography_faults("等级: 会员")
    assert typography_faults("社区 上的新动态")
    assert typography_faults("张三 的回答")
    assert typography_faults("好的 。")
    assert typography_faults("（ 注")
    assert typography_faults("你好,世界")
    assert not typography_faults("等级：会员，打开 https://example.com 查看 UNIX 时间（秒）。")


def test_no_english_message_hedges_a_plural():
    with open(CATALOG, "rb") as file:
        catalog = read_po(file)
    hedged = [
        form
        for message in catalog
        if message.id
        for form in (message.id if isinstance(message.id, tuple) else (message.id,))
        if re.search(r"\w\((?:s|es)\)", form)
    ]
    assert not hedged, hedged
