"""What a search returns: hits with their viewer-safe snippets, totals, facets, a suggestion."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup


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


@dataclass(frozen=True)
class HitText:
    """The stored texts of a hit, from which snippets are cut."""

    title: str
    teaser: str
    body: str
    top_answers: list[str]
    other_answers: list[str]


ReadRule = Callable[[SearchHit], bool]
