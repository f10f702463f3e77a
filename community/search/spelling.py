"""The closest known word to a misspelt one (Levenshtein distance, at most two edits)."""

from __future__ import annotations

from collections.abc import Iterable

MAX_DISTANCE = 2


def distance(left: str, right: str, limit: int = MAX_DISTANCE) -> int:
    """Edit distance of two words, or `limit + 1` once it is known to exceed `limit`."""
    if abs(len(left) - len(right)) > limit:
        return limit + 1
    previous = list(range(len(right) + 1))
    for row, char in enumerate(left, 1):
        current = [row]
        for column, other in enumerate(right, 1):
            current.append(
                min(
                    previous[column] + 1,
                    current[column - 1] + 1,
                    previous[column - 1] + (char != other),
                )
            )
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def closest_word(word: str, vocabulary: Iterable[str]) -> str | None:
    """The nearest vocabulary word within two edits (ties go to the alphabetically first)."""
    best: tuple[int, str] | None = None
    for candidate in vocabulary:
        if candidate == word or abs(len(candidate) - len(word)) > MAX_DISTANCE:
            continue
        score = distance(word, candidate)
        if score <= MAX_DISTANCE and (best is None or (score, candidate) < best):
            best = (score, candidate)
    return best[1] if best else None
