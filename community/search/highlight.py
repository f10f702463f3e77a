"""Highlights and snippets, cut only from the texts a viewer may read.

The caller passes whether the viewer may read a hit's answers (members, or a public question);
everyone else gets the title and the teaser, never the body beyond it nor any answer, even when
the match was there.
"""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup, escape

from community.search.analysis import CJK_RUN, analyze, fold
from community.search.results import HitText

SNIPPET_LENGTH = 120


def matching_spans(text: str, terms: frozenset[str], literals: Iterable[str]) -> list[tuple]:
    """Spans of `text` whose terms are in `terms`, or that contain a literal (folded) string."""
    spans = [(term.start, term.end) for term in analyze(text) if term.text in terms]
    folded, offsets = fold(text)
    for literal in literals:
        start = folded.find(literal)
        while start != -1:
            end = start + len(literal)
            spans.append((offsets[start], offsets[end]) if offsets else (start, end))
            start = folded.find(literal, end)
    return merge(spans)


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
        texts = [*words, *phrases]
        self.terms = frozenset(term.text for text in texts for term in analyze(text))
        self.literals = sorted(
            {run for text in texts for run in CJK_RUN.findall(fold(text)[0]) if len(run) > 1},
            key=len,
            reverse=True,
        )

    def title(self, title: str) -> Markup:
        return mark(title, matching_spans(title, self.terms, self.literals))

    def snippet(self, text: HitText, may_read: bool) -> Markup:
        """The best fragment among the texts the viewer may read."""
        readable = [text.body, *text.top_answers, *text.other_answers] if may_read else []
        for candidate in readable:
            spans = matching_spans(candidate, self.terms, self.literals)
            if spans:
                return fragment(candidate, spans)
        teaser = text.teaser
        return fragment(teaser, matching_spans(teaser, self.terms, self.literals))
