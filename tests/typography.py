"""Chinese typography faults in a text: what the catalog test and the page walks look for."""

from __future__ import annotations

import re

CJK = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
CLOSING = "，。：；！？、）」』】》”’"
OPENING = "（「『【《“‘"
RULES = (
    ("an ASCII colon after Chinese text", re.compile(rf"{CJK}\s*:(?!//)")),
    ("ASCII , ; ! or ? next to Chinese text", re.compile(rf"{CJK}[,;!?]|[,;!?]{CJK}")),
    ("a space before full-width punctuation", re.compile(rf"[ \t\u3000][{CLOSING}]")),
    ("a space after an opening full-width bracket", re.compile(rf"[{OPENING}][ \t\u3000]")),
    # 上, 中, 里 and 的 attach to the word before them ("社区上", "张三的回答").
    ("a space before 上, 中, 里 or 的", re.compile(r"\S[ \t\u3000][上中里的]")),
)


def typography_faults(text: str) -> list[str]:
    """Each fault in `text` as "<rule>: …<where>…"."""
    faults = []
    for rule, pattern in RULES:
        for match in pattern.finditer(text):
            start = max(match.start() - 12, 0)
            faults.append(f"{rule}: …{text[start : match.end() + 12]}…")
    return faults
