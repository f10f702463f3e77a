"""The query syntax: words, "phrases", -exclusions, [tag] and tag:name, is:flag, user:name."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from community.search.analysis import (
    CJK,
    STOPWORDS,
    compound_parts,
    fold_text,
    query_bigrams,
    query_words,
)

FLAGS = ("accepted", "unanswered", "featured", "public")
SORTS = ("relevance", "newest", "votes")
MAX_QUERY_LENGTH = 200

# Chinese quotes and brackets count as their ASCII forms; NFKC already folds the full-width ones.
PUNCTUATION = str.maketrans({"“": '"', "”": '"', "「": '"', "」": '"', "【": "[", "】": "]"})
TOKEN = re.compile(
    r"""(?P<neg>-)?(?:
        "(?P<phrase>[^"]*)"?
      | \[(?P<tag>[^\]]+)\]
      | (?P<key>tag|is|user):(?:"(?P<quoted>[^"]*)"?|(?P<value>\S+))
      | (?P<word>[^\s"]+)
    )""",
    re.VERBOSE,
)


@dataclass
class ParsedQuery:
    """A query taken apart; `words` and `phrases` match text, the rest filter."""

    words: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    users: list[str] = field(default_factory=list)

    @property
    def has_text(self) -> bool:
        return bool(self.words or self.phrases)

    @property
    def is_empty(self) -> bool:
        return not (self.has_text or self.tags or self.flags or self.users)


def parse_query(text: str) -> ParsedQuery:
    """Parse what a user typed; anything unrecognised is a plain word, nothing raises."""
    text = unicodedata.normalize("NFKC", text[:MAX_QUERY_LENGTH]).translate(PUNCTUATION)
    parsed = ParsedQuery()
    for match in TOKEN.finditer(text):
        negative = bool(match.group("neg"))
        if match.group("phrase") is not None:
            phrase = match.group("phrase").strip()
            if phrase:
                (parsed.excluded if negative else parsed.phrases).append(phrase)
        elif match.group("tag"):
            parsed.tags.append(fold_text(match.group("tag").strip()))
        elif match.group("key"):
            add_keyword(parsed, match.group("key"), match.group("quoted") or match.group("value"))
        elif match.group("word"):
            word = match.group("word")
            if negative:
                parsed.excluded.append(word)
            elif word != "-":
                parsed.words.append(word)
    return parsed


def add_keyword(parsed: ParsedQuery, key: str, value: str | None) -> None:
    value = (value or "").strip()
    if not value:
        return
    if key == "tag":
        parsed.tags.append(fold_text(value))
    elif key == "user":
        parsed.users.append(fold_text(value))
    elif value.lower() in FLAGS:
        parsed.flags.add(value.lower())
    else:
        parsed.words.append(f"{key}:{value}")


def parse_sort(value: str | None) -> str:
    return value if value in SORTS else "relevance"


def parse_page(value: str | int | None) -> int:
    try:
        page = int(value or 1)
    except (TypeError, ValueError):
        return 1
    return min(max(page, 1), 1000)


@dataclass(frozen=True)
class TextMatch:
    """One word or phrase, analysed: its terms in order, those a match needs, its CJK bigrams.

    `parts` maps a needed compound term to the sub-words that may stand in for it together;
    `part_grams` are then the bigrams of each needed piece, for the fallback to find them apart.
    """

    text: str
    terms: list[str]
    required: list[str]
    grams: list[str]
    has_cjk: bool
    parts: dict[str, list[str]] = field(default_factory=dict)
    part_grams: list[list[str]] = field(default_factory=list)

    @property
    def tag(self) -> str:
        return fold_text(self.text)


@dataclass
class QueryPlan:
    """A parsed query analysed for the index; both backends compile it."""

    words: list[TextMatch]
    phrases: list[TextMatch]
    excluded: list[TextMatch]
    tags: list[str]
    flags: set[str]
    users: list[str]

    @property
    def has_text(self) -> bool:
        return bool(self.words or self.phrases)


def text_match(text: str) -> TextMatch:
    terms = query_words(text)
    required = [term for term in terms if term not in STOPWORDS] or terms
    has_cjk = bool(CJK.search(fold_text(text)))
    parts = {term: found for term in required if (found := compound_parts(term))}
    part_grams = []
    if parts and has_cjk:
        pieces = [piece for term in required for piece in parts.get(term, [term])]
        part_grams = [query_bigrams(piece) for piece in pieces]
    grams = query_bigrams(text) if has_cjk else []
    return TextMatch(text, terms, required, grams, has_cjk, parts, part_grams)


def plan_query(parsed: ParsedQuery) -> QueryPlan:
    words = [match for match in map(text_match, parsed.words) if match.terms]
    phrases = [match for match in map(text_match, parsed.phrases) if match.terms]
    excluded = [match for match in map(text_match, parsed.excluded) if match.terms]
    return QueryPlan(words, phrases, excluded, parsed.tags, parsed.flags, parsed.users)
