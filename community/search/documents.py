"""What a domain hands the search: documents, and the source that loads them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from flask import Flask, current_app

TEASER_LENGTH = 140
# Answers (and aliases) are stored joined by a blank line.
ANSWER_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class AnswerText:
    """The text of one answer; accepted and canonical answers rank above the others."""

    body: str
    accepted: bool = False
    canonical: bool = False

    @property
    def is_top(self) -> bool:
        return self.accepted or self.canonical


@dataclass
class SearchDocument:
    """Everything the index knows about one question.

    `teaser` is what everyone is shown of it; `open_to_all` says whether everyone may read its
    body and answers too (the domain's read rule decides). Matching for those who may not read
    every question uses only what is open: title, aliases, tags and teaser, or all of it.
    """

    id: int
    title: str
    body: str
    created_at: datetime
    updated_at: datetime
    external_id: str | None = None
    teaser: str = ""
    answers: list[AnswerText] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    author: str = ""
    featured: bool = False
    public: bool = False
    closed: bool = False
    deleted: bool = False
    votes: int = 0
    open_to_all: bool = False

    def __post_init__(self) -> None:
        if not self.teaser:
            self.teaser = self.body[:TEASER_LENGTH]

    @property
    def accepted(self) -> bool:
        return any(answer.accepted for answer in self.answers)

    @property
    def answer_count(self) -> int:
        return len(self.answers)

    @property
    def unanswered(self) -> bool:
        return not self.answers

    @property
    def rank_boost(self) -> float:
        """Relevance multiplier: 精华 counts most, votes a little (never below 0.8)."""
        boost = 1.3 if self.featured else 1.0
        return boost * (1.0 + max(-0.2, min(self.votes, 50) / 250))

    @property
    def top_answers(self) -> list[str]:
        return [answer.body for answer in self.answers if answer.is_top]

    @property
    def other_answers(self) -> list[str]:
        return [answer.body for answer in self.answers if not answer.is_top]

    @property
    def title_text(self) -> str:
        """What ranks as its title: the title, merged questions' titles and the tags."""
        return ANSWER_SEPARATOR.join([self.title, *self.aliases, *self.tags])

    @property
    def spelling_text(self) -> str:
        """The text whose Latin words "did you mean" may offer: what everyone may read of it."""
        return " ".join([self.title, *self.tags, self.body if self.open_to_all else self.teaser])

    @property
    def separate_teaser(self) -> str:
        """The teaser when its text is open and the body's is not (a teaser equal to the body
        is the body's text: indexes reuse its terms)."""
        return "" if self.open_to_all or self.teaser == self.body else self.teaser

    @property
    def open_texts(self) -> tuple[str, str, str]:
        """What everyone may read beyond the title: the body and the top and other answers of
        an open document; the teaser alone of any other."""
        if self.open_to_all:
            top, others = self.top_answers, self.other_answers
            return self.body, ANSWER_SEPARATOR.join(top), ANSWER_SEPARATOR.join(others)
        return self.teaser, "", ""


@dataclass(frozen=True)
class Listing:
    """What the database says of a document now: it may be listed, and whether it is public
    (the domain's read rule is applied to it for each searcher)."""

    id: int
    public: bool


class SearchSource(Protocol):
    """The contract a domain implements to be searchable."""

    def load(self, ids: Sequence[int]) -> list[SearchDocument]:
        """The documents with these ids that still exist (deleted ones may come back flagged)."""

    def all_ids(self) -> Iterable[int]:
        """Every id to index on a full rebuild, in any order."""

    def count(self) -> int:
        """How many documents `all_ids` yields (for the progress bar)."""

    def search_database(self, words: Sequence[str], limit: int) -> list[SearchDocument]:
        """A plain database search (LIKE on title and body) used while the index is rebuilt."""

    def listable(self, ids: Sequence[int]) -> dict[int, Listing]:
        """Those of `ids` that may be listed now (in one query), by id; the index only narrows."""


def register_source(app: Flask, source: SearchSource) -> None:
    """Make `source` the documents this app searches; a domain calls it from its init."""
    app.extensions.setdefault("search", {})["source"] = source


def current_source() -> SearchSource:
    source = current_app.extensions.get("search", {}).get("source")
    if source is None:
        raise LookupError("no search source registered (register_source)")
    return source


def has_source() -> bool:
    return current_app.extensions.get("search", {}).get("source") is not None
