"""Highlights and snippets, cut only from the texts a viewer may read.

The caller passes whether the viewer may read a hit's body and answers (the domain's read rule
decides, from the database's current flags); everyone else gets the title and the teaser, never
the body beyond it nor any answer.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from community.search.analysis import CJK_RUN, STOPWORDS, analyze, fold
from community.search.results import HitText, SearchHit

SNIPPET_LENGTH = 120


def matching_spans(text: str, pattern: re.Pattern | None) -> list[tuple[int, int]]:
    """Spans of `text` (folded for matching) where the query's pattern matches."""
    if pattern is None:
        return []
    folded, offsets = fold(text)
    spans = []
    for match in pattern.finditer(folded):
        start, end = match.span()
        spans.append((offsets[start], offsets[end]) if offsets else (start, end))
    return merge(spans)


def query_pattern(texts: list[str]) -> re.Pattern | None:
    """One regular expression for every term of the query, longest first.

    CJK terms match anywhere; a Latin term (a stem) matches from the start of a word to its end,
    so "run" marks all of "running".
    """
    terms = {term.text for text in texts for term in analyze(text)}
    terms = (terms - STOPWORDS) or terms
    terms |= {run for text in texts for run in CJK_RUN.findall(fold(text)[0]) if len(run) > 1}
    if not terms:
        return None
    parts = []
    for term in sorted(terms, key=len, reverse=True):
        if CJK_RUN.fullmatch(term):
            parts.append(re.escape(term))
        else:
            parts.append(rf"(?<![0-9a-z]){re.escape(term)}[0-9a-z]*")
    return re.compile("|".join(parts))


def merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def mark(text: str, spans: list[tuple[int, int]]) -> Markup:
    parts, cursor = [], 0
    for start, end in spans:
        parts.append(escape(text[cursor:start]))
        parts.append(Markup("<mark>%s</mark>") % text[start:end])
        cursor = end
    parts.append(escape(text[cursor:]))
    return Markup("").join(parts)


def fragment(text: str, spans: list[tuple[int, int]], length: int = SNIPPET_LENGTH) -> Markup:
    """The window of `text` around its first match (or its start), highlighted."""
    if not spans:
        cut = text[:length]
        return escape(cut + ("…" if len(text) > length else ""))
    start = max(0, spans[0][0] - length // 4)
    end = min(len(text), start + length)
    inside = [
        (max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start
    ]
    prefix = "…" if start else ""
    suffix = "…" if end < len(text) else ""
    return escape(prefix) + mark(text[start:end], inside) + escape(suffix)


class Highlighter:
    """Highlights for one query: its terms and the CJK strings it asked for."""

    def __init__(self, words: list[str], phrases: list[str]) -> None:
        self.pattern = query_pattern([*words, *phrases])

    def title(self, title: str) -> Markup:
        return mark(title, matching_spans(title, self.pattern))

    def fill(self, hit: SearchHit, text: HitText, may_read: bool) -> SearchHit:
        """Set `hit`'s highlighted title and its snippet from what its viewer may read."""
        hit.title_html = self.title(hit.title)
        hit.snippet = self.snippet(text, may_read)
        return hit

    def snippet(self, text: HitText, may_read: bool) -> Markup:
        """The best fragment among the texts the viewer may read."""
        readable = [text.body, *text.top_answers, *text.other_answers] if may_read else []
        for candidate in readable:
            spans = matching_spans(candidate, self.pattern)
            if spans:
                return fragment(candidate, spans)
        return fragment(text.teaser, matching_spans(text.teaser, self.pattern))
