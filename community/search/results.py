"""What a search returns: hits with their viewer-safe snippets, totals, facets, a suggestion."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from markupsafe import Markup


class Reader(Protocol):
    """Who searches, as the domain's read rule sees them (`qa.access.Viewer` is one).

    Search applies the rule and never decides it: a reader who `reads_answers` is matched
    against every document's whole text, anyone else against what is open to all; each hit's
    snippet comes from its whole text only where `may_read` allows it for the document as the
    database has it now (a `documents.Listing`).
    """

    reads_answers: bool

    def may_read(self, document: Any) -> bool: ...


@dataclass
class SearchHit:
    """One result; `snippet` holds only text the viewer may read, already highlighted."""

    id: int
    external_id: str | None
    title: str
    tags: list[str]
    answer_count: int
    accepted: bool
    featured: bool
    public: bool
    closed: bool
    votes: int
    created_at: datetime | None
    score: float = 0.0
    title_html: Markup = Markup("")
    snippet: Markup = Markup("")


@dataclass
class SearchResults:
    total: int
    page: int
    per_page: int
    hits: list[SearchHit] = field(default_factory=list)
    facets: list[tuple[str, int]] = field(default_factory=list)
    suggestion: str | None = None
    from_database: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass
class IndexPage:
    """What a backend found: the total, the page's stored values (`stored.py`) and scores, best
    first, the tag facets and a suggestion. Who may see which hit is decided after."""

    total: int
    entries: list[tuple[Mapping[str, Any], float]] = field(default_factory=list)
    facets: list[tuple[str, int]] = field(default_factory=list)
    suggestion: str | None = None


@dataclass(frozen=True)
class HitText:
    """The stored texts of a hit, from which snippets are cut."""

    title: str
    teaser: str
    body: str
    top_answers: list[str]
    other_answers: list[str]
